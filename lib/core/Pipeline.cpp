// Pipeline: builds and runs LLVM's standard new-pass-manager pipelines.
#include "kiln/core/Pipeline.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/VecMath.h"
#include "HugeBlocks.h"
#include "PassCapture.h"

#include "LLVMHeaders.h"

#include <memory>
#include <set>

namespace kiln::core {

namespace {

llvm::OptimizationLevel toLLVM(OptLevel level) {
  switch (level) {
  case OptLevel::O0: return llvm::OptimizationLevel::O0;
  case OptLevel::O1: return llvm::OptimizationLevel::O1;
  case OptLevel::O2: return llvm::OptimizationLevel::O2;
  case OptLevel::O3: return llvm::OptimizationLevel::O3;
  case OptLevel::Os: return llvm::OptimizationLevel::Os;
  case OptLevel::Oz: return llvm::OptimizationLevel::Oz;
  }
  llvm_unreachable("unknown OptLevel");
}

/// Prints the IR unit a pass just changed: the whole module, one function,
/// the functions of an SCC, or the function holding a loop.
void printIRUnit(llvm::raw_ostream &os, llvm::StringRef pass, llvm::Any ir) {
  os << "; *** IR after " << pass << " ***\n";
  if (auto *m = llvm::any_cast<const llvm::Module *>(&ir))
    (*m)->print(os, nullptr);
  else if (auto *f = llvm::any_cast<const llvm::Function *>(&ir))
    (*f)->print(os);
  else if (auto *c = llvm::any_cast<const llvm::LazyCallGraph::SCC *>(&ir))
    for (const llvm::LazyCallGraph::Node &n : **c)
      n.getFunction().print(os);
  else if (auto *l = llvm::any_cast<const llvm::Loop *>(&ir))
    (*l)->getHeader()->getParent()->print(os);
}

/// The analysis managers and the PassBuilder, wired together for one run.
struct PassSetup {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassInstrumentationCallbacks pic;
  std::unique_ptr<llvm::PassBuilder> pb;

  PassSetup(llvm::TargetMachine &tm, OptLevel level,
            VectorLibrary vectorLibrary = VectorLibrary::None) {
    llvm::PipelineTuningOptions pto;
    bool vectorize = level == OptLevel::O2 || level == OptLevel::O3;
    pto.LoopVectorization = vectorize;
    pto.SLPVectorization = vectorize;
    pto.LoopInterleaving = vectorize;
    pto.LoopUnrolling = level != OptLevel::O0;
    pb = std::make_unique<llvm::PassBuilder>(&tm, pto, std::nullopt, &pic);
    // The TLI must know the target's library before the default function
    // analyses are registered, or math calls are not recognised.
    llvm::TargetLibraryInfoImpl tlii(tm.getTargetTriple());
    addVectorLibrary(tlii, tm, vectorLibrary);
    fam.registerPass([tlii] { return llvm::TargetLibraryAnalysis(tlii); });
    pb->registerModuleAnalyses(mam);
    pb->registerCGSCCAnalyses(cgam);
    pb->registerFunctionAnalyses(fam);
    pb->registerLoopAnalyses(lam);
    pb->crossRegisterProxies(lam, fam, cgam, mam);
  }

  llvm::ModulePassManager build(OptLevel level) {
    if (level == OptLevel::O0)
      return pb->buildO0DefaultPipeline(llvm::OptimizationLevel::O0);
    return pb->buildPerModuleDefaultPipeline(toLLVM(level));
  }
};

} // namespace

llvm::Error optimizeModule(llvm::Module &module, llvm::TargetMachine &tm,
                           const PipelineOptions &options) {
  module.setTargetTriple(tm.getTargetTriple().str());
  module.setDataLayout(tm.createDataLayout());
  prepareForVectorLibrary(module, tm, options.vectorLibrary);
  PassSetup setup(tm, options.level, options.vectorLibrary);
  if (options.printChanged) {
    llvm::raw_ostream *os = options.printChanged;
    setup.pic.registerAfterPassCallback(
        [os](llvm::StringRef pass, llvm::Any ir,
             const llvm::PreservedAnalyses &pa) {
          if (!pa.areAllPreserved() && !pass.starts_with("PassManager") &&
              !pass.contains("Adaptor"))
            printIRUnit(*os, pass, ir);
        });
  }
  if (options.capture)
    registerPassCapture(setup.pic, module, *options.capture);
  if (!options.lateLicm) {
    // The functions GVN has run on: their loops' later LICM runs are left
    // out (optional passes only, as opt-bisect and optnone skip them).
    auto afterGvn = std::make_shared<std::set<const llvm::Function *>>();
    unsigned *skipped = options.skippedRuns;
    setup.pic.registerShouldRunOptionalPassCallback(
        [afterGvn, skipped](llvm::StringRef pass, llvm::Any ir) {
          if (pass == "GVNPass") {
            if (auto *f = llvm::any_cast<const llvm::Function *>(&ir))
              afterGvn->insert(*f);
          } else if (pass == "LICMPass") {
            auto *l = llvm::any_cast<const llvm::Loop *>(&ir);
            if (l && afterGvn->count((*l)->getHeader()->getParent())) {
              if (skipped)
                ++*skipped;
              return false;
            }
          }
          return true;
        });
  }
  llvm::ModulePassManager mpm = setup.build(options.level);
  if (options.printPipeline) {
    mpm.printPipeline(*options.printPipeline, [&](llvm::StringRef name) {
      return setup.pic.getPassNameForClassName(name);
    });
    *options.printPipeline << "\n";
  }
  mpm.run(module, setup.mam);
  defineCalledVectorMath(module, tm, options.vectorLibrary);
  // Instruction selection is superlinear in a block's size; huge
  // straight-line functions get the linear -O0 selector (HugeBlocks.h).
  if (options.level != OptLevel::O0)
    selectHugeBlocksCheaply(module);
  return llvm::Error::success();
}

std::string describePipeline(llvm::TargetMachine &tm, OptLevel level) {
  // The PassBuilder fills the class-name to pass-name map in `pic`.
  PassSetup setup(tm, level);
  llvm::ModulePassManager mpm = setup.build(level);
  std::string text;
  llvm::raw_string_ostream os(text);
  mpm.printPipeline(os, [&](llvm::StringRef name) {
    return setup.pic.getPassNameForClassName(name);
  });
  return os.str();
}

} // namespace kiln::core
