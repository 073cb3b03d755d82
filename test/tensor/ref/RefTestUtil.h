// RefTestUtil: small helpers for the reference and cross-check tests —
// kernels from source, typed buffers with views, and running both
// reference executors on the same call.
#pragma once

#include "DiagText.h"
#include "kiln/tensor/Array.h"
#include "kiln/tensor/Syntax.h"
#include "tensor/reference/Blocked.h"
#include "tensor/reference/Eager.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace kiln::tensor::test {

/// The only (or the named) kernel of `source`; fails the test on errors.
inline Kernel kernelOf(const std::string &source,
                       const std::string &name = "") {
  ParseResult r = parseProgram(source);
  EXPECT_TRUE(r.ok()) << renderDiags(r.errors, "<test>", source);
  if (!r.ok() || r.program.kernels.empty())
    return {};
  if (name.empty())
    return r.program.kernels.front();
  const Kernel *k = r.program.find(name);
  EXPECT_TRUE(k) << "no kernel " << name;
  return k ? *k : Kernel{};
}

template <class T> DType dtypeOf();
template <> inline DType dtypeOf<float>() { return DType::F32; }
template <> inline DType dtypeOf<double>() { return DType::F64; }
template <> inline DType dtypeOf<int32_t>() { return DType::I32; }
template <> inline DType dtypeOf<int64_t>() { return DType::I64; }
template <> inline DType dtypeOf<uint8_t>() { return DType::Bool; }

/// Owned storage plus a contiguous view of it.
template <class T> struct Buf {
  std::vector<T> data;
  std::vector<int64_t> shape;
  Buf(std::vector<int64_t> s, std::vector<T> values = {})
      : shape(std::move(s)) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    data = values.empty() ? std::vector<T>(size_t(n)) : std::move(values);
  }
  ArrayView view() {
    return ArrayView::contiguous(data.data(), dtypeOf<T>(), shape);
  }
  Arg arg() { return Arg::of(view()); }
};

/// Both references' outputs for one array-result call, as raw bytes.
struct Outputs {
  std::string eagerError, blockedError;
  std::vector<uint8_t> eager, blocked;
};

/// Runs both references into fresh buffers of `shape` and `type`.
inline Outputs runBoth(const Kernel &k, const std::vector<Arg> &args,
                       std::vector<int64_t> shape, uint8_t fill = 0xA5) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  Outputs o;
  const size_t bytes = size_t(n) * dtypeSize(k.resultType);
  o.eager.assign(bytes, fill);
  o.blocked.assign(bytes, fill);
  ArrayView ve = ArrayView::contiguous(o.eager.data(), k.resultType, shape);
  ArrayView vb = ArrayView::contiguous(o.blocked.data(), k.resultType, shape);
  o.eagerError = evalEager(k, args, &ve, nullptr);
  o.blockedError = evalBlocked(k, args, &vb, nullptr);
  return o;
}

template <class T> std::vector<T> as(const std::vector<uint8_t> &bytes) {
  std::vector<T> v(bytes.size() / sizeof(T));
  if (!v.empty())
    std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}

/// Both references' scalar results; expects both to succeed.
inline std::pair<Scalar, Scalar> reduceBoth(const Kernel &k,
                                            const std::vector<Arg> &args) {
  Scalar e, b;
  EXPECT_EQ(evalEager(k, args, nullptr, &e), "");
  EXPECT_EQ(evalBlocked(k, args, nullptr, &b), "");
  return {e, b};
}

} // namespace kiln::tensor::test
