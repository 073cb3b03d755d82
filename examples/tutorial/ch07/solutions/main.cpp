// Chapter 7 solutions: a shared library loaded with dlopen, and RISC-V
// code that uses the hardware floating-point unit.
//
// Usage: ember-ch07-solutions shared FILE | fpu FILE FUNCTION.
//   shared: exercise 1, FILE as a shared library; dlopen it, call power;
//   fpu:    exercise 2, FUNCTION for RISC-V with the D extension.
#include "Aot.h"
#include "Source.h"

#include "kiln/core/Diagnostic.h"
#include "kiln/core/Link.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"

#include <cstdio>
#include <dlfcn.h>
#include <string>

namespace {

/// Writes `program` as a shared library in `dir`; its path.
kiln::Expected<std::string> buildShared(const ember::Program &program,
                                        const std::string &dir) {
  auto object =
      ember::compileAhead(program, kiln::core::hostTarget(), kiln::OptLevel::O2,
                          kiln::core::EmitKind::Object);
  if (!object)
    return object.takeDiagnostics();
  std::string objectPath = dir + "/ember.o", library = dir + "/libember.so";
  kiln::core::LinkOptions options;
  options.shared = true;
  llvm::Error err = kiln::core::writeOutputFile(objectPath, *object);
  if (!err)
    err = kiln::core::linkObjects({objectPath}, library, options);
  if (err)
    return kiln::core::toDiagnostics(std::move(err));
  return library;
}

// [tutorial:ex-shared]
int callFromLibrary(const ember::Program &program) {
  llvm::SmallString<128> dir;
  if (llvm::sys::fs::createUniqueDirectory("ember", dir))
    return 1;
  auto library = buildShared(program, dir.str().str());
  void *handle = library ? dlopen(library->c_str(), RTLD_NOW) : nullptr;
  void *power = handle ? dlsym(handle, "power") : nullptr;
  if (power)
    std::printf("power(3, 4) = %g, from a shared library\n",
                reinterpret_cast<double (*)(double, double)>(power)(3, 4));
  else if (!library)
    ember::printDiagnostics(library.diagnostics());
  if (handle)
    dlclose(handle);
  llvm::sys::fs::remove_directories(dir);
  return power ? 0 : 1;
}
// [/tutorial]

// [tutorial:ex-fpu]
int printWithFpu(const ember::Program &program, const std::string &name) {
  // "generic-rv64" has no floating-point unit: every fadd is a call to a
  // soft-float routine. The D extension adds double-precision instructions.
  auto target = kiln::core::targetFromTriple("riscv64-linux-gnu",
                                             "generic-rv64", "+f,+d");
  auto assembly =
      target ? ember::compileAhead(program, *target, kiln::OptLevel::O2,
                                   kiln::core::EmitKind::Assembly)
             : kiln::core::toDiagnostics(target.takeError());
  if (!assembly) {
    ember::printDiagnostics(assembly.diagnostics());
    return 1;
  }
  std::printf("%s", ember::functionAssembly(*assembly, name).c_str());
  return 0;
}
// [/tutorial]

} // namespace

int main(int argc, char **argv) {
  std::string mode = argc >= 3 ? argv[1] : "";
  if (!(mode == "shared" && argc == 3) && !(mode == "fpu" && argc == 4)) {
    std::fprintf(stderr, "usage: %s shared FILE | fpu FILE FUNCTION\n",
                 argv[0]);
    return 2;
  }
  kiln::Expected<ember::Program> program = ember::loadProgram(argv[2]);
  if (!program) {
    ember::printDiagnostics(program.diagnostics());
    return 1;
  }
  if (mode == "shared")
    return callFromLibrary(*program);
  return printWithFpu(*program, argv[3]);
}
