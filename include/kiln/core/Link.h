// Link: object files to executables or shared libraries, ahead of time.
//
// Kiln drives the system C compiler (cc, gcc or clang) as the linker driver,
// so the C library, crt files and libm come from the system exactly as for a
// C program; the Kiln runtime archive is linked in so the result needs no
// LLVM at run time.
#pragma once

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace kiln::core {

struct LinkOptions {
  bool shared = false;        ///< a shared library instead of an executable
  std::string runtimeLibrary; ///< libkiln_rt.a; empty: defaultRuntimeLibrary()
  std::vector<std::string> extraArgs; ///< e.g. "-lfoo"
  std::string driver;                 ///< empty: findLinkerDriver()
};

/// $KILN_CC if set, else the first of cc, gcc, clang, clang-19 on PATH.
llvm::Expected<std::string> findLinkerDriver();

/// libkiln_rt.a next to the running program (<exe>/../lib), or the path the
/// build recorded, or empty when neither exists.
std::string defaultRuntimeLibrary();

/// Links `objects` into `output`. On failure the driver's own messages are in
/// the error and no output file is left behind.
llvm::Error linkObjects(const std::vector<std::string> &objects,
                        const std::string &output,
                        const LinkOptions &options = {});

} // namespace kiln::core
