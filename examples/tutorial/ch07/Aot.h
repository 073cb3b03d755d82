// Aot: Ember programs compiled ahead of time — object files, assembly for
// any target Kiln was built with, and executables.
//
// The same IR as the JIT's goes through the same optimiser; only the last
// step differs: instead of ORC loading machine code into this process,
// kiln::core::emitToFile writes it to a file and kiln::core::linkObjects
// makes an executable that needs neither LLVM nor Kiln to run.
#pragma once

#include "Ast.h"

#include "kiln/core/Emit.h"
#include "kiln/core/Target.h"
#include "kiln/support/Expected.h"

#include <string>

namespace ember {

/// Compiles `program` for `target` at `level` and returns `kind`'s bytes
/// (an object file, assembly text, ...). Ember's `main` is renamed
/// `ember_main`, so that the C `main` in host.c can call it.
kiln::Expected<std::string> compileAhead(const Program &program,
                                         const kiln::core::TargetSpec &target,
                                         kiln::OptLevel level,
                                         kiln::core::EmitKind kind);

/// Builds an executable `output` for this machine from `program` and the
/// host functions in `hostC` (a C file the system compiler compiles).
kiln::Status buildExecutable(const Program &program, const std::string &hostC,
                             const std::string &output);

/// The instructions of function `name` in `assembly`, one per line, without
/// directives and comments.
std::string functionAssembly(const std::string &assembly,
                             const std::string &name);

} // namespace ember
