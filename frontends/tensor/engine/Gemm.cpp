// Gemm: compiling and caching the matmul tile functions (see Gemm.h); the
// loop nest that calls them is GemmDriver.cpp.
#include "Gemm.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Target.h"
#include "kiln/tensor/Syntax.h"

#include "llvm/ExecutionEngine/Orc/ThreadSafeModule.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <algorithm>
#include <fstream>

namespace kiln::tensor {
namespace {

/// A cache level's size in bytes from Linux's sysfs, or `fallback`.
int64_t cacheBytes(int index, int64_t fallback) {
  std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index" +
                   std::to_string(index) + "/size");
  int64_t n = 0;
  char unit = 0;
  if (!(in >> n) || n <= 0)
    return fallback;
  in >> unit;
  return unit == 'M' ? n << 20 : unit == 'K' ? n << 10 : n;
}

void chooseBlocks(GemmTile &t) {
  gemmBlocks(t.type, t.shape, t.kc, t.mc, t.nc);
}

std::string tileKey(DType type, const Kernel *epilogue, unsigned product) {
  std::string key = std::string(dtypeName(type)) + "@";
  if (epilogue)
    key += std::to_string(product) + " " + printKernel(*epilogue);
  return key;
}

llvm::Expected<std::shared_ptr<GemmTile>>
compileTile(Engine::Impl &e, DType type, const Kernel *epilogue,
            unsigned product, const std::string &symbol) {
  auto tile = std::make_shared<GemmTile>();
  tile->type = type;
  tile->shape = irgen::tileShapeFor(type, core::hostTarget().features);
  chooseBlocks(*tile);
  auto ctx = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("kiln_tk_" + symbol, *ctx);
  if (auto err = irgen::emitGemmTile(*module, symbol, type, tile->shape,
                                     epilogue, product))
    return std::move(err);
  tile->tracker = e.Jit->createTracker();
  tile->owner = &e;
  tile->symbol = symbol;
  if (auto err = e.Jit->addModule(
          llvm::orc::ThreadSafeModule(std::move(module), std::move(ctx)),
          tile->tracker))
    return std::move(err);
  return tile;
}

} // namespace

void gemmBlocks(DType type, irgen::TileShape shape, int64_t &kc, int64_t &mc,
                int64_t &nc) {
  const int64_t size = dtypeSize(type), nr = shape.cols(), mr = shape.rows;
  const int64_t l1 = cacheBytes(0, 32 << 10), l2 = cacheBytes(2, 512 << 10),
                l3 = cacheBytes(3, 8 << 20);
  kc = std::clamp<int64_t>(l1 / 2 / (nr * size) / 16 * 16, 64, 512);
  mc = std::clamp<int64_t>(l2 / 2 / (kc * size) / mr * mr, mr, 4096);
  nc = std::clamp<int64_t>(l3 / 4 / (kc * size) / nr * nr, nr, 1 << 16);
}

Expected<irgen::TileFn> GemmTile::function() const {
  if (irgen::TileFn fn = Fn.load(std::memory_order_acquire))
    return fn;
  std::call_once(Once, [this] {
    auto sym = owner->Jit->lookup(symbol);
    if (!sym) {
      Error = core::toDiagnostics(sym.takeError());
      for (Diagnostic &d : Error)
        d.message = "cannot compile the matmul tile: " + d.message;
      return;
    }
    Fn.store(sym->getAddress().toPtr<irgen::TileFn>(),
             std::memory_order_release);
  });
  if (irgen::TileFn fn = Fn.load(std::memory_order_acquire))
    return fn;
  return Error;
}

GemmTile::~GemmTile() {
  if (owner && tracker)
    llvm::consumeError(owner->Jit->remove(tracker));
}

Expected<std::shared_ptr<const GemmTile>> gemmTile(Engine::Impl &e, DType type,
                                                   const Kernel *epilogue,
                                                   unsigned product) {
  const std::string key = tileKey(type, epilogue, product);
  std::lock_guard<std::mutex> lock(e.CacheMutex);
  if (auto it = e.Tiles.find(key); it != e.Tiles.end())
    if (auto held = it->second.lock())
      return held;
  std::string symbol = "kiln_tk_gemm_" + std::to_string(e.NameCount["@gemm"]++);
  auto tile = compileTile(e, type, epilogue, product, symbol);
  if (!tile) {
    Diagnostics diags = core::toDiagnostics(tile.takeError());
    for (Diagnostic &d : diags)
      d.message = "cannot compile the matmul tile: " + d.message;
    return diags;
  }
  std::shared_ptr<const GemmTile> shared = std::move(*tile);
  if (e.Tiles.size() >= 64 && e.Tiles.size() % 64 == 0) // an engine that
    std::erase_if(e.Tiles, [](const auto &t) { return t.second.expired(); });
  e.Tiles[key] = shared; // compiles new epilogues for hours stays bounded
  return shared;
}

} // namespace kiln::tensor
