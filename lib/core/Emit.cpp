// Emit: codegen (with TargetLibraryInfo), bitcode and textual IR output.
#include "kiln/core/Emit.h"
#include "kiln/core/Diagnostic.h"

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
                                         llvm::TargetMachine &tm,
                                         EmitKind kind,
                                         VectorLibrary vectorLibrary) {
  module.setTargetTriple(tm.getTargetTriple().str());
  module.setDataLayout(tm.createDataLayout());
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  switch (kind) {
  case EmitKind::IR:
    module.print(os, nullptr);
    break;
  case EmitKind::Bitcode:
    llvm::WriteBitcodeToFile(module, os);
    break;
  case EmitKind::Object:
  case EmitKind::Assembly: {
    llvm::legacy::PassManager pm;
    llvm::TargetLibraryInfoImpl tlii(tm.getTargetTriple());
    addVectorLibrary(tlii, tm.getTargetTriple(), vectorLibrary);
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
  return writeFileAtomically(path, *data);
}

llvm::Error writeFileAtomically(const std::string &path, llvm::StringRef data,
                                bool executable) {
  llvm::SmallString<256> temp;
  int fd = -1;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temp))
    return makeError("cannot write '" + path + "': " + ec.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << data;
    os.close();
    if (os.has_error()) {
      std::string message = os.error().message();
      os.clear_error();
      llvm::sys::fs::remove(temp);
      return makeError("cannot write '" + path + "': " + message);
    }
  }
  if (executable)
    llvm::sys::fs::setPermissions(temp, llvm::sys::fs::all_read |
                                            llvm::sys::fs::all_exe |
                                            llvm::sys::fs::owner_write);
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return makeError("cannot write '" + path + "': " + ec.message());
  }
  return llvm::Error::success();
}

} // namespace kiln::core
