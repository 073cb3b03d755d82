// Unparse: exercise 1 of chapter 2, the AST printed back as Ember source.
//
// A pretty-printer is the parser's best test: parsing its output must give
// the same tree, so unparse(parse(unparse(parse(s)))) == unparse(parse(s)).
#pragma once

#include "Ast.h"

#include <string>

namespace ember {

/// `program` as Ember source, fully parenthesised, two-space indented.
std::string unparse(const Program &program);

} // namespace ember
