// Ast: the spelling of each binary operator, from Operators.def.
#include "Ast.h"

namespace ember {

const char *binOpSpelling(BinOp op) {
  switch (op) {
// clang-format off
#define EMBER_BINOP(kind, spelling, precedence) case BinOp::kind: return spelling;
#include "Operators.def"
    // clang-format on
  }
  return "?";
}

} // namespace ember
