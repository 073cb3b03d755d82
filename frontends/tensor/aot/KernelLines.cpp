// KernelLines: a DISubprogram per kernel function, one line for all of it.
#include "KernelLines.h"

#include "tensor/irgen/IRGen.h"

#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/IR/DIBuilder.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Path.h"

namespace kiln::tensor {

namespace {

/// Gives `fn` a subprogram at `line` and every instruction that location.
void locate(llvm::DIBuilder &dib, llvm::DICompileUnit *cu, llvm::Function &fn,
            unsigned line) {
  llvm::DISubroutineType *type =
      dib.createSubroutineType(dib.getOrCreateTypeArray({}));
  llvm::DISubprogram *sp = dib.createFunction(
      cu->getFile(), fn.getName(), fn.getName(), cu->getFile(), line, type,
      line, llvm::DINode::FlagZero,
      llvm::DISubprogram::SPFlagDefinition |
          llvm::DISubprogram::SPFlagOptimized);
  fn.setSubprogram(sp);
  auto *loc = llvm::DILocation::get(fn.getContext(), line, 0, sp);
  for (llvm::BasicBlock &block : fn)
    for (llvm::Instruction &inst : block)
      inst.setDebugLoc(loc);
}

} // namespace

void addKernelLines(llvm::Module &module, const Program &program,
                    const std::string &file) {
  llvm::DIBuilder dib(module);
  llvm::DIFile *diFile = dib.createFile(llvm::sys::path::filename(file),
                                        llvm::sys::path::parent_path(file));
  llvm::DICompileUnit *cu =
      dib.createCompileUnit(llvm::dwarf::DW_LANG_C, diFile, "kiln tensor",
                            /*isOptimized=*/true, "", 0);
  for (const Kernel &k : program.kernels) {
    unsigned line = k.body && k.body->loc.line ? k.body->loc.line : k.loc.line;
    irgen::KernelSymbols sym = irgen::symbolsFor(k);
    for (const std::string *name :
         {&sym.flat, &sym.strided, &sym.combine, &sym.finish})
      if (llvm::Function *fn = module.getFunction(*name);
          fn && !fn->isDeclaration())
        locate(dib, cu, *fn, line);
  }
  dib.finalize();
  module.addModuleFlag(llvm::Module::Warning, "Dwarf Version", 5);
  module.addModuleFlag(llvm::Module::Warning, "Debug Info Version",
                       llvm::DEBUG_METADATA_VERSION);
}

} // namespace kiln::tensor
