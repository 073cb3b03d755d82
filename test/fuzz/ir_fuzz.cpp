// ir_fuzz: the path Kiln adds around LLVM's IR and bitcode readers.
//
// core::parseIR (textual IR or bitcode, errors turned into Kiln
// diagnostics), core::verifyModule and, for a module that verifies, the
// check of `main`'s type that `kiln run` makes before calling it. LLVM's own
// parsers are not instrumented (Debian's static libraries), so coverage here
// counts Kiln's code; a crash inside LLVM still stops the run.
//
// LLVM 19's bitcode reader is not hardened against malformed input: a
// damaged use-list block found by this target segfaults it, in llvm-dis-19
// as in Kiln (docs/RELIABILITY.md). So by default only textual IR is fuzzed;
// KILN_FUZZ_BITCODE=1 lets bitcode through too.
#include "FuzzSupport.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRFile.h"
#include "kiln/core/IRHelpers.h"
#include "kiln/core/JitMain.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const bool bitcode = std::getenv("KILN_FUZZ_BITCODE") != nullptr;
  // (isBitcode reads four bytes whatever the size)
  if (!bitcode && size >= 4 && llvm::isBitcode(data, data + size))
    return 0;
  llvm::LLVMContext context;
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  auto module = kiln::core::parseIR(text, "fuzz.ll", context);
  if (!module) {
    kiln::core::renderError(module.takeError());
    return 0;
  }
  if (auto err = kiln::core::verifyModule(**module)) {
    kiln::core::renderError(std::move(err));
    return 0;
  }
  auto main = kiln::core::checkMain(**module);
  if (!main)
    kiln::core::renderError(main.takeError());
  return 0;
}
