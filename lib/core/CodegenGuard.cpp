// CodegenGuard: foreign intrinsics, crashing debug information and globals
// too large to exist refused; code generation errors collected.
#include "kiln/core/CodegenGuard.h"
#include "kiln/core/Diagnostic.h"

#include "llvm/IR/DataLayout.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

#include <optional>

namespace kiln::core {

namespace {

/// A function that calls `intrinsic`, for the message; null when none does.
const llvm::Function *callerOf(const llvm::Function &intrinsic) {
  for (const llvm::User *user : intrinsic.users())
    if (auto *call = llvm::dyn_cast<llvm::CallBase>(user))
      return call->getFunction();
  return nullptr;
}

/// An error for debug information that passes the verifier but crashes the
/// DWARF writer: a subprogram definition without a type (llc-19 crashes on
/// it in DwarfCompileUnit::constructSubprogramScopeDIE).
llvm::Error checkDebugInfo(const llvm::Module &module) {
  llvm::DebugInfoFinder finder;
  finder.processModule(module);
  for (const llvm::DISubprogram *sp : finder.subprograms()) {
    if (!sp->isDefinition() || sp->getType())
      continue;
    Diagnostic d = errorDiagnostic(
        "debug information: the subprogram '" + sp->getName().str() +
            "' has no type (a DISubprogram definition needs 'type:')",
        module.getModuleIdentifier());
    d.kind = ErrorKind::InvalidArgument;
    return makeError(std::move(d));
  }
  return llvm::Error::success();
}

/// Bytes beyond which no global is accepted: more than a 64-bit address
/// space maps (x86-64 with 5-level paging: 2^57), and far below 2^63, where
/// LLVM's signed offsets and its DataLayout sizes wrap.
constexpr uint64_t kMaxGlobalBytes = uint64_t(1) << 57;

/// The bytes a value of `type` occupies, computed without wrapping; nullopt
/// past kMaxGlobalBytes (DataLayout's own arithmetic wraps silently: a
/// [2^62 x i64] global became 0 bytes and the JIT code wrote past it).
std::optional<uint64_t> allocSize(const llvm::DataLayout &layout,
                                  llvm::Type *type) {
  uint64_t count = 1, size = 0;
  while (auto *array = llvm::dyn_cast<llvm::ArrayType>(type)) {
    if (__builtin_mul_overflow(count, array->getNumElements(), &count))
      return std::nullopt;
    type = array->getElementType();
  }
  if (auto *st = llvm::dyn_cast<llvm::StructType>(type); st && !st->isOpaque()) {
    for (llvm::Type *field : st->elements()) {
      std::optional<uint64_t> bytes = allocSize(layout, field);
      uint64_t align = layout.getABITypeAlign(field).value();
      if (!bytes || __builtin_add_overflow(size, align - 1, &size) ||
          __builtin_add_overflow(size / align * align, *bytes, &size))
        return std::nullopt;
    }
  } else if (type->isSized() && !llvm::isa<llvm::ScalableVectorType>(type)) {
    size = layout.getTypeAllocSize(type).getFixedValue();
  }
  if (count && size > kMaxGlobalBytes / count)
    return std::nullopt;
  return count * size;
}

/// An error for a global too large to exist (see allocSize).
llvm::Error checkGlobalSizes(const llvm::Module &module) {
  for (const llvm::GlobalVariable &g : module.globals()) {
    if (allocSize(module.getDataLayout(), g.getValueType()))
      continue;
    Diagnostic d = errorDiagnostic(
        "the global '" + g.getName().str() +
            "' is larger than any address space (its type needs more than "
            "2^57 bytes)",
        module.getModuleIdentifier());
    d.kind = ErrorKind::InvalidArgument;
    return makeError(std::move(d));
  }
  return llvm::Error::success();
}

} // namespace

llvm::Error checkModuleForTarget(const llvm::Module &module,
                                 const std::string &triple) {
  if (llvm::Error err = checkDebugInfo(module))
    return err;
  if (llvm::Error err = checkGlobalSizes(module))
    return err;
  llvm::Triple target(triple);
  std::string own =
      "llvm." + llvm::Triple::getArchTypePrefix(target.getArch()).str() + ".";
  for (const llvm::Function &f : module) {
    if (!f.isTargetIntrinsic() || f.getName().starts_with(own))
      continue;
    const llvm::Function *caller = callerOf(f);
    std::string who =
        caller ? "'" + caller->getName().str() + "' calls" : "the IR declares";
    Diagnostic d = errorDiagnostic(
        who + " '" + f.getName().str() +
            "', an intrinsic of another architecture than the target's (" +
            target.getArchName().str() + ")",
        module.getModuleIdentifier());
    d.kind = ErrorKind::InvalidArgument;
    return makeError(std::move(d));
  }
  return llvm::Error::success();
}

void CodegenErrors::add(Diagnostic diag) {
  std::lock_guard<std::mutex> lock(Mutex);
  for (const Diagnostic &d : Errors)
    if (d.file == diag.file && d.message == diag.message)
      return; // LLVM may report one error twice (an isolated JIT's clone)
  Errors.push_back(std::move(diag));
}

bool CodegenErrors::pending() const {
  std::lock_guard<std::mutex> lock(Mutex);
  return !Errors.empty();
}

Diagnostics CodegenErrors::take() {
  std::lock_guard<std::mutex> lock(Mutex);
  return std::exchange(Errors, {});
}

llvm::Error CodegenErrors::takeError() { return toError(take()); }

namespace {

/// One line for an error in inline assembly: LLVM's `<inline asm>:L:C:`
/// position and message, then the assembly line it is about.
std::string inlineAsmMessage(const llvm::SMDiagnostic &diag) {
  std::string text = "<inline asm>:" + std::to_string(diag.getLineNo()) + ":" +
                     std::to_string(diag.getColumnNo() + 1) + ": " +
                     diag.getMessage().str();
  llvm::StringRef line = llvm::StringRef(diag.getLineContents()).trim();
  if (!line.empty())
    text += ", in '" + line.str() + "'";
  return text;
}

/// Any other diagnostic as LLVM prints it, up to its first line break.
std::string printed(const llvm::DiagnosticInfo &info) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::DiagnosticPrinterRawOStream printer(os);
  info.print(printer);
  return llvm::StringRef(os.str()).split('\n').first.trim().str();
}

/// Marks contexts whose handler is a Collector (LLVM is built without RTTI,
/// so the callback pointer tells the handler's type); never called, since
/// Collector overrides handleDiagnostics.
void collectorTag(const llvm::DiagnosticInfo *, void *) {}

class Collector : public llvm::DiagnosticHandler {
public:
  explicit Collector(std::shared_ptr<CodegenErrors> errors)
      : DiagnosticHandler(errors.get()), Errors(std::move(errors)) {
    DiagHandlerCallback = &collectorTag;
  }

  bool handleDiagnostics(const llvm::DiagnosticInfo &info) override {
    if (info.getSeverity() != llvm::DS_Error)
      return true; // handled: dropped
    Diagnostic d;
    if (auto *srcMgr = llvm::dyn_cast<llvm::DiagnosticInfoSrcMgr>(&info)) {
      d.message = inlineAsmMessage(srcMgr->getSMDiag());
      d.file = srcMgr->getModuleName().str();
    } else {
      d.message = printed(info);
    }
    d.kind = ErrorKind::InvalidArgument;
    Errors->add(std::move(d));
    return true;
  }

private:
  std::shared_ptr<CodegenErrors> Errors;
};

} // namespace

void collectCodegenErrors(llvm::LLVMContext &context,
                          std::shared_ptr<CodegenErrors> errors) {
  context.setDiagnosticHandler(std::make_unique<Collector>(std::move(errors)));
}

ScopedCodegenErrors::ScopedCodegenErrors(llvm::LLVMContext &context)
    : Context(context) {
  if (context.getDiagnosticHandlerCallBack() == &collectorTag)
    return;
  Own = std::make_shared<CodegenErrors>();
  Previous = context.getDiagnosticHandler();
  collectCodegenErrors(context, Own);
}

ScopedCodegenErrors::~ScopedCodegenErrors() {
  if (Own)
    Context.setDiagnosticHandler(std::move(Previous));
}

llvm::Error ScopedCodegenErrors::takeError(const std::string &moduleName) {
  if (Own) {
    Diagnostics errors = Own->take();
    for (Diagnostic &d : errors)
      if (d.file.empty())
        d.file = moduleName;
    return toError(std::move(errors));
  }
  auto *owner = static_cast<CodegenErrors *>(Context.getDiagnosticContext());
  if (!owner->pending())
    return llvm::Error::success();
  return makeError("code generation of '" + moduleName + "' reported errors");
}

} // namespace kiln::core
