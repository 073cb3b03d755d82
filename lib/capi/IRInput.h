// IRInput.h: LLVM IR from a C caller's bytes, checked before LLVM sees it.
//
// The C API takes IR as text or bitcode in memory. LLVM aborts on IR that
// does not verify and its bitcode reader can crash on damaged input, so
// everything goes through here first: bitcode is parsed in a probe process
// (core::loadIRFile), text with located errors, then the module is
// verified. Also builds the trampolines of kiln_engine_define_function.
#pragma once

#include "Internal.h"

#include "kiln/core/CodegenGuard.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace kiln::capi {

/// An llvm::Error (consumed) as a kiln_error with `code`, unless its first
/// diagnostic's kind says more than ErrorKind::Other.
kiln_error *fromLLVMError(llvm::Error err, kiln_error_code code);

/// Parses and verifies `size` bytes of IR text or bitcode named `name` in
/// `context`, for the target `triple`. A parse error is KILN_ERROR_PARSE
/// (located, file `name`); a module that does not verify, or that calls
/// another architecture's intrinsics (LLVM's instruction selector would
/// stop the process), is KILN_ERROR_INVALID_ARGUMENT.
kiln_error *parseModule(const std::string &name, const char *data, size_t size,
                        const std::string &triple, llvm::LLVMContext &context,
                        std::unique_ptr<llvm::Module> &out);

/// Errors LLVM reports through a context while generating code (an inline
/// assembly error), collected by the core's CodegenErrors. Thread-safe.
class DiagnosticSink : public core::CodegenErrors {};

/// Sends `context`'s diagnostics to `sink`: errors are kept, warnings and
/// remarks dropped (a library does not write to its host's stderr).
void routeDiagnostics(llvm::LLVMContext &context,
                      std::shared_ptr<DiagnosticSink> sink);

/// A module defining `name` with the LLVM function type `signature` that
/// calls `function(userData, args...)`. A signature that is not a
/// non-variadic function type is KILN_ERROR_INVALID_ARGUMENT.
kiln_error *buildTrampoline(const std::string &name,
                            const std::string &signature, void *function,
                            void *userData, llvm::LLVMContext &context,
                            std::unique_ptr<llvm::Module> &out);

} // namespace kiln::capi
