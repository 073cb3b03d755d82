// JitRunUtil: one Relay program through the JIT and through the
// interpreter (the oracle), for the IR-generator tests that compare them.
//
// The JIT tests (IRGenJitTest, IRGenJitErrorTest) and the `.entry` tests
// (IRGenEntryTest) share these helpers and the RelayJit fixture, which
// IRGenJitTest instantiates at O0 and O2 for every file's TEST_P.
#pragma once

#include "relay/irgen/IRGen.h"

#include "kiln/core/Jit.h"
#include "kiln/runtime/Abi.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace kiln::relay::test {

/// Frees the arrays a test allocates, whatever happens.
struct ArenaScope {
  size_t mark = kiln_rt_arena_mark();
  ~ArenaScope() { kiln_rt_arena_release(mark); }
};

/// What a run printed and how it ended; `error` is "file:line:col: message"
/// (or just the message without a location), like the AOT executables.
struct Outcome {
  bool ok = false;
  std::string out;
  std::string error;
};

/// A whole program in a JIT at `level` (null on failure, with a test failure
/// recorded).
std::unique_ptr<core::Jit> jitProgram(const Program &program,
                                      core::OptLevel level,
                                      const IRGenOptions &options = {});

/// `source` compiled and run by the JIT at `level`, its stdout captured.
Outcome runJit(const std::string &source, core::OptLevel level,
               const IRGenOptions &options = {});

/// `source` run by the interpreter, its stdout captured.
Outcome runInterpreter(const std::string &source);

/// A program both tiers run; it prints "800 1".
extern const char *const Mandelbrot;

/// The JIT tests, each at every level IRGenJitTest instantiates.
class RelayJit : public testing::TestWithParam<core::OptLevel> {};

} // namespace kiln::relay::test
