// TestEngine: the engine and kernel set-up the tensor tests share.
#pragma once

#include "DiagText.h"
#include "kiln/tensor/Tensor.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace kiln::tensor::test {

/// An engine with `threads` pool threads that splits calls above
/// `threshold` elements (small, so tests reach the threaded paths).
inline std::unique_ptr<Engine> makeEngine(unsigned threads, int64_t threshold) {
  EngineOptions o;
  o.threads = threads;
  o.parallelThreshold = threshold;
  auto made = Engine::create(o);
  EXPECT_TRUE(made) << message(made);
  return made ? std::move(*made) : nullptr;
}

/// The first kernel of `source` compiled on `engine` (null, and a test
/// failure, when it does not compile).
inline std::shared_ptr<CompiledKernel> compileFirst(Engine &engine,
                                                    const std::string &source) {
  auto r = compile(engine, source);
  EXPECT_TRUE(r.ok()) << render(r.diagnostics());
  return r.ok() ? r->kernels.front() : nullptr;
}

/// `args` is rejected with checkCall's words (through both run() entries)
/// and `out` is left untouched; the message contains `contains`.
inline void expectRejected(const CompiledKernel &k, std::vector<Arg> args,
                           ArrayView *out, const std::vector<float> &outData,
                           const std::string &contains) {
  std::vector<float> before = outData;
  std::string err = message(k.run(args, out, nullptr));
  EXPECT_NE(err.find(contains), std::string::npos) << err;
  EXPECT_EQ(err, message(checkCall(k.signature(), args, out)));
  EXPECT_EQ(outData, before) << contains;
  EXPECT_EQ(message(k.run(args.data(), args.size(), out, nullptr)), err);
}

} // namespace kiln::tensor::test
