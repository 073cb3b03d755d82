// VectorLibrary: the vector math library the loop vectorizer may call.
//
// A loop over exp/tanh/... vectorizes only if the optimiser knows a vector
// variant of each scalar call. glibc's libmvec has them for x86-64 at every
// width up to the host's: SSE ('b', 128 bits), AVX2 ('d', 256 bits) and
// AVX-512 ('e', 512 bits). The optimiser and codegen both consult this table,
// so it is filled in one place for the TargetMachine they share.
#pragma once

#include "llvm/Support/Error.h"

namespace llvm {
class Module;
class TargetLibraryInfoImpl;
class TargetMachine;
} // namespace llvm

namespace kiln::core {

/// A vector math library the vectorizer may call instead of scalar libm:
/// Libmvec is glibc's (x86-64 Linux only). Code using it needs libmvec at
/// run time: loadVectorLibrary() for the JIT, -lmvec when linking.
enum class VectorLibrary { None, Libmvec };

/// Adds `lib`'s vector variants for `tm` to `tlii`: for Libmvec, LLVM's
/// LIBMVEC-X86 table (SSE and AVX2) plus tanh/tanhf, which that table lacks,
/// and — only when `tm`'s CPU and features include AVX-512F — the 512-bit
/// variants of every function libmvec exports (LibmvecAvx512.def). Nothing
/// for None or a target the library does not support.
void addVectorLibrary(llvm::TargetLibraryInfoImpl &tlii,
                      const llvm::TargetMachine &tm, VectorLibrary lib);

/// Whether addVectorLibrary gives `tm` libmvec's 512-bit variants.
bool hasAvx512VectorMath(const llvm::TargetMachine &tm);

/// Prepares `module`'s functions to call `lib` on `tm`: with libmvec's
/// AVX-512 variants, which set up a frame through %rbp to realign the
/// stack, %rbp is kept out of register allocation ("frame-pointer"="all"):
/// a loop that keeps a pointer in %rbp across those calls waits for the
/// callee to restore it, which made `exp(a)` on f32 ~25 % slower on Zen 5.
/// Nothing for other targets, libraries or functions that set it already.
void prepareForVectorLibrary(llvm::Module &module,
                             const llvm::TargetMachine &tm, VectorLibrary lib);

/// Loads `lib` into the process once (dlopen), so JIT code resolves its
/// `_ZGV...` symbols. Thread-safe.
llvm::Error loadVectorLibrary(VectorLibrary lib);

} // namespace kiln::core
