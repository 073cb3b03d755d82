// Builtins: the rows of Builtins.def as a table indexed by Builtin.
#include "Builtins.h"

#include "AST.h"

#include <cassert>

namespace kiln::relay {

namespace {

struct Row {
  const char *name;
  int arity; ///< -1: any
  Type result;
  bool numeric;
  const char *doc;
};

/// Indexed by Builtin: row 0 is None, then Builtins.def's rows in order.
const Row Rows[] = {
    {"", 0, Type::Void, false, ""},
#define RELAY_BUILTIN(Id, Name, Arity, Result, Doc)                            \
  {Name, Arity, Type::Result, false, Doc},
#define RELAY_MATH(Id, Name, Arity, Doc) {Name, Arity, Type::Number, true, Doc},
#define RELAY_LIBM(Id, Name, Arity, Symbol, Doc)                               \
  {Name, Arity, Type::Number, true, Doc},
#include "relay/syntax/Builtins.def"
};
static_assert(sizeof(Rows) / sizeof(Rows[0]) == kBuiltinCount + 1,
              "one row per Builtin enumerator");

const Row &row(Builtin b) {
  assert(static_cast<unsigned>(b) <= unsigned(kBuiltinCount) && "a Builtin");
  return Rows[static_cast<int>(b)];
}

} // namespace

Builtin lookupBuiltin(std::string_view name) {
  for (int i = 1; i <= kBuiltinCount; ++i)
    if (name == Rows[i].name)
      return static_cast<Builtin>(i);
  return Builtin::None;
}

const char *builtinName(Builtin b) { return row(b).name; }
int builtinArity(Builtin b) { return row(b).arity; }
Type builtinResult(Builtin b) { return row(b).result; }
const char *builtinDoc(Builtin b) { return row(b).doc; }
bool isNumericBuiltin(Builtin b) { return row(b).numeric; }

} // namespace kiln::relay
