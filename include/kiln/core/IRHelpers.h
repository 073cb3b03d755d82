// IRHelpers: IR-building boilerplate for frontends and for embedders who
// write IR by hand: functions from a signature, a counted loop with proper
// phis (examples/embed uses it; the frontends' loops carry values and loop
// metadata and build their own), if/else, runtime calls, constants and
// verification with readable errors.
#pragma once

#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace llvm {
class Module;
class Function;
} // namespace llvm

namespace kiln::core {

/// Creates `name` with `type` in `module`, naming its arguments, with one
/// empty "entry" block; the builder is left at the end of that block.
llvm::Function *createFunction(llvm::Module &module, llvm::IRBuilder<> &b,
                               llvm::StringRef name, llvm::FunctionType *type,
                               const std::vector<std::string> &argNames = {},
                               llvm::GlobalValue::LinkageTypes linkage =
                                   llvm::GlobalValue::ExternalLinkage);

/// Emits `for (iv = start; iv < end; iv += step) body(iv)` over integers of
/// the type of `start` (signed compare). The induction variable is a phi, so
/// the loop is in the canonical form the vectorizer recognises. `body` may
/// create blocks; the builder is left after the loop. Returns the exit block.
llvm::BasicBlock *emitCountedLoop(
    llvm::IRBuilder<> &b, llvm::Value *start, llvm::Value *end,
    llvm::Value *step,
    const std::function<void(llvm::IRBuilder<> &, llvm::Value *)> &body,
    llvm::StringRef name = "loop");

/// Emits if/else; `elseBody` may be empty. Returns the merge block, where the
/// builder is left. Branches that already ended (return) are not joined.
llvm::BasicBlock *
emitIfElse(llvm::IRBuilder<> &b, llvm::Value *cond,
           const std::function<void(llvm::IRBuilder<> &)> &thenBody,
           const std::function<void(llvm::IRBuilder<> &)> &elseBody = {});

/// Declares (once) and calls an external function such as a runtime entry
/// point: `callRuntime(b, "kiln_rt_print_f64", voidTy, {x})`.
llvm::CallInst *callRuntime(llvm::IRBuilder<> &b, llvm::StringRef name,
                            llvm::Type *result,
                            llvm::ArrayRef<llvm::Value *> args);

/// A private global C string; returns a pointer to its first character.
llvm::Constant *constString(llvm::IRBuilder<> &b, llvm::StringRef text);
llvm::Constant *constF64(llvm::IRBuilder<> &b, double v);
llvm::Constant *constI64(llvm::IRBuilder<> &b, int64_t v);

/// Verifies `module`; the error lists what the verifier said, one problem a
/// line, without aborting.
llvm::Error verifyModule(const llvm::Module &module);

} // namespace kiln::core
