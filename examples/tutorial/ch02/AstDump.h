// AstDump: the AST as an indented tree, one node per line with its location.
//
// The parser's output made visible: the shape of `1 + 2 * 3`, which
// statement a location belongs to. Chapter 2's driver prints it.
#pragma once

#include "Ast.h"

#include <string>

namespace ember {

/// One line per node, children indented by two spaces.
std::string dumpProgram(const Program &program);

} // namespace ember
