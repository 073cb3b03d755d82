// IRGenTestUtil: helpers the Relay IR-generator tests share (IRGen*Test):
// a checked front end, IR generation and O2 for the host.
#pragma once

#include "relay/irgen/IRGen.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace kiln::relay::test {

/// Parses and analyses `source`; fails the test on a diagnostic.
std::unique_ptr<Program> compile(const std::string &source);

/// The rendered error, "" for success.
std::string errorText(llvm::Error err);

/// The program's module (null on failure, with a test failure recorded).
std::unique_ptr<llvm::Module> generate(const Program &program,
                                       llvm::LLVMContext &context,
                                       const IRGenOptions &options = {});

/// `source` compiled and optimised at O2 for the host (null on failure, with
/// a test failure recorded).
std::unique_ptr<llvm::Module> optimizedAtO2(const char *source,
                                            llvm::LLVMContext &context);

/// The module of function `name` alone (generateFunction: the router's
/// unit, `relay.NAME.impl`), optimised at O2 for the host; null on failure.
std::unique_ptr<llvm::Module> functionAtO2(const char *source,
                                           const std::string &name,
                                           llvm::LLVMContext &context);

} // namespace kiln::relay::test
