// Builtins: Relay's builtin functions, as Builtins.def lists them.
//
// Sema looks names up here and checks arity and result types; the
// interpreter and irgen switch on Builtin and expand Builtins.def for the
// cases they share, so a builtin is one row there plus its meaning in each
// executor (none for a libm function: see Builtins.def).
#pragma once

#include <cstdint>
#include <string_view>

namespace kiln::relay {

enum class Type : uint8_t; // AST.h

/// The builtins in Builtins.def's order; None marks a call of a user
/// function. `a.push(v)` is parsed as a call of Push with args {a, v}.
enum class Builtin {
  None,
#define RELAY_BUILTIN(Id, Name, Arity, Result, Doc) Id,
#include "relay/syntax/Builtins.def"
};

/// How many builtins Builtins.def lists (Builtin::None not counted); they
/// are the enumerators 1..kBuiltinCount.
inline constexpr int kBuiltinCount = 0
#define RELAY_BUILTIN(Id, Name, Arity, Result, Doc) +1
#include "relay/syntax/Builtins.def"
    ;

/// The builtin called `name` in Relay source, or None.
Builtin lookupBuiltin(std::string_view name);
/// The name in Relay source ("" for None).
const char *builtinName(Builtin b);
/// The number of arguments, -1 for any (print).
int builtinArity(Builtin b);
/// The type of a call's value (Void for print and push).
Type builtinResult(Builtin b);
/// The one-line meaning that docs/relay.md's builtin table shows.
const char *builtinDoc(Builtin b);
/// True for a pure function of numbers to a number (a RELAY_MATH or
/// RELAY_LIBM row): no effects, no memory, so it may be hoisted or
/// evaluated speculatively.
bool isNumericBuiltin(Builtin b);

} // namespace kiln::relay
