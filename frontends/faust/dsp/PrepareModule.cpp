// PrepareModule: target attributes, IEEE arithmetic, optnone set-up
// functions and the split into a compute and a set-up half.
#include "PrepareModule.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"
#include "llvm/TargetParser/Triple.h"

namespace kiln::faust {

/// NAME from the defined function getJSONNAME, or empty.
std::string findClassName(llvm::Module &m) {
  for (llvm::Function &f : m)
    if (!f.isDeclaration() && f.getName().starts_with("getJSON"))
      return f.getName().substr(7).str();
  return {};
}

/// The C string getJSONNAME returns, or empty.
std::string jsonOf(llvm::Module &m, const std::string &className) {
  llvm::Function *f = m.getFunction("getJSON" + className);
  for (llvm::BasicBlock &bb : *f)
    if (auto *ret =
            llvm::dyn_cast_or_null<llvm::ReturnInst>(bb.getTerminator()))
      if (llvm::Value *v = ret->getReturnValue())
        if (auto *g =
                llvm::dyn_cast<llvm::GlobalVariable>(v->stripPointerCasts()))
          if (auto *data = llvm::dyn_cast_or_null<llvm::ConstantDataSequential>(
                  g->getInitializer()))
            if (data->isCString())
              return data->getAsCString().str();
  return {};
}

// The JSON's "size" is a 32-bit number (`_ @ 1000000000` says 8 for a 4 GiB
// struct). The struct is packed, so only the pointer size (soundfile
// zones) depends on the layout; a module without one (faust writes none)
// gets 64-bit pointers, which at worst over-allocates on a 32-bit target.
uint64_t instanceSize(llvm::Module &m, const std::string &className,
                      uint64_t jsonSize) {
  auto *type =
      llvm::StructType::getTypeByName(m.getContext(), "struct.dsp" + className);
  if (!type || !type->isSized())
    return jsonSize;
  return m.getDataLayout().getTypeAllocSize(type).getFixedValue();
}

namespace {

/// What `root` may run or touch: the functions it calls or names,
/// transitively, and the globals they name, also through constant
/// expressions, aggregates and the initializers of the globals they name
/// (a table of function pointers, a table of pointers to other globals).
struct Reach {
  llvm::SmallPtrSet<llvm::Function *, 16> functions;
  llvm::SmallPtrSet<llvm::GlobalVariable *, 8> globals;
};

Reach reachFrom(llvm::Function *root) {
  Reach reach;
  reach.functions.insert(root);
  llvm::SmallVector<llvm::Function *, 16> work{root};
  llvm::SmallPtrSet<llvm::Constant *, 32> visited;
  llvm::SmallVector<llvm::Constant *, 16> constants;
  auto visit = [&](llvm::Value *v) {
    if (auto *c = llvm::dyn_cast<llvm::Constant>(v))
      if (visited.insert(c).second)
        constants.push_back(c);
  };
  while (!work.empty()) {
    for (llvm::Instruction &inst : llvm::instructions(*work.pop_back_val()))
      for (llvm::Value *operand : inst.operands())
        visit(operand);
    while (!constants.empty()) {
      llvm::Constant *c = constants.pop_back_val();
      if (auto *f = llvm::dyn_cast<llvm::Function>(c)) {
        if (reach.functions.insert(f).second)
          work.push_back(f);
      } else if (auto *g = llvm::dyn_cast<llvm::GlobalVariable>(c)) {
        reach.globals.insert(g);
        if (g->hasInitializer())
          visit(g->getInitializer());
      } else if (!llvm::isa<llvm::GlobalValue>(c)) {
        for (llvm::Value *operand : c->operands())
          visit(operand);
      }
    }
  }
  return reach;
}

} // namespace

// Most of the optimiser and codegen time of a Faust module goes to
// `compute`, but a noticeable part (osc: 40 %, clarinet: 25 %) goes to the
// set-up functions: classInit and its table fillers (the SIG functions),
// instanceConstants, instanceClear, allocate, getJSON... With `optnone` the
// O3 pipeline skips them and codegen selects them with FastISel. They run
// once per init, where it costs little (osc's 65536-entry sine table:
// init 0.68 -> 0.82 ms; tapiir's instanceClear 0.23 -> 0.25 ms).
void skipSetUpFunctions(llvm::Module &m, const std::string &className) {
  llvm::Function *compute = m.getFunction("compute" + className);
  if (!compute || compute->isDeclaration())
    return;
  auto keep = reachFrom(compute).functions;
  for (llvm::Function &f : m)
    if (!f.isDeclaration() && !keep.contains(&f) &&
        !f.hasFnAttribute(llvm::Attribute::AlwaysInline) &&
        !f.hasOptSize()) { // the verifier refuses optnone with these
      f.addFnAttr(llvm::Attribute::OptimizeNone);
      f.addFnAttr(llvm::Attribute::NoInline);
    }
}

// faust -lang llvm marks every floating-point operation `fast`. The
// optimiser then assumes no NaNs or infinities and reassociates freely,
// which changes results (SAM/virtualAnalog: 0.107 of a 0.60 peak at O1-O3
// against O0, g++ and libfaust). Kiln compiles the DSP with IEEE arithmetic:
// no fast-math and no FMA contraction (keeping `contract` still missed g++'s
// output on virtualAnalog by 0.0029 of the peak: GCC contracts elsewhere).
// This costs some speed (zitaRev ~25 -> ~34 ns/frame scalar) for results
// that do not depend on the optimisation level.
void dropFastMath(llvm::Module &m) {
  for (llvm::Function &f : m) {
    for (const char *attr :
         {"unsafe-fp-math", "no-nans-fp-math", "no-infs-fp-math",
          "no-signed-zeros-fp-math", "approx-func-fp-math"})
      f.removeFnAttr(attr);
    for (llvm::BasicBlock &block : f)
      for (llvm::Instruction &inst : block)
        if (llvm::isa<llvm::FPMathOperator>(inst))
          inst.copyFastMathFlags(llvm::FastMathFlags());
  }
}

void prepareModule(llvm::Module &m, const core::TargetSpec &spec,
                   const std::string &className) {
  m.setTargetTriple(spec.triple);
  dropFastMath(m);
  std::string features = spec.features;
  // Faust's many parallel filters tempt the SLP vectorizer into gathering
  // delay-line taps, and x86 gathers cost more than the scalar loads they
  // replace (freeverb: 31 -> 19 ns/frame without them).
  if (llvm::Triple(spec.triple).isX86())
    features += std::string(features.empty() ? "" : ",") +
                "+prefer-no-gather,+prefer-no-scatter";
  for (llvm::Function &f : m) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", spec.cpu);
    if (!features.empty())
      f.addFnAttr("target-features", features);
  }
  // The instance struct never overlaps the audio buffers (the Dsp owns it),
  // so compute's state may live in registers across the sample loop.
  if (llvm::Function *compute = m.getFunction("compute" + className))
    if (compute->arg_size() == 4)
      compute->addParamAttr(0, llvm::Attribute::NoAlias);
  skipSetUpFunctions(m, className);
}

// A split factory compiles its module as two: `compute` with the functions
// it calls, and the set-up functions (classInit, the table fillers,
// instanceConstants, instanceClear, getJSON...). Both halves come from the
// same prepared module. The mutable globals compute uses (the tables
// classInit fills) are defined and exported by the set-up half and
// declared by the compute half; constant globals and the helpers compute
// calls are private copies in the compute half, so its optimiser sees
// everything it saw in the whole module but the tables' contents, which
// only classInit writes.
void splitModule(llvm::Module &m, const std::string &className, Part part) {
  llvm::Function *compute = m.getFunction("compute" + className);
  Reach reached = reachFrom(compute);
  auto &reach = reached.functions;
  auto &used = reached.globals;
  if (part == Part::SetUp) {
    for (llvm::GlobalVariable *g : used)
      if (!g->isConstant() && g->hasLocalLinkage())
        g->setLinkage(llvm::GlobalValue::ExternalLinkage);
    compute->eraseFromParent();
    return;
  }
  for (llvm::Function &f : m)
    if (!f.isDeclaration() && !reach.contains(&f))
      f.deleteBody();
  for (llvm::Function *f : reach)
    if (f != compute && !f->isDeclaration())
      f->setLinkage(llvm::GlobalValue::InternalLinkage);
  for (llvm::GlobalVariable *g : used) {
    if (g->isConstant()) {
      g->setLinkage(llvm::GlobalValue::InternalLinkage);
    } else if (!g->isDeclaration()) {
      g->setInitializer(nullptr);
      g->setLinkage(llvm::GlobalValue::ExternalLinkage);
    }
  }
  for (llvm::GlobalVariable &g : llvm::make_early_inc_range(m.globals())) {
    g.removeDeadConstantUsers();
    if (g.use_empty())
      g.eraseFromParent();
  }
  for (llvm::Function &f : llvm::make_early_inc_range(m))
    if (f.isDeclaration() && f.use_empty())
      f.eraseFromParent();
}

} // namespace kiln::faust
