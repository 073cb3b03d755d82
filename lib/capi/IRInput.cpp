// IRInput.cpp: parsing, probing and verifying IR for the C API; trampolines.
#include "IRInput.h"

#include "kiln/core/CodegenGuard.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/IRFile.h"
#include "kiln/core/IRHelpers.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace kiln::capi {
namespace {

/// Bitcode from a C caller is untrusted: it goes through a temporary file
/// and core::loadIRFile, whose probe process takes a reader crash.
llvm::Expected<std::unique_ptr<llvm::Module>>
parseBitcode(const std::string &name, llvm::StringRef bytes,
             llvm::LLVMContext &context) {
  llvm::SmallString<128> path;
  int fd = -1;
  if (auto ec = llvm::sys::fs::createTemporaryFile("kiln-capi", "bc", fd, path))
    return core::makeError("cannot create a temporary file: " + ec.message());
  llvm::FileRemover remove(path);
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << bytes;
    if (os.has_error())
      return core::makeError("cannot write a temporary file: " +
                             os.error().message());
  }
  auto module = core::loadIRFile(std::string(path), context);
  if (module)
    (*module)->setModuleIdentifier(name);
  return module;
}

/// The diagnostics of a parse failure, with `name` as their file.
kiln_error *parseError(llvm::Error err, const std::string &name) {
  Diagnostics diags = core::toDiagnostics(std::move(err));
  for (Diagnostic &d : diags)
    if (d.file.empty() || d.file.find("kiln-capi") != std::string::npos)
      d.file = name;
  return fromDiagnostics(std::move(diags), KILN_ERROR_PARSE);
}

} // namespace

kiln_error *fromLLVMError(llvm::Error err, kiln_error_code code) {
  Diagnostics diags = core::toDiagnostics(std::move(err));
  bool plain = diags.empty() || diags.front().kind == ErrorKind::Other;
  return fromDiagnostics(std::move(diags), plain ? code : kiln_error_code(0));
}

kiln_error *parseModule(const std::string &name, const char *data, size_t size,
                        const std::string &triple, llvm::LLVMContext &context,
                        std::unique_ptr<llvm::Module> &out) {
  llvm::StringRef bytes(data, size);
  auto *start = reinterpret_cast<const unsigned char *>(data);
  bool bitcode = llvm::isBitcode(start, start + size);
  auto module = bitcode ? parseBitcode(name, bytes, context)
                        : core::parseIR(bytes, name, context);
  if (!module)
    return parseError(module.takeError(), name);
  if (auto err = core::verifyModule(**module))
    return fromDiagnostics(core::toDiagnostics(std::move(err)),
                           KILN_ERROR_INVALID_ARGUMENT);
  if (auto err = core::checkModuleForTarget(**module, triple))
    return fromDiagnostics(core::toDiagnostics(std::move(err)),
                           KILN_ERROR_INVALID_ARGUMENT);
  out = std::move(*module);
  return nullptr;
}

void routeDiagnostics(llvm::LLVMContext &context,
                      std::shared_ptr<DiagnosticSink> sink) {
  core::collectCodegenErrors(context, std::move(sink));
}

namespace {

/// A type a C function takes or returns in registers as the C ABI says:
/// labels, metadata, tokens, opaque or aggregate types would reach code
/// generation that is not defined for them.
bool isScalar(llvm::Type *type) {
  if (auto *vector = llvm::dyn_cast<llvm::VectorType>(type))
    type = vector->getElementType();
  return type->isIntegerTy() || type->isFloatingPointTy() ||
         type->isPointerTy();
}

bool scalarsOnly(const llvm::FunctionType &fn) {
  llvm::Type *result = fn.getReturnType();
  if (!result->isVoidTy() && !isScalar(result))
    return false;
  for (llvm::Type *param : fn.params())
    if (!isScalar(param))
      return false;
  return true;
}

/// `signature` as a function type, or why not.
kiln_error *parseSignature(const std::string &signature, llvm::Module &module,
                           llvm::FunctionType *&out) {
  llvm::SMDiagnostic diag;
  llvm::Type *type = llvm::parseType(signature, diag, module);
  auto *fn = llvm::dyn_cast_or_null<llvm::FunctionType>(type);
  std::string why = !type            ? diag.getMessage().str()
                    : !fn            ? "not a function type"
                    : fn->isVarArg() ? "variadic functions are not supported"
                    : !scalarsOnly(*fn)
                        ? "only integers, floating point, pointers and "
                          "vectors of them can be passed and returned"
                        : "";
  if (!why.empty())
    return makeError(KILN_ERROR_INVALID_ARGUMENT,
                     "kiln_engine_define_function: signature '" + signature +
                         "': " + why +
                         " (write an LLVM function type such as \"double "
                         "(double, i64)\")");
  out = fn;
  return nullptr;
}

llvm::Constant *pointerTo(llvm::IRBuilder<> &b, void *address) {
  return llvm::ConstantExpr::getIntToPtr(
      b.getInt64(reinterpret_cast<uintptr_t>(address)), b.getPtrTy());
}

} // namespace

kiln_error *buildTrampoline(const std::string &name,
                            const std::string &signature, void *function,
                            void *userData, llvm::LLVMContext &context,
                            std::unique_ptr<llvm::Module> &out) {
  auto module = std::make_unique<llvm::Module>("kiln-host-" + name, context);
  llvm::FunctionType *type = nullptr;
  if (kiln_error *error = parseSignature(signature, *module, type))
    return error;
  auto *trampoline = llvm::Function::Create(
      type, llvm::GlobalValue::ExternalLinkage, name, *module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", trampoline));
  std::vector<llvm::Type *> params{b.getPtrTy()};
  params.insert(params.end(), type->param_begin(), type->param_end());
  auto *hostType = llvm::FunctionType::get(type->getReturnType(), params,
                                           /*isVarArg=*/false);
  std::vector<llvm::Value *> args{pointerTo(b, userData)};
  for (llvm::Argument &arg : trampoline->args())
    args.push_back(&arg);
  llvm::CallInst *call = b.CreateCall(hostType, pointerTo(b, function), args);
  if (type->getReturnType()->isVoidTy())
    b.CreateRetVoid();
  else
    b.CreateRet(call);
  if (auto err = core::verifyModule(*module))
    return fromDiagnostics(core::toDiagnostics(std::move(err)),
                           KILN_ERROR_INVALID_ARGUMENT);
  out = std::move(module);
  return nullptr;
}

} // namespace kiln::capi
