// AotMatmulGen: a kernel with `a @ b` in an AOT library — its plan's
// ordinary kernels emitted into the object like any other, one tile
// function per product (plain or with the fused epilogue) with a table of
// its register and cache blocks, and a generated C wrapper holding the plan
// (aot/AotMatmul.h) that calls kt_aot_matmul_call.
#include "AotMatmulGen.h"
#include "AotEntry.h"
#include "AotStagedGen.h"
#include "tensor/engine/StagedLower.h"
#include "tensor/engine/Gemm.h"
#include "tensor/engine/MatmulLower.h"
#include "tensor/syntax/MatmulShape.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/tensor/Array.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"

namespace kiln::tensor::aot {
namespace {

std::string num(long long v) { return std::to_string(v); }

bool hasMatmul(const Kernel &k) { return k.body && syntax::hasMatmul(*k.body); }

/// The plan of `k` with its pieces renamed for the library.
LoweredMatmul lowered(const Kernel &k) {
  LoweredMatmul low = lowerMatmul(k);
  for (size_t t = 0; t < low.steps.size(); ++t)
    if (low.steps[t].kernel)
      low.steps[t].kernel->name = k.name + "__mm" + num(t);
  low.rest.name = k.name + "__rest";
  return low;
}

std::string tileSymbol(const Kernel &k, size_t t) {
  return "kiln_tk_" + k.name + "__tile" + (t == size_t(-1) ? "f" : num(t));
}

/// The register block for `type` on `tm`'s CPU (EmitGemm.h's rule).
irgen::TileShape shapeFor(DType type, const llvm::TargetMachine &tm) {
  std::string features;
  if (tm.getTargetTriple().isX86()) {
    const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
    features = sti->checkFeatures("+avx512f") ? "+avx512f"
               : sti->checkFeatures("+avx2")  ? "+avx2"
                                              : "";
  }
  return irgen::tileShapeFor(type, features);
}

/// Tile function `symbol` and its hidden table `<symbol>_blocks`.
llvm::Error addTile(llvm::Module &m, const std::string &symbol, DType type,
                    const Kernel *epilogue, unsigned product,
                    const llvm::TargetMachine &tm) {
  irgen::TileShape shape = shapeFor(type, tm);
  if (auto err =
          irgen::emitGemmTile(m, symbol, type, shape, epilogue, product))
    return err;
  int64_t kc = 256, mc = 256, nc = 4096;
  gemmBlocks(type, shape, kc, mc, nc);
  auto *i64 = llvm::Type::getInt64Ty(m.getContext());
  auto *table = llvm::ConstantDataArray::get(
      m.getContext(), llvm::ArrayRef<uint64_t>{shape.rows, shape.cols(),
                                               uint64_t(kc), uint64_t(mc),
                                               uint64_t(nc)});
  auto *g = new llvm::GlobalVariable(m, llvm::ArrayType::get(i64, 5), true,
                                     llvm::GlobalValue::ExternalLinkage,
                                     table, symbol + "_blocks");
  g->setVisibility(llvm::GlobalValue::HiddenVisibility);
  if (llvm::Function *f = m.getFunction(symbol))
    f->setVisibility(llvm::GlobalValue::HiddenVisibility);
  return llvm::Error::success();
}

/// `var`: a static kt_mm_source table.
std::string sourcesTable(const std::vector<MatmulSource> &sources,
                         const std::string &var) {
  std::string s = "static const kt_mm_source " + var + "[] = {";
  for (const MatmulSource &src : sources)
    s += "{" + num(src.arg) + ", " + num(src.temp) + "}, ";
  return s + "{-1, -1}};\n";
}

/// The extern declarations and kt_mm_tile `var` of tile `symbol`.
std::string tileTable(const std::string &symbol, DType type,
                      const std::string &var) {
  return "extern void " + symbol +
         "(int64_t, const void *, const void *, int64_t, void *, int64_t, "
         "int64_t, int64_t, int64_t, const int64_t *, int64_t, int64_t);\n"
         "extern const int64_t " + symbol + "_blocks[5];\n"
         "static const kt_mm_tile " + var + " = {" + symbol + ", " +
         num(int(type)) + ", " + symbol + "_blocks};\n";
}

/// One kt_mm_step initializer; its tables go to `s` first.
std::string stepEntry(const std::vector<MatmulSource> &sources,
                      const Kernel *kernel, const std::string &tile,
                      DType type, const std::string &var, std::string &s,
                      const std::function<std::string(const Kernel &)> &desc) {
  s += sourcesTable(sources, var + "_src");
  std::string kernelRef = "0", stagedRef = "0";
  if (kernel && reducesAlongAxis(*kernel)) { // lowered (checkMatmul)
    auto tables = stagedTables(*kernel);
    s += tables ? *tables : "#error kernel " + kernel->name + "\n";
    stagedRef = "&kt_" + kernel->name + "_staged";
  } else if (kernel) {
    s += desc(*kernel);
    kernelRef = "&" + kernel->name + "_desc";
  }
  return "{" + kernelRef + ", " + stagedRef + ", " +
         (tile.empty() ? "0" : "&" + tile) + ", " + num(int(type)) + ", " +
         num(sources.size()) + ", " + var + "_src}";
}

} // namespace

llvm::Error checkMatmul(const std::vector<Kernel> &kernels) {
  for (const Kernel &k : kernels) {
    if (!hasMatmul(k))
      continue;
    LoweredMatmul low = lowered(k);
    bool wide = low.restSources.size() > 64 || low.fusedSources.size() > 64;
    std::vector<const Kernel *> pieces{&low.rest};
    for (const LoweredStep &s : low.steps) {
      wide = wide || s.sources.size() > 64;
      if (s.kernel)
        pieces.push_back(&*s.kernel);
    }
    for (const Kernel *piece : pieces) // staged pieces must lower
      if (reducesAlongAxis(*piece))
        if (auto passes = lowerStaged(*piece); !passes)
          return core::makeError(passes.takeDiagnostics().front().message);
    if (wide)
      return core::makeError(
          "kernel '" + k.name +
          "' has a matrix product step with more than 64 arguments: such "
          "kernels run only in the JIT for now (no AOT library, no --emit)");
  }
  return llvm::Error::success();
}

std::vector<Kernel> expandMatmul(const std::vector<Kernel> &kernels) {
  std::vector<Kernel> out;
  for (const Kernel &k : kernels) {
    if (!hasMatmul(k)) {
      out.push_back(k);
      continue;
    }
    LoweredMatmul low = lowered(k);
    for (LoweredStep &s : low.steps)
      if (s.kernel)
        out.push_back(std::move(*s.kernel));
    out.push_back(std::move(low.rest));
  }
  return out;
}

llvm::Error emitMatmulTiles(llvm::Module &module,
                            const std::vector<Kernel> &kernels,
                            const llvm::TargetMachine &tm) {
  for (const Kernel &k : kernels) {
    if (!hasMatmul(k))
      continue;
    LoweredMatmul low = lowered(k);
    for (size_t t = 0; t < low.steps.size(); ++t)
      if (!low.steps[t].kernel)
        if (auto err = addTile(module, tileSymbol(k, t), low.steps[t].type,
                               nullptr, 0, tm))
          return err;
    if (low.fused)
      if (auto err = addTile(module, tileSymbol(k, size_t(-1)),
                             low.steps.back().type,
                             low.epilogue ? &*low.epilogue : nullptr,
                             low.product, tm))
        return err;
  }
  return llvm::Error::success();
}

std::string matmulWrapper(const Kernel &k, const std::string &prototype,
                          const std::vector<std::string> &names,
                          const std::function<std::string(const Kernel &)> &desc) {
  LoweredMatmul low = lowered(k);
  std::string s, steps, K = "kt_" + k.name;
  for (size_t t = 0; t < low.steps.size(); ++t) {
    const LoweredStep &step = low.steps[t];
    std::string var = K + "_s" + num(t), tile;
    if (!step.kernel)
      s += tileTable(tileSymbol(k, t), step.type, var + "_tile"),
          tile = var + "_tile";
    steps += "  " +
             stepEntry(step.sources, step.kernel ? &*step.kernel : nullptr,
                       tile, step.type, var, s, desc) +
             ",\n";
  }
  std::string fused = "{0, 0, 0, 0, 0, 0}";
  if (low.fused) {
    s += tileTable(tileSymbol(k, size_t(-1)), low.steps.back().type,
                   K + "_f_tile");
    fused = stepEntry(low.fusedSources, nullptr, K + "_f_tile",
                      low.steps.back().type, K + "_f", s, desc);
  }
  std::string rest = stepEntry(low.restSources, &low.rest, "", k.resultType,
                               K + "_r", s, desc);
  s += "static const kt_mm_step " + K + "_steps[] = {\n" + steps + "};\n";
  s += paramsTable(k, K + "_params");
  s += "static const kt_aot_matmul " + K + "_mm = {{\"" + k.name + "\", " +
       num(k.params.size()) + ", " + K + "_params, " +
       num(int(k.resultType)) + ", " + num(k.resultIsArray) + ", {0}}, " +
       num(low.steps.size()) + ", " + K + "_steps, " + fused + ", " +
       num(low.product) + ", " + rest + "};\n";
  return s + exportedEntry(k, prototype, names, "kt_aot_matmul_call",
                           K + "_mm");
}

} // namespace kiln::tensor::aot
