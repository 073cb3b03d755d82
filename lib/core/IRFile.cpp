// IRFile: .ll/.bc parsing with Kiln diagnostics.
#include "kiln/core/IRFile.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/support/Files.h"

#include "llvm/IR/Module.h"
#include "llvm/IRReader/IRReader.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

namespace kiln::core {

static llvm::Expected<std::unique_ptr<llvm::Module>>
parseBuffer(llvm::MemoryBufferRef buffer, const std::string &name,
            llvm::LLVMContext &context) {
  llvm::SMDiagnostic diag;
  auto module = llvm::parseIR(buffer, diag, context);
  if (module)
    return std::move(module);
  SourceLocation loc{name, diag.getLineNo() > 0 ? unsigned(diag.getLineNo()) : 0,
                     diag.getColumnNo() >= 0 ? unsigned(diag.getColumnNo()) + 1
                                             : 0};
  std::string message = diag.getMessage().str();
  if (message.empty())
    message = "cannot parse IR";
  return makeError(loc, message, diag.getLineContents().str());
}

llvm::Expected<std::unique_ptr<llvm::Module>>
loadIRFile(const std::string &path, llvm::LLVMContext &context) {
  // Read with Kiln's input rules: a directory, a FIFO without a writer or an
  // endless device such as /dev/zero is one clear error, not a hang or an
  // out-of-memory abort.
  std::string text;
  if (auto error = support::readInputFile(path, text))
    return makeError(*error);
  return parseBuffer(llvm::MemoryBufferRef(text, path), path, context);
}

llvm::Expected<std::unique_ptr<llvm::Module>>
parseIR(llvm::StringRef text, const std::string &name,
        llvm::LLVMContext &context) {
  // LLVM's IR lexer stops at a NUL after the text, and a StringRef need not
  // be followed by one (a slice of a larger buffer): parse a terminated copy,
  // or an unterminated string constant is read past the end.
  auto copy = llvm::MemoryBuffer::getMemBufferCopy(text, name);
  return parseBuffer(copy->getMemBufferRef(), name, context);
}

} // namespace kiln::core
