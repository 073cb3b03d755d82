// Emit: codegen (with TargetLibraryInfo), bitcode and textual IR output.
#include "kiln/core/Emit.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/support/Files.h"

#include "LLVMHeaders.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace kiln::core {

std::optional<EmitKind> parseEmitKind(std::string_view text) {
  if (text == "obj")
    return EmitKind::Object;
  if (text == "asm")
    return EmitKind::Assembly;
  if (text == "bc")
    return EmitKind::Bitcode;
  if (text == "ll")
    return EmitKind::IR;
  return std::nullopt;
}

llvm::Expected<std::string> emitToString(llvm::Module &module,
                                         llvm::TargetMachine &tm, EmitKind kind,
                                         VectorLibrary vectorLibrary) {
  module.setTargetTriple(tm.getTargetTriple().str());
  module.setDataLayout(tm.createDataLayout());
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  switch (kind) {
  case EmitKind::IR: module.print(os, nullptr); break;
  case EmitKind::Bitcode: llvm::WriteBitcodeToFile(module, os); break;
  case EmitKind::Object:
  case EmitKind::Assembly: {
    llvm::legacy::PassManager pm;
    llvm::TargetLibraryInfoImpl tlii(tm.getTargetTriple());
    addVectorLibrary(tlii, tm, vectorLibrary);
    pm.add(new llvm::TargetLibraryInfoWrapperPass(tlii));
    auto type = kind == EmitKind::Object ? llvm::CodeGenFileType::ObjectFile
                                         : llvm::CodeGenFileType::AssemblyFile;
    if (tm.addPassesToEmitFile(pm, os, nullptr, type))
      return makeError("target '" + tm.getTargetTriple().str() +
                       "' cannot emit this file type");
    pm.run(module);
    break;
  }
  }
  return std::string(buffer.data(), buffer.size());
}

llvm::Error emitToFile(llvm::Module &module, llvm::TargetMachine &tm,
                       EmitKind kind, const std::string &path,
                       VectorLibrary vectorLibrary) {
  auto data = emitToString(module, tm, kind, vectorLibrary);
  if (!data)
    return data.takeError();
  return writeOutputFile(path, *data);
}

llvm::Error writeOutputFile(const std::string &path, llvm::StringRef data,
                            bool executable) {
  if (auto error = support::writeOutputFile(
          path, std::string_view(data.data(), data.size()), executable))
    return makeError(*error);
  return llvm::Error::success();
}

} // namespace kiln::core
