// IRFile: .ll/.bc parsing with Kiln diagnostics.
#include "kiln/core/IRFile.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/core/Isolate.h"
#include "kiln/support/Files.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IRReader/IRReader.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace kiln::core {

/// LLVM 19's bitcode reader is not hardened against damaged input: fuzzing
/// found bitcode that makes it segfault (a use-list block, in
/// BitcodeReader::parseUseLists; llvm-dis-19 crashes on it alike). So
/// bitcode is first parsed in a forked child (copy-on-write, about a
/// millisecond), and only bitcode the reader survives is parsed here. The
/// child's stderr is closed so a sanitizer report stays in the child; any
/// end but a clean exit 0 counts as a crash.
static llvm::Error probeBitcode(llvm::MemoryBufferRef buffer,
                                const std::string &name) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0)
    return llvm::Error::success(); // no child to be had: parse as before
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0)
      ::dup2(null, STDERR_FILENO);
    ::alarm(60); // a reader that loops forever ends too
    llvm::LLVMContext context;
    llvm::SMDiagnostic diag;
    (void)llvm::parseIR(buffer, diag, context);
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return llvm::Error::success();
  std::string how = WIFSIGNALED(status)
                        ? "signal " + std::to_string(WTERMSIG(status)) + " (" +
                              signalName(WTERMSIG(status)) + ")"
                        : "status " + std::to_string(WEXITSTATUS(status));
  return makeError("cannot read '" + name +
                   "': malformed bitcode (LLVM's bitcode reader crashed on "
                   "it in a probe process: " +
                   how + ")");
}

/// Levels of (), [], {} and <> that IR text may nest. LLVM's parser recurses
/// once per level (over 1 KiB of stack each): about 7,000 nested constant
/// expressions overflow an 8 MiB stack. Real IR nests a few levels.
constexpr unsigned kMaxIRNesting = 1000;

/// Where IR text first nests brackets deeper than kMaxIRNesting (strings
/// and comments skipped), as an error; success when it never does.
static llvm::Error checkNesting(llvm::StringRef text, const std::string &name) {
  unsigned depth = 0, line = 1;
  size_t lineStart = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line, lineStart = i + 1;
    } else if (c == '"') { // strings have no escaped quote (\22 instead)
      size_t end = text.find('"', i + 1);
      i = end == llvm::StringRef::npos ? text.size() : end;
    } else if (c == ';') {
      size_t end = text.find('\n', i);
      i = (end == llvm::StringRef::npos ? text.size() : end) - 1;
    } else if (c == '(' || c == '[' || c == '{' || c == '<') {
      if (++depth <= kMaxIRNesting)
        continue;
      Diagnostic d;
      d.kind = ErrorKind::Parse;
      d.file = name;
      d.loc = {line, uint32_t(i - lineStart + 1)};
      d.message =
          "nesting too deep: more than " + std::to_string(kMaxIRNesting) +
          " levels of brackets (LLVM's parser would overflow its stack)";
      return makeError(std::move(d));
    } else if ((c == ')' || c == ']' || c == '}' || c == '>') && depth > 0) {
      --depth;
    }
  }
  return llvm::Error::success();
}

static llvm::Expected<std::unique_ptr<llvm::Module>>
parseBuffer(llvm::MemoryBufferRef buffer, const std::string &name,
            llvm::LLVMContext &context) {
  auto *start =
      reinterpret_cast<const unsigned char *>(buffer.getBufferStart());
  if (!llvm::isBitcode(start, start + buffer.getBufferSize()))
    if (auto err = checkNesting(buffer.getBuffer(), name))
      return std::move(err);
  llvm::SMDiagnostic diag;
  auto module = llvm::parseIR(buffer, diag, context);
  if (module)
    return std::move(module);
  Diagnostic d;
  d.kind = ErrorKind::Parse;
  d.file = name;
  d.loc = {diag.getLineNo() > 0 ? uint32_t(diag.getLineNo()) : 0,
           diag.getColumnNo() >= 0 ? uint32_t(diag.getColumnNo()) + 1 : 0};
  d.message = diag.getMessage().str();
  if (d.message.empty())
    d.message = "cannot parse IR";
  d.sourceLine = diag.getLineContents().str();
  return makeError(std::move(d));
}

llvm::Expected<std::unique_ptr<llvm::Module>>
loadIRFile(const std::string &path, llvm::LLVMContext &context) {
  // Read with Kiln's input rules: a directory, a FIFO without a writer or an
  // endless device such as /dev/zero is one clear error, not a hang or an
  // out-of-memory abort.
  std::string text;
  if (auto error = support::readInputFile(path, text))
    return makeError(*error);
  llvm::MemoryBufferRef buffer(text, path);
  // Files are untrusted: bitcode goes through the probe. In-memory bitcode
  // (parseIR: Faust's, made by faust moments ago) does not pay for a fork.
  auto *start = reinterpret_cast<const unsigned char *>(text.data());
  if (llvm::isBitcode(start, start + text.size()))
    if (auto err = probeBitcode(buffer, path))
      return std::move(err);
  return parseBuffer(buffer, path, context);
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
