// IsolatedMain: the start routine of a program run in an isolated engine.
//
// In process, ORC's platform runs constructors and interposes atexit; an
// executor process has no ORC runtime, so the program brings its own start:
// a small IR function doing what crt1 and libc do around main.
#include "kiln/core/Diagnostic.h"
#include "kiln/core/JitMain.h"

#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

#include <algorithm>

namespace kiln::core {

using namespace llvm;

namespace {

/// The functions of llvm.global_ctors or llvm.global_dtors, stably sorted
/// by priority (lower first), and the array removed from the module.
std::vector<Function *> takeStructors(Module &m, bool ctors) {
  std::vector<std::pair<unsigned, Function *>> entries;
  for (auto element : ctors ? orc::getConstructors(m) : orc::getDestructors(m))
    if (element.Func)
      entries.emplace_back(element.Priority, element.Func);
  std::stable_sort(entries.begin(), entries.end(),
                   [](auto &a, auto &b) { return a.first < b.first; });
  if (auto *array =
          m.getNamedGlobal(ctors ? "llvm.global_ctors" : "llvm.global_dtors"))
    array->eraseFromParent();
  std::vector<Function *> functions;
  for (auto &[priority, fn] : entries)
    functions.push_back(fn);
  return functions;
}

/// A function running the destructors as ELF's .fini_array does: higher
/// priorities first, and within one priority the later entries first.
Function *destructorRunner(Module &m, const std::vector<Function *> &dtors) {
  LLVMContext &ctx = m.getContext();
  auto *type = FunctionType::get(Type::getVoidTy(ctx), false);
  auto *runner = Function::Create(type, GlobalValue::InternalLinkage,
                                  "__kiln_run_destructors", m);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", runner));
  for (auto it = dtors.rbegin(); it != dtors.rend(); ++it)
    b.CreateCall(type, *it);
  b.CreateRetVoid();
  return runner;
}

/// main's result as an exit status: the low 8 bits (the low bit of an i1).
Value *exitStatus(IRBuilder<> &b, Value *result, unsigned bits) {
  Type *i32 = b.getInt32Ty();
  if (bits == 0)
    return b.getInt32(0);
  Value *wide =
      bits > 32 ? b.CreateTrunc(result, i32) : b.CreateZExt(result, i32);
  return b.CreateAnd(wide, b.getInt32(bits == 1 ? 1 : 0xff));
}

} // namespace

Error addIsolatedMain(Module &m, const MainSignature &signature) {
  GlobalValue *mainValue = m.getNamedValue("main");
  auto *mainFn = mainValue
                     ? dyn_cast_or_null<Function>(mainValue->getAliaseeObject())
                     : nullptr;
  if (!mainFn)
    return makeError("'main' function not found in '" +
                     m.getModuleIdentifier() + "'");
  if (m.getNamedValue(kIsolatedMainName))
    return makeError(std::string("'") + kIsolatedMainName +
                     "' is reserved for Kiln's isolated start routine");
  LLVMContext &ctx = m.getContext();
  Type *i32 = Type::getInt32Ty(ctx);
  Type *ptr = PointerType::get(ctx, 0);
  std::vector<Function *> ctors = takeStructors(m, true);
  std::vector<Function *> dtors = takeStructors(m, false);

  auto *start =
      Function::Create(FunctionType::get(i32, {i32, ptr}, false),
                       GlobalValue::ExternalLinkage, kIsolatedMainName, m);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", start));
  if (!dtors.empty())
    b.CreateCall(m.getOrInsertFunction("atexit", i32, ptr),
                 {destructorRunner(m, dtors)});
  auto *voidFn = FunctionType::get(Type::getVoidTy(ctx), false);
  for (Function *ctor : ctors)
    b.CreateCall(voidFn, ctor);
  Value *envp = b.CreateLoad(ptr, m.getOrInsertGlobal("environ", ptr));
  Value *all[] = {start->getArg(0), start->getArg(1), envp};
  FunctionType *mainType = mainFn->getFunctionType();
  Value *result = b.CreateCall(mainType, mainValue,
                               ArrayRef<Value *>(all, signature.params));
  b.CreateCall(m.getOrInsertFunction("exit", Type::getVoidTy(ctx), i32),
               {exitStatus(b, result, signature.returnBits)});
  b.CreateUnreachable();
  return Error::success();
}

} // namespace kiln::core
