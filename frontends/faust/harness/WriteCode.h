// WriteCode: the kinds of code `kiln faust compile` writes from a factory,
// by name ("obj", "ll", "bc", "machine"), and their file extensions.
#pragma once

#include "kiln/faust/Factory.h"
#include "kiln/support/Expected.h"

#include <string>

namespace kiln::faust::host {

/// ".o", ".ll", ".bc" or ".kfm" for an emit kind; nullptr for an unknown one.
const char *emitExtension(const std::string &kind);

/// The file `compile` writes by default: the .dsp's base name, in the
/// working directory, with `ext` for its extension ("dir/osc.dsp" -> "osc.o").
std::string codeFileFor(const std::string &dspPath, const char *ext);

/// Writes `factory`'s code of `kind` (one emitExtension knows) to `path`,
/// for the factory's own target.
kiln::Status writeCode(Factory &factory, const std::string &kind,
                       const std::string &path);

} // namespace kiln::faust::host
