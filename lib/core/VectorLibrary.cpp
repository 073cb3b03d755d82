// VectorLibrary: glibc's libmvec in the TargetLibraryInfo, at the CPU's width.
//
// LLVM 19 knows libmvec's SSE and AVX2 variants; the AVX-512 ones (16 f32 or
// 8 f64 lanes) come from LibmvecAvx512.def and are offered only to a
// TargetMachine whose CPU has AVX-512F, so SSE/AVX2 targets (and AOT builds
// for them) get exactly the code they got before. On those AVX-512 targets a
// few functions map to Kiln's own routines instead (VecMath.h).
#include "kiln/core/VectorLibrary.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/VecMath.h"

#include "LLVMHeaders.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/DynamicLibrary.h"

#include <mutex>

namespace kiln::core {

namespace {

/// One VecDesc: SCALAR maps to VECTOR at VF lanes, unmasked.
#define KILN_VECFUNC(SCALAR, VECTOR, VF, PARAMS)                               \
  {SCALAR, VECTOR, llvm::ElementCount::getFixed(VF), false,                    \
   "_ZGV_LLVM_N" #VF PARAMS},

// One row per line:
// clang-format off
// LLVM 19's LIBMVEC-X86 table has no tanh; glibc 2.35+ exports these.
const llvm::VecDesc TanhVariants[] = {
    KILN_VECFUNC("tanhf", "_ZGVbN4v_tanhf", 4, "v")
    KILN_VECFUNC("tanhf", "_ZGVdN8v_tanhf", 8, "v")
    KILN_VECFUNC("tanh", "_ZGVbN2v_tanh", 2, "v")
    KILN_VECFUNC("tanh", "_ZGVdN4v_tanh", 4, "v")
};

/// libmvec's 'e' ISA: f32 x 16 and f64 x 8 for libm's names and, where LLVM
/// 19 has one, the intrinsic's.
const llvm::VecDesc Avx512Variants[] = {
#define LIBMVEC_E(NAME, PARAMS)                                                \
  KILN_VECFUNC(#NAME "f", "_ZGVeN16" PARAMS "_" #NAME "f", 16, PARAMS)         \
  KILN_VECFUNC(#NAME, "_ZGVeN8" PARAMS "_" #NAME, 8, PARAMS)
#define LIBMVEC_E_INTRINSIC(NAME, PARAMS)                                      \
  LIBMVEC_E(NAME, PARAMS)                                                      \
  KILN_VECFUNC("llvm." #NAME ".f32", "_ZGVeN16" PARAMS "_" #NAME "f", 16,      \
               PARAMS)                                                         \
  KILN_VECFUNC("llvm." #NAME ".f64", "_ZGVeN8" PARAMS "_" #NAME, 8, PARAMS)
#include "LibmvecAvx512.def"
};
// clang-format on

#undef KILN_VECFUNC

} // namespace

bool hasAvx512VectorMath(const llvm::TargetMachine &tm) {
  const llvm::Triple &triple = tm.getTargetTriple();
  if (triple.getArch() != llvm::Triple::x86_64 || !triple.isOSLinux())
    return false;
  // The subtarget's feature bits: the CPU's own plus the explicit features.
  return tm.getMCSubtargetInfo()->checkFeatures("+avx512f");
}

void addVectorLibrary(llvm::TargetLibraryInfoImpl &tlii,
                      const llvm::TargetMachine &tm, VectorLibrary lib) {
  if (lib != VectorLibrary::Libmvec)
    return;
  const llvm::Triple &triple = tm.getTargetTriple();
  if (triple.getArch() != llvm::Triple::x86_64 || !triple.isOSLinux())
    return;
  tlii.addVectorizableFunctionsFromVecLib(
      llvm::TargetLibraryInfoImpl::LIBMVEC_X86, triple);
  tlii.addVectorizableFunctions(TanhVariants);
  if (!hasAvx512VectorMath(tm))
    return;
  // Kiln's own routines replace libmvec's where they are faster (one row
  // per scalar and width: the table's lookup would pick either).
  llvm::SmallVector<llvm::VecDesc, 128> rows;
  for (const llvm::VecDesc &d : Avx512Variants)
    if (!isKilnVectorMath(d.getScalarFnName(),
                          d.getVectorizationFactor().getFixedValue()))
      rows.push_back(d);
  appendKilnVectorMath(rows);
  tlii.addVectorizableFunctions(rows);
}

void prepareForVectorLibrary(llvm::Module &module,
                             const llvm::TargetMachine &tm, VectorLibrary lib) {
  if (lib != VectorLibrary::Libmvec || !hasAvx512VectorMath(tm))
    return;
  for (llvm::Function &f : module)
    if (!f.isDeclaration() && !f.hasFnAttribute("frame-pointer"))
      f.addFnAttr("frame-pointer", "all");
}

llvm::Error loadVectorLibrary(VectorLibrary lib) {
  if (lib != VectorLibrary::Libmvec)
    return llvm::Error::success();
  static std::once_flag once;
  static std::string error;
  std::call_once(once, [] {
    llvm::sys::DynamicLibrary::LoadLibraryPermanently("libmvec.so.1", &error);
  });
  if (!error.empty())
    return makeError("cannot load glibc's vector math library libmvec.so.1: " +
                     error);
  return llvm::Error::success();
}

} // namespace kiln::core
