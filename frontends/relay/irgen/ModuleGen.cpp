// ModuleGen: per-module state of the IR generator — types, callees, runtime
// declarations with their attributes, and the first internal error.
#include "IRGenImpl.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRHelpers.h"

#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace kiln::relay::irgen {

ModuleGen::ModuleGen(const Program &program, const IRGenOptions &options,
                     Module &module, Mode mode)
    : program(program), options(options), module(module),
      b(module.getContext()), mode(mode) {}

llvm::Type *ModuleGen::typeOf(relay::Type t, Loc where) {
  switch (t) {
  case relay::Type::Number: return b.getDoubleTy();
  case relay::Type::Bool: return b.getInt1Ty();
  case relay::Type::Array: return b.getPtrTy();
  case relay::Type::Void: return b.getVoidTy();
  default:
    fail(where, std::string("no value of type '") + typeName(t) +
                    "' can be stored or passed");
    return b.getDoubleTy();
  }
}

FunctionType *ModuleGen::signature(const FuncDecl &f) {
  if (f.paramTypes.size() != f.params.size()) {
    fail(f.loc, "function '" + f.name + "' has no parameter types");
    return nullptr;
  }
  std::vector<llvm::Type *> params;
  for (size_t i = 0; i < f.paramTypes.size(); ++i) {
    llvm::Type *t = typeOf(f.paramTypes[i], f.params[i].loc);
    if (t->isVoidTy()) {
      fail(f.params[i].loc, "parameter '" + f.params[i].name + "' is void");
      return nullptr;
    }
    params.push_back(t);
  }
  if (takesBudget(f))
    params.push_back(b.getInt32Ty());
  return FunctionType::get(typeOf(f.returnType, f.loc), params, false);
}

Function *ModuleGen::callee(const FuncDecl &f) {
  if (mode == Mode::Program) {
    if (f.index >= 0 && size_t(f.index) < typed.size() && typed[f.index])
      return typed[f.index];
    fail(f.loc, "call of function '" + f.name + "' outside the program");
    return nullptr;
  }
  if (&f == self && selfFn)
    return selfFn;
  FunctionType *type = signature(f);
  if (!type)
    return nullptr;
  FunctionCallee c = module.getOrInsertFunction("relay." + f.name, type);
  auto *fn = llvm::dyn_cast<Function>(c.getCallee());
  if (fn && !fn->hasFnAttribute(Attribute::NoUnwind)) {
    fn->addFnAttr(Attribute::NoUnwind);
    markArrays(*fn);
  }
  return fn;
}

Constant *ModuleGen::fileName() {
  if (!fileString)
    fileString = core::constString(b, program.file);
  return fileString;
}

StructType *ModuleGen::arrayType() {
  if (!arrayStruct)
    arrayStruct = StructType::get(b.getPtrTy(), b.getInt64Ty(), b.getInt64Ty());
  return arrayStruct;
}

MDNode *ModuleGen::tbaa(Access access) {
  int i = static_cast<int>(access);
  if (!tbaaTags[i]) {
    static const char *const names[] = {
        "relay array data", "relay array length", "relay array element",
        "kiln_rt depth", "relay array capacity"};
    MDBuilder md(module.getContext());
    MDNode *root = md.createTBAARoot("relay TBAA");
    MDNode *scalar = md.createTBAAScalarTypeNode(names[i], root);
    tbaaTags[i] = md.createTBAAStructTagNode(scalar, scalar, 0);
  }
  return tbaaTags[i];
}

CallInst *ModuleGen::call(StringRef name, llvm::Type *result,
                          ArrayRef<Value *> args, Callee kind) {
  CallInst *inst = core::callRuntime(b, name, result, args);
  Function *fn = inst->getCalledFunction();
  if (fn && !fn->hasFnAttribute(Attribute::NoUnwind)) {
    fn->addFnAttr(Attribute::NoUnwind);
    if (kind == Callee::Pure || kind == Callee::Libm) {
      fn->setDoesNotAccessMemory();
      fn->setWillReturn();
    }
    if (kind == Callee::NoReturn) {
      fn->setDoesNotReturn();
      fn->addFnAttr(Attribute::Cold);
    }
  }
  if (kind == Callee::Libm)
    inst->addFnAttr(Attribute::NoBuiltin);
  return inst;
}

void ModuleGen::markArrays(Function &f) {
  const DataLayout &layout = module.getDataLayout();
  AttrBuilder array(f.getContext());
  array.addDereferenceableAttr(layout.getTypeAllocSize(arrayType()))
      .addAlignmentAttr(layout.getABITypeAlign(arrayType()))
      .addAttribute(Attribute::NonNull)
      .addAttribute(Attribute::NoUndef);
  for (unsigned i = 0; i < f.arg_size(); ++i)
    if (f.getArg(i)->getType()->isPointerTy())
      f.addParamAttrs(i, array);
  if (f.getReturnType()->isPointerTy())
    f.addRetAttrs(array);
}

GlobalVariable *ModuleGen::runtimeGlobal(StringRef name) {
  return runtimeGlobal(name, b.getInt32Ty());
}

GlobalVariable *ModuleGen::runtimeGlobal(StringRef name, llvm::Type *type) {
  Constant *g = module.getOrInsertGlobal(name, type);
  return llvm::cast<GlobalVariable>(g);
}

bool ModuleGen::takesBudget(const FuncDecl &f) const {
  return options.guards && &f != program.main;
}

Value *ModuleGen::budgetFromRuntime(int calls) {
  MDNode *tag = tbaa(Access::Depth);
  LoadInst *max = b.CreateLoad(b.getInt32Ty(),
                               runtimeGlobal("kiln_rt_max_depth"), "max.depth");
  LoadInst *depth =
      b.CreateLoad(b.getInt32Ty(), runtimeGlobal("kiln_rt_depth"), "depth");
  max->setMetadata(LLVMContext::MD_tbaa, tag);
  depth->setMetadata(LLVMContext::MD_tbaa, tag);
  return b.CreateSub(b.CreateSub(max, depth), b.getInt32(calls), "budget");
}

Value *ModuleGen::fail(Loc where, const std::string &message, llvm::Type *t) {
  if (!firstError)
    firstError = Failure{where, message};
  if (!t || t->isVoidTy())
    return nullptr;
  return PoisonValue::get(t);
}

Error ModuleGen::takeError() {
  if (!firstError)
    return Error::success();
  Diagnostic diag{firstError->loc,
                  "cannot generate IR: " + firstError->message};
  diag.file = program.file;
  firstError.reset();
  return core::makeError(std::move(diag));
}

} // namespace kiln::relay::irgen
