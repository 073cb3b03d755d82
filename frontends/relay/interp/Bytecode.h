// Bytecode: the interpreter's register code for one Relay function.
//
// The interpreter used to walk the AST; every call then paid for a dozen
// C++ calls, switches and pointer chases through heap nodes. Each function
// is now lowered once (Compiler.h) to a flat array of instructions over the
// call's frame, which Vm.cpp runs with one indirect jump per instruction.
// Frame slots 0..nslots-1 are the variables exactly as Sema numbered them
// (what on-stack replacement reads), then temporaries, then one OsrLoop per
// level of loop nesting.
#pragma once

#include "Interpreter.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace kiln::relay::interp {

// Families: RR = two registers, RK = register and constant, KR = constant
// and register. Arith writes a number, Cmp a bool, Jn jumps when the
// comparison is false (NaN-exact: `!(a < b)`, not `a >= b`).
#define KILN_RELAY_ARITH(X) X(Add) X(Sub) X(Mul) X(Div) X(Mod)
#define KILN_RELAY_CMP(X) X(Lt) X(Le) X(Gt) X(Ge) X(Eq) X(Ne)
#define KILN_RELAY_RRK(X, Name) X(Name##RR) X(Name##RK)
#define KILN_RELAY_ARITH_OPS(Name) KILN_RELAY_RRK(X, Name) X(Name##KR)
#define KILN_RELAY_CMP_OPS(Name)                                               \
  KILN_RELAY_RRK(X, Name) KILN_RELAY_RRK(X, Jn##Name)

/// Every opcode; a, b, c are registers unless said otherwise.
#define KILN_RELAY_OPS(X)                                                      \
  KILN_RELAY_ARITH(KILN_RELAY_ARITH_OPS)                                       \
  KILN_RELAY_CMP(KILN_RELAY_CMP_OPS)                                           \
  X(LoadK)  /* a = k */                                                        \
  X(LoadB)  /* a = bool c */                                                   \
  X(Move)   /* a = b */                                                        \
  X(Neg)    /* a = -b */                                                       \
  X(Not)    /* a = !b */                                                       \
  X(BoolEq) /* a = b == c (bools) */                                           \
  X(BoolNe)                                                                    \
  X(Jump)     /* to a */                                                       \
  X(JumpF)    /* to a unless b */                                              \
  X(JumpT)    /* to a if b */                                                  \
  X(Index)    /* a = b[c], node: IndexExpr */                                  \
  X(Store)    /* a[b] = c, node: IndexExpr */                                  \
  X(NewArray) /* a = array of c numbers */                                     \
  X(Init)     /* a->data[c] = b (an array literal's element) */                \
  X(Len)      /* a = len(b) */                                                 \
  X(Push)     /* push(a, b) */                                                 \
  X(Sqrt)     /* a = sqrt(b) */                                                \
  X(Math1)    /* a = f1(b) */                                                  \
  X(Math2)    /* a = f2(b, c) */                                               \
  X(Min)      /* a = min(b, c) */                                              \
  X(Max)                                                                       \
  X(Print)     /* args from b, node: CallExpr */                               \
  X(Call)      /* a = call with args from b, node: CallExpr */                 \
  X(Arg)       /* push s[a] (b = 1: an empty slot) on the argument stack */    \
  X(PrintArgs) /* print the argument stack's top, node: CallExpr */            \
  X(CallArgs)  /* a = call with the argument stack's top, node: CallExpr */    \
  X(Return)    /* result = a */                                                \
  X(ReturnVoid)                                                                \
  X(End)       /* fell off the end of the body */                              \
  X(LoopRun)   /* loop a gets a new run number */                              \
  X(While)     /* loop a, node: WhileStmt, becomes active */                   \
  X(Head)      /* loop a's header: on-stack replacement */                     \
  X(Iterate)   /* one loop iteration: the guards */                            \
  X(Range)     /* loop a runs from b to c, node: ForRangeStmt */               \
  X(RangeHead) /* loop a, variable b, exit to c */                             \
  X(RangeNext) /* loop a, back to c */                                         \
  X(Each)      /* loop a over array b, node: ForEachStmt */                    \
  X(EachHead)  /* loop a, variable b, exit to c */                             \
  X(EachNext)  /* loop a, back to c */                                         \
  X(LoopExit)  /* loop a ends */

enum class Op : uint8_t {
#define X(Name) Name,
  KILN_RELAY_OPS(X)
#undef X
};

struct Instr {
  Op op;
  uint32_t a = 0, b = 0, c = 0;
  union {
    double k = 0;
    double (*f1)(double);
    double (*f2)(double, double);
  };
  const void *node = nullptr; ///< the AST node for locations and callees
};

/// One function's code; immutable once built, owned by the interpreter.
struct Code {
  std::vector<Instr> instrs;
  uint32_t nparams = 0, nslots = 0;
  uint32_t loopBase = 0;  ///< first slot of the OsrLoop records
  uint32_t frameSize = 0; ///< slots a call pushes: variables, temps, loops
  OsrLoop *loops(Slot *frame) const {
    return reinterpret_cast<OsrLoop *>(frame + loopBase);
  }
};

/// Calls and prints with more arguments than kMaxRegisterArgs, or whose
/// arguments would bring the temporaries in use past kMaxArgTemps (calls
/// nested in arguments), evaluate them onto the interpreter's argument stack
/// (Arg, CallArgs, PrintArgs) instead of into temporaries. A frame reserves
/// its temporaries for the whole call, so a 30,000-argument print in a
/// function that recurses 9,000 deep would otherwise hold 2.3 GB of slots
/// that the AST walker never needed.
inline constexpr size_t kMaxRegisterArgs = 8;
inline constexpr size_t kMaxArgTemps = 32;

/// Slots one OsrLoop record takes.
inline constexpr uint32_t kLoopSlots =
    (sizeof(OsrLoop) + sizeof(Slot) - 1) / sizeof(Slot);

} // namespace kiln::relay::interp
