// TestUtil: helpers shared by the core unit tests.
#pragma once

#include "kiln/core/Jit.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/Module.h"

#include <gtest/gtest.h>
#include <string>

namespace kiln::test {

/// Parses IR text into a module in a fresh context; fails the test on error.
llvm::orc::ThreadSafeModule moduleFromIR(const std::string &ir,
                                         const std::string &name = "test");

/// A JIT at `level` with no cache; fails the test on error.
std::unique_ptr<core::Jit>
makeJit(core::OptLevel level = core::OptLevel::O2,
        std::shared_ptr<core::CompileCache> cache = {});

/// The error's rendered text (consumes it); "" for success.
std::string errorText(llvm::Error err);

/// Runs `fn` with stdout redirected and returns what it printed.
std::string captureStdout(const std::function<void()> &fn);

/// A fresh empty directory under the test's temp dir.
std::string freshTempDir(const std::string &tag);

/// IR used by several tests: fib, integer/float/pointer signatures.
extern const char *const SampleIR;

} // namespace kiln::test
