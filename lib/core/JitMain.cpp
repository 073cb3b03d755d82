// JitMain: checks the type of a JIT'd `main` and calls it with argv/envp.
#include "kiln/core/JitMain.h"
#include "kiln/core/Diagnostic.h"

#include "llvm/IR/Module.h"

#include <cstdint>

extern char **environ;

namespace kiln::core {

namespace {

bool isPlainPointer(llvm::Type *type) {
  return type->isPointerTy() && type->getPointerAddressSpace() == 0;
}

std::string typeName(llvm::Type *type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type->print(os);
  return text;
}

/// The function `main` names: itself, or the function an alias stands for.
llvm::Expected<const llvm::Function *> mainFunction(const llvm::Module &m) {
  const llvm::GlobalValue *value = m.getNamedValue("main");
  if (!value)
    return makeError("'main' function not found in '" +
                     m.getModuleIdentifier() + "'");
  const llvm::GlobalObject *object = value->getAliaseeObject();
  auto *fn = llvm::dyn_cast_or_null<llvm::Function>(object);
  if (!fn)
    return makeError("'main' in '" + m.getModuleIdentifier() +
                     "' is a global variable, not a function");
  if (fn->isDeclaration())
    return makeError("'main' is declared but not defined in '" +
                     m.getModuleIdentifier() + "'");
  return fn;
}

} // namespace

llvm::Expected<MainSignature> checkMain(const llvm::Module &module) {
  auto fn = mainFunction(module);
  if (!fn)
    return fn.takeError();
  llvm::FunctionType *type = (*fn)->getFunctionType();
  auto refuse = [&](const std::string &why) {
    return makeError("'main' in '" + module.getModuleIdentifier() +
                     "' has type '" + typeName(type) + "': " + why);
  };
  MainSignature signature;
  signature.params = type->getNumParams();
  if (type->isVarArg() || signature.params > 3)
    return refuse("main takes (i32 argc, ptr argv, ptr envp) or a prefix");
  if (signature.params >= 1 && !type->getParamType(0)->isIntegerTy(32))
    return refuse("argc must be i32");
  for (unsigned i = 1; i < signature.params; ++i)
    if (!isPlainPointer(type->getParamType(i)))
      return refuse(i == 1 ? "argv must be ptr" : "envp must be ptr");
  llvm::Type *result = type->getReturnType();
  signature.returnBits = result->isVoidTy()      ? 0
                         : result->isIntegerTy() ? result->getIntegerBitWidth()
                                                 : 99;
  unsigned bits = signature.returnBits;
  if (bits != 0 && bits != 1 && bits != 8 && bits != 16 && bits != 32 &&
      bits != 64)
    return refuse("main must return i32 (or another integer of 1 to 64 "
                  "bits, or void)");
  return signature;
}

namespace {

/// Calls main as a function returning `Result`: every parameter list main
/// accepts is a prefix of (int, char **, char **), and the C calling
/// convention lets a callee ignore the arguments it does not declare.
template <typename Result>
Result callAs(llvm::orc::ExecutorAddr address, int argc, char **argv) {
  return address.toPtr<Result (*)(int, char **, char **)>()(argc, argv,
                                                            environ);
}

} // namespace

int callMain(const MainSignature &signature, llvm::orc::ExecutorAddr address,
             const std::vector<std::string> &args) {
  std::vector<std::string> storage = args;
  std::vector<char *> argv;
  for (std::string &arg : storage)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  int argc = int(storage.size());
  switch (signature.returnBits) {
  case 0: callAs<void>(address, argc, argv.data()); return 0;
  case 1: // only the low bit of an i1 result is defined
    return callAs<uint8_t>(address, argc, argv.data()) & 1;
  case 8: return callAs<uint8_t>(address, argc, argv.data());
  case 16: return callAs<uint16_t>(address, argc, argv.data()) & 0xff;
  case 64: return int(callAs<uint64_t>(address, argc, argv.data()) & 0xff);
  default: return callAs<int>(address, argc, argv.data()) & 0xff;
  }
}

} // namespace kiln::core
