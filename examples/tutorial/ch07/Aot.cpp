// Aot: IR generation, optimisation, emission and linking, in that order.
#include "Aot.h"
#include "IRGen.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Link.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Target/TargetMachine.h"

namespace ember {

// [tutorial:compile-ahead]
kiln::Expected<std::string> compileAhead(const Program &program,
                                         const kiln::core::TargetSpec &target,
                                         kiln::OptLevel level,
                                         kiln::core::EmitKind kind) {
  llvm::LLVMContext context;
  llvm::Module module("ember", context);
  if (llvm::Error err = generateIR(program, module))
    return kiln::core::toDiagnostics(std::move(err));
  if (llvm::Function *main = module.getFunction("main"))
    main->setName("ember_main"); // host.c's C main() calls it
  auto tm = kiln::core::createTargetMachine(target, level);
  if (!tm)
    return kiln::core::toDiagnostics(tm.takeError());
  kiln::core::PipelineOptions options;
  options.level = level;
  if (llvm::Error err = kiln::core::optimizeModule(module, **tm, options))
    return kiln::core::toDiagnostics(std::move(err));
  return kiln::core::toExpected(kiln::core::emitToString(module, **tm, kind));
}
// [/tutorial]

// [tutorial:build-executable]
kiln::Status buildExecutable(const Program &program, const std::string &hostC,
                             const std::string &output) {
  auto object = compileAhead(program, kiln::core::hostTarget(),
                             kiln::OptLevel::O2, kiln::core::EmitKind::Object);
  if (!object)
    return object.takeDiagnostics();
  llvm::SmallString<128> objectPath;
  if (llvm::sys::fs::createTemporaryFile("ember", "o", objectPath))
    return kiln::errorDiagnostic("cannot create a temporary object file");
  llvm::Error err =
      kiln::core::writeOutputFile(objectPath.str().str(), *object);
  if (!err) // the system compiler compiles host.c and links everything
    err = kiln::core::linkObjects({objectPath.str().str(), hostC}, output);
  llvm::sys::fs::remove(objectPath);
  if (err)
    return kiln::core::toDiagnostics(std::move(err));
  return {};
}
// [/tutorial]

namespace {

/// `line` without its comment: '//' (AArch64) or '#' (x86, RISC-V) at the
/// start or after a blank; "#0.0" is an AArch64 immediate, not a comment.
std::string withoutComment(std::string line) {
  for (size_t i = 0; i < line.size(); ++i) {
    bool blankBefore = i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t';
    bool slashes = line.compare(i, 2, "//") == 0;
    bool hash = line[i] == '#' && (i + 1 == line.size() || line[i + 1] == ' ');
    if (blankBefore && (slashes || hash)) {
      line.resize(i);
      break;
    }
  }
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
    line.pop_back();
  return line;
}

} // namespace

std::string functionAssembly(const std::string &assembly,
                             const std::string &name) {
  size_t at = assembly.find("\n" + name + ":\n");
  if (at == std::string::npos)
    return "";
  std::string out;
  for (at = assembly.find('\n', at + 1); at + 1 < assembly.size();) {
    size_t next = assembly.find('\n', at + 1);
    std::string line = withoutComment(assembly.substr(at + 1, next - at - 1));
    at = next;
    if (line.starts_with(".Lfunc_end") || next == std::string::npos)
      break;
    if (!line.empty() && !line.starts_with("\t."))
      out += line + "\n";
  }
  return out;
}

} // namespace ember
