// Vm: runs one call's bytecode (Bytecode.h) over its frame.
//
// Direct threading with computed goto (a GNU extension that clang and gcc
// share): each handler ends in its own indirect jump, which the branch
// predictor learns per opcode, where a switch shares one jump between all.
// That makes the dispatch loop one function by necessity; every handler is
// a line or two, the rules behind them live in docs/relay.md
// ("Evaluation") and in the helpers above the loop. Each operation is a
// separate C++ expression compiled with -ffp-contract=off, so a*b+c never
// becomes an FMA.
#include "InterpreterImpl.h"

#include <cmath>
#include <math.h>

namespace kiln::relay {
using namespace interp;

namespace {

kiln_rt_array *arrayOf(Slot s) { return static_cast<kiln_rt_array *>(s.array); }

inline double arithAdd(double l, double r) { return l + r; }
inline double arithSub(double l, double r) { return l - r; }
inline double arithMul(double l, double r) { return l * r; }
inline double arithDiv(double l, double r) { return l / r; }
inline double arithMod(double l, double r) { return ::fmod(l, r); }
inline bool cmpLt(double l, double r) { return l < r; }
inline bool cmpLe(double l, double r) { return l <= r; }
inline bool cmpGt(double l, double r) { return l > r; }
inline bool cmpGe(double l, double r) { return l >= r; }
inline bool cmpEq(double l, double r) { return l == r; }
inline bool cmpNe(double l, double r) { return l != r; }

bool truth(Slot s) { return s.boolean != 0; }

/// Makes `loop` (whose run number is set) the frame's innermost active loop.
void activate(Frame &frame, OsrLoop &loop, const void *stmt) {
  loop.outer = frame.loops;
  loop.loop = static_cast<const Stmt *>(stmt);
  loop.counter = loop.end = 0;
  loop.array = nullptr;
  loop.index = 0;
  frame.loops = &loop;
}

/// One argument of print, in Relay's output format.
void printValue(Type type, Slot value) {
  switch (type) {
  case Type::Bool: kiln_rt_print_bool(value.boolean != 0); break;
  case Type::Array: kiln_rt_print_array(arrayOf(value)); break;
  default: kiln_rt_print_f64(value.number); break;
  }
}

[[noreturn]] void failStackOverflow(const FuncDecl &fn) {
  fail(fn.loc, "stack overflow: call depth exceeded " +
                   std::to_string(kiln_rt_max_depth));
}

[[noreturn]] void failMissingReturn(const FuncDecl &fn) {
  fail(fn.body->end,
       "function '" + fn.name + "' ended without returning a value");
}

/// A body's closing brace, reached without `return`.
Slot endOfBody(const FuncDecl &fn) {
  if (fn.returnType != Type::Void) [[unlikely]]
    failMissingReturn(fn);
  return Slot{};
}

} // namespace

/// Runs a user function whose parameters are in frame[0..n-1], with the
/// entry guards of docs/relay.md: the timeout poll, then the depth limit.
/// Inlined into callUser, the hot caller (also called by Interpreter::call).
[[gnu::always_inline]] Slot Interpreter::Impl::interpret(const FuncDecl &fn,
                                                         const Code &code,
                                                         Slot *frame) {
  step();
  if (++kiln_rt_depth > kiln_rt_max_depth) [[unlikely]]
    failStackOverflow(fn);
  FunctionState &state = functions[fn.index];
  bump(state.calls);
  for (uint32_t i = code.nparams; i < code.nslots; ++i) // no memset call
    frame[i] = Slot{};
  Frame active = newFrame(fn, frame);
  Slot returned = execute(code, active);
  --kiln_rt_depth;
  bump(state.loopIterations, active.loopIterations);
  if (owner.onProfile) [[unlikely]]
    owner.onProfile(fn, state.calls.load(std::memory_order_relaxed),
                    state.loopIterations.load(std::memory_order_relaxed));
  return fn.returnType == Type::Void ? Slot{} : returned;
}

/// Inlined into the Call handler: one C++ call level per Relay call.
[[gnu::always_inline]] inline Slot
Interpreter::Impl::callUser(const CallExpr &call, const Slot *args) {
  const FuncDecl &fn = *call.target;
  const Code &code = codeFor(fn);
  SlotStack::Mark mark = stack.mark();
  Slot *frame = stack.push(code.frameSize);
  for (uint32_t i = 0; i < code.nparams; ++i) // a few: no memmove call
    frame[i] = args[i];
  NativeEntry entry =
      functions[fn.index].native.load(std::memory_order_acquire);
  Slot returned =
      entry ? callNative(fn, entry, frame) : interpret(fn, code, frame);
  stack.reset(mark);
  return returned;
}

Slot Interpreter::Impl::callStacked(const CallExpr &call) {
  size_t base = argStack.size() - call.args.size();
  // callUser copies the arguments into the new frame before the callee can
  // push (and so move) the argument stack.
  Slot returned = callUser(call, argStack.data() + base);
  argStack.resize(base);
  return returned;
}

void Interpreter::Impl::printStacked(const CallExpr &call) {
  size_t base = argStack.size() - call.args.size();
  print(call, argStack.data() + base);
  argStack.resize(base);
}

/// All arguments were evaluated before anything is printed, so a call in an
/// argument that prints (or fails) does so before this line starts.
void Interpreter::Impl::print(const CallExpr &call, const Slot *args) {
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (i)
      kiln_rt_print_space();
    if (auto *s = dyn_cast<StringExpr>(call.args[i].get()))
      kiln_rt_print_bytes(s->value.data(), s->value.size());
    else
      printValue(call.args[i]->type, args[i]);
  }
  kiln_rt_print_newline();
}

// One handler per line reads as a table: clang-format leaves it alone.
// clang-format off
// Handler shapes. `s` is the frame, `ip` the instruction, `L` the loop
// record of ip->a.
#define DISPATCH() goto *Labels[static_cast<uint8_t>(ip->op)]
#define NEXT()                                                                 \
  do {                                                                         \
    ++ip;                                                                      \
    DISPATCH();                                                                \
  } while (0)
#define JUMP(target)                                                           \
  do {                                                                         \
    ip = base + (target);                                                      \
    DISPATCH();                                                                \
  } while (0)
#define NUM(r) s[ip->r].number
#define ARITH_HANDLERS(Name)                                                   \
  Name##RR : NUM(a) = arith##Name(NUM(b), NUM(c));                             \
  NEXT();                                                                      \
  Name##RK : NUM(a) = arith##Name(NUM(b), ip->k);                              \
  NEXT();                                                                      \
  Name##KR : NUM(a) = arith##Name(ip->k, NUM(c));                              \
  NEXT();
#define CMP_HANDLERS(Name)                                                     \
  Name##RR : s[ip->a].boolean = cmp##Name(NUM(b), NUM(c));                     \
  NEXT();                                                                      \
  Name##RK : s[ip->a].boolean = cmp##Name(NUM(b), ip->k);                      \
  NEXT();                                                                      \
  Jn##Name##RR : if (!cmp##Name(NUM(b), NUM(c))) JUMP(ip->a);                  \
  NEXT();                                                                      \
  Jn##Name##RK : if (!cmp##Name(NUM(b), ip->k)) JUMP(ip->a);                   \
  NEXT();
#define LOOP OsrLoop &L = loops[ip->a]
#define EXPR static_cast<const Expr *>(ip->node)

Slot Interpreter::Impl::execute(const Code &code, Frame &frame) {
#define X(Name) &&Name,
  static const void *const Labels[] = {KILN_RELAY_OPS(X)};
#undef X
  const Instr *const base = code.instrs.data();
  const Instr *ip = base;
  Slot *const s = frame.slots;
  OsrLoop *const loops = code.loops(s);
  DISPATCH();
  KILN_RELAY_ARITH(ARITH_HANDLERS)
  KILN_RELAY_CMP(CMP_HANDLERS)
LoadK: NUM(a) = ip->k; NEXT();
LoadB: s[ip->a].boolean = ip->c; NEXT();
Move: s[ip->a] = s[ip->b]; NEXT();
Neg: NUM(a) = -NUM(b); NEXT();
Not: s[ip->a].boolean = !truth(s[ip->b]); NEXT();
BoolEq: s[ip->a].boolean = truth(s[ip->b]) == truth(s[ip->c]); NEXT();
BoolNe: s[ip->a].boolean = truth(s[ip->b]) != truth(s[ip->c]); NEXT();
Jump: JUMP(ip->a);
JumpF: if (!truth(s[ip->b])) JUMP(ip->a); NEXT();
JumpT: if (truth(s[ip->b])) JUMP(ip->a); NEXT();
Index: NUM(a) = *element(arrayOf(s[ip->b]), NUM(c), EXPR); NEXT();
Store: *element(arrayOf(s[ip->a]), NUM(b), EXPR) = NUM(c); NEXT();
NewArray: s[ip->a].array = kiln_rt_array_new(ip->c); NEXT();
Init: arrayOf(s[ip->a])->data[ip->c] = NUM(b); NEXT();
Len: NUM(a) = static_cast<double>(arrayOf(s[ip->b])->length); NEXT();
Push: kiln_rt_array_push(arrayOf(s[ip->a]), NUM(b)); NEXT();
Sqrt: NUM(a) = ::sqrt(NUM(b)); NEXT();
Math1: NUM(a) = ip->f1(NUM(b)); NEXT();
Math2: NUM(a) = ip->f2(NUM(b), NUM(c)); NEXT();
Min: NUM(a) = NUM(c) < NUM(b) ? NUM(c) : NUM(b); NEXT();
Max: NUM(a) = NUM(c) > NUM(b) ? NUM(c) : NUM(b); NEXT();
Print: print(*static_cast<const CallExpr *>(ip->node), s + ip->b); NEXT();
Call: s[ip->a] = callUser(*static_cast<const CallExpr *>(ip->node), s + ip->b);
  NEXT();
Arg: argStack.push_back(ip->b ? Slot{} : s[ip->a]); NEXT();
PrintArgs: printStacked(*static_cast<const CallExpr *>(ip->node)); NEXT();
CallArgs: s[ip->a] = callStacked(*static_cast<const CallExpr *>(ip->node));
  NEXT();
Return: return s[ip->a];
ReturnVoid: return Slot{};
End: return endOfBody(*frame.fn);
LoopRun: loops[ip->a].run = ++loopRuns; NEXT();
While: { LOOP; L.run = ++loopRuns; activate(frame, L, ip->node); } NEXT();
Head: if (replaced(frame, loops[ip->a])) return result; NEXT();
Iterate: beginIteration(frame); NEXT();
Range: { LOOP; double from = NUM(b), to = NUM(c); activate(frame, L, ip->node);
  L.counter = from; L.end = to; } NEXT();
RangeHead: if (replaced(frame, loops[ip->a])) return result;
  if (!rangeStep(frame, loops[ip->a], NUM(b))) JUMP(ip->c); NEXT();
RangeNext: loops[ip->a].counter += 1.0; JUMP(ip->c);
Each: { LOOP; void *array = s[ip->b].array; activate(frame, L, ip->node);
  L.array = array; } NEXT();
EachHead: if (replaced(frame, loops[ip->a])) return result;
  if (!eachStep(frame, loops[ip->a], NUM(b))) JUMP(ip->c); NEXT();
EachNext: ++loops[ip->a].index; JUMP(ip->c);
LoopExit: leaveLoop(frame, loops[ip->a]); NEXT();
}
// clang-format on

} // namespace kiln::relay
