// Link: runs the system C compiler driver to produce executables and
// shared libraries.
#include "kiln/core/Link.h"
#include "kiln/core/Diagnostic.h"
#include "kiln/support/Files.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"

#ifndef KILN_RUNTIME_LIBRARY_PATH
#define KILN_RUNTIME_LIBRARY_PATH ""
#endif

namespace kiln::core {

llvm::Expected<std::string> findLinkerDriver() {
  if (auto cc = llvm::sys::Process::GetEnv("KILN_CC")) {
    // findProgramByName returns names with a '/' unchecked.
    auto path = llvm::sys::findProgramByName(*cc);
    if (path && llvm::sys::fs::can_execute(*path))
      return *path;
    return makeError("KILN_CC is set to '" + *cc +
                     "', which is not an executable program");
  }
  for (const char *name : {"cc", "gcc", "clang", "clang-19"})
    if (auto path = llvm::sys::findProgramByName(name))
      return *path;
  return makeError("no linker found: install a C compiler (cc, gcc or clang) "
                   "or set KILN_CC to one");
}

std::string defaultRuntimeLibrary() {
  // Any function's address identifies this executable.
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  if (!exe.empty()) {
    llvm::SmallString<256> path(llvm::sys::path::parent_path(exe));
    llvm::sys::path::append(path, "..", "lib", "libkiln_rt.a");
    if (llvm::sys::fs::exists(path))
      return std::string(path);
  }
  if (llvm::sys::fs::exists(KILN_RUNTIME_LIBRARY_PATH))
    return KILN_RUNTIME_LIBRARY_PATH;
  return {};
}

namespace {

/// Runs `args` (args[0] is the driver); the driver's stderr becomes part
/// of the error when it fails.
llvm::Error runDriver(const std::vector<std::string> &args,
                      const std::string &output) {
  llvm::SmallString<128> errFile;
  if (auto ec = llvm::sys::fs::createTemporaryFile("kiln-link", "err", errFile))
    return makeError("cannot create a temporary file: " + ec.message());
  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, std::nullopt,
                                                llvm::StringRef(errFile)};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(args[0], argRefs, std::nullopt, redirects,
                                     0, 0, &execError);
  std::string driverOutput;
  if (auto buf = llvm::MemoryBuffer::getFile(errFile))
    driverOutput = (*buf)->getBuffer().trim().str();
  llvm::sys::fs::remove(errFile);
  if (rc == 0)
    return llvm::Error::success();
  std::string message = "linking '" + output + "' with " + args[0] + " failed";
  if (!execError.empty())
    message += ": " + execError;
  if (!driverOutput.empty())
    message += ":\n" + driverOutput;
  return makeError(message);
}

} // namespace

llvm::Error linkObjects(const std::vector<std::string> &objects,
                        const std::string &output, const LinkOptions &options) {
  std::string driver = options.driver;
  if (driver.empty()) {
    auto found = findLinkerDriver();
    if (!found)
      return found.takeError();
    driver = *found;
  }
  std::string runtime = options.runtimeLibrary.empty() ? defaultRuntimeLibrary()
                                                       : options.runtimeLibrary;
  if (runtime.empty() || !llvm::sys::fs::exists(runtime))
    return makeError("the Kiln runtime library (libkiln_rt.a) was not found" +
                     (runtime.empty() ? std::string() : " at " + runtime));

  // Link to a temporary name first: a failed link leaves nothing at
  // `output`, and a device or pipe there is written through, not replaced.
  support::OutputTarget target;
  if (auto error = support::resolveOutput(output, target))
    return makeError(*error);
  std::string temp;
  if (auto error = support::temporaryFor(target, temp))
    return makeError(*error);
  std::vector<std::string> args = {driver};
  if (options.shared)
    args.push_back("-shared");
  args.insert(args.end(), objects.begin(), objects.end());
  args.push_back(runtime);
  args.insert(args.end(), options.extraArgs.begin(), options.extraArgs.end());
  args.insert(args.end(), {"-lm", "-o", temp});
  if (auto err = runDriver(args, output)) {
    llvm::sys::fs::remove(temp);
    return err;
  }
  if (auto error = support::commitOutput(target, temp))
    return makeError(*error);
  return llvm::Error::success();
}

} // namespace kiln::core
