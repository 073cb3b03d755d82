// Compiler: Relay AST -> interpreter bytecode (see Compiler.h for the rules
// it keeps). Registers are frame slots: a variable is its Sema slot, so
// reading one costs no instruction; temporaries are allocated stack-wise
// above the variables and released when the expression or statement that
// took them ends.
#include "Compiler.h"

#include <algorithm>
#include <cmath>
#include <math.h>

namespace kiln::relay::interp {
namespace {

Instr make(Op op, uint32_t a = 0, uint32_t b = 0, uint32_t c = 0) {
  Instr in;
  in.op = op;
  in.a = a;
  in.b = b;
  in.c = c;
  return in;
}

/// The arithmetic opcodes by BinaryOp (Add..Mod, the order of
/// Operators.def), each as {RR, RK, KR}.
constexpr Op ArithOps[][3] = {
#define X(Name) {Op::Name##RR, Op::Name##RK, Op::Name##KR},
    KILN_RELAY_ARITH(X)
#undef X
};

/// The comparison opcodes by BinaryOp - Lt, as {RR, RK, JnRR, JnRK}.
constexpr Op CmpOps[][4] = {
#define X(Name)                                                                \
  {Op::Name##RR, Op::Name##RK, Op::Jn##Name##RR, Op::Jn##Name##RK},
    KILN_RELAY_CMP(X)
#undef X
};

bool isArith(BinaryOp op) { return op <= BinaryOp::Mod; }

/// `&&`, `||`, and `==`/`!=` on bools: a chain of them is a left spine of
/// bool nodes.
bool boolOperands(const BinaryExpr *e) {
  return e->op == BinaryOp::And || e->op == BinaryOp::Or ||
         ((e->op == BinaryOp::Eq || e->op == BinaryOp::Ne) &&
          e->lhs->type == Type::Bool);
}

bool isNumberCompare(const BinaryExpr *e) {
  return !isArith(e->op) && !boolOperands(e);
}

const BinaryExpr *binaryLhs(const BinaryExpr *e) {
  return dyn_cast<BinaryExpr>(e->lhs.get());
}

/// The left spine of `top` while `links` holds for a node's left operand,
/// top first.
template <typename Links>
std::vector<const BinaryExpr *> spineOf(const BinaryExpr *top, Links links) {
  std::vector<const BinaryExpr *> spine{top};
  while (const BinaryExpr *next = binaryLhs(spine.back())) {
    if (!links(next))
      break;
    spine.push_back(next);
  }
  return spine;
}

void setLibm1(Instr &in, double (*f)(double)) {
  in.op = Op::Math1;
  in.f1 = f;
}
void setLibm2(Instr &in, double (*f)(double, double)) {
  in.op = Op::Math2;
  in.f2 = f;
}

/// The instruction of a numeric builtin: libm's function for a RELAY_LIBM
/// row, the row's formula (its own opcode) for Min and Max. Every builtin
/// row must be named in call()'s switch, which has no default, so -Wswitch
/// points at a new row that lacks its meaning here.
Instr mathInstr(Builtin b) {
  Instr in;
  switch (b) {
#define RELAY_LIBM(Id, Name, Arity, Symbol, Doc)                               \
  case Builtin::Id:                                                            \
    setLibm##Arity(in, ::Symbol);                                              \
    break;
#include "relay/syntax/Builtins.def"
  case Builtin::Min: in.op = Op::Min; break;
  case Builtin::Max: in.op = Op::Max; break;
  default: assert(false && "not a numeric builtin"); break;
  }
  if (b == Builtin::Sqrt)
    in.op = Op::Sqrt; // the instruction, not a call
  return in;
}

class Compiler {
public:
  explicit Compiler(const FuncDecl &fn) : Out(std::make_unique<Code>()) {
    Out->nparams = static_cast<uint32_t>(fn.params.size());
    Out->nslots = static_cast<uint32_t>(fn.slotTypes.size());
    Next = Max = Out->nslots;
    block(fn.body.get());
    emit(make(Op::End));
    Out->loopBase = Max;
    Out->frameSize = Max + MaxLoops * kLoopSlots;
  }
  std::unique_ptr<Code> take() { return std::move(Out); }

private:
  /// A loop being lowered: the jumps its break and continue statements left.
  struct LoopContext {
    std::vector<size_t> breaks, continues;
  };

  std::unique_ptr<Code> Out;
  uint32_t Next = 0, Max = 0;           ///< temporaries: next free, high mark
  uint32_t LoopDepth = 0, MaxLoops = 0; ///< OsrLoop records in use, needed
  std::vector<LoopContext> Loops;

  uint32_t temp() {
    uint32_t t = Next++;
    Max = std::max(Max, Next);
    return t;
  }
  bool isTemp(uint32_t r) const { return r >= Out->nslots; }
  size_t here() const { return Out->instrs.size(); }
  size_t emit(Instr in) {
    Out->instrs.push_back(in);
    return here() - 1;
  }
  size_t emitK(Op op, uint32_t a, uint32_t b, uint32_t c, double k) {
    Instr in = make(op, a, b, c);
    in.k = k;
    return emit(in);
  }
  size_t emitNode(Op op, uint32_t a, uint32_t b, const void *node) {
    Instr in = make(op, a, b);
    in.node = node;
    return emit(in);
  }
  /// Points the jump at `at` to `target` (heads and nexts keep it in c).
  void setTarget(size_t at, size_t target) {
    Instr &in = Out->instrs[at];
    bool inC = in.op == Op::RangeHead || in.op == Op::EachHead ||
               in.op == Op::RangeNext || in.op == Op::EachNext;
    (inC ? in.c : in.a) = static_cast<uint32_t>(target);
  }
  void setTargets(const std::vector<size_t> &jumps, size_t target) {
    for (size_t at : jumps)
      setTarget(at, target);
  }

  // ---- Expressions ---------------------------------------------------------

  /// The register holding `e`'s value: a variable's slot, or a new temp.
  uint32_t operand(const Expr *e) {
    if (auto *var = dyn_cast<VarExpr>(e))
      return static_cast<uint32_t>(var->slot);
    uint32_t t = temp();
    into(e, t);
    return t;
  }

  void into(const Expr *e, uint32_t dst) {
    uint32_t mark = Next;
    switch (e->kind) {
    case Expr::Kind::Number:
      emitK(Op::LoadK, dst, 0, 0, static_cast<const NumberExpr *>(e)->value);
      break;
    case Expr::Kind::Bool:
      emit(make(Op::LoadB, dst, 0, static_cast<const BoolExpr *>(e)->value));
      break;
    case Expr::Kind::Var:
      if (uint32_t slot = static_cast<const VarExpr *>(e)->slot; slot != dst)
        emit(make(Op::Move, dst, slot));
      break;
    case Expr::Kind::ArrayLit:
      arrayLit(static_cast<const ArrayLitExpr *>(e), dst);
      break;
    case Expr::Kind::Index:
      index(static_cast<const IndexExpr *>(e), dst);
      break;
    case Expr::Kind::Unary: {
      auto *u = static_cast<const UnaryExpr *>(e);
      uint32_t r = operand(u->operand.get());
      emit(make(u->op == UnaryOp::Neg ? Op::Neg : Op::Not, dst, r));
      break;
    }
    case Expr::Kind::Binary:
      binary(static_cast<const BinaryExpr *>(e), dst);
      break;
    case Expr::Kind::Call: call(static_cast<const CallExpr *>(e), dst); break;
    case Expr::Kind::String:
      assert(false && "strings are only print arguments");
      break;
    }
    Next = mark;
  }

  /// The array is built in a temp: an element may read the variable that
  /// receives it (`a = [a[0]]`).
  void arrayLit(const ArrayLitExpr *e, uint32_t dst) {
    uint32_t array = isTemp(dst) ? dst : temp();
    auto n = static_cast<uint32_t>(e->elements.size());
    emit(make(Op::NewArray, array, 0, n));
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t mark = Next;
      emit(make(Op::Init, array, operand(e->elements[i].get()), i));
      Next = mark;
    }
    if (array != dst)
      emit(make(Op::Move, dst, array));
  }

  void index(const IndexExpr *e, uint32_t dst) {
    uint32_t array = operand(e->array.get());
    Instr in = make(Op::Index, dst, array, operand(e->index.get()));
    in.node = e;
    emit(in);
  }

  void binary(const BinaryExpr *e, uint32_t dst) {
    if (isArith(e->op))
      return arith(e, dst);
    if (boolOperands(e))
      return boolChain(e, dst);
    compare(e, dst, false);
  }

  /// `a op b` or `a op b`'s negated jump: RK when b is a constant.
  size_t compare(const BinaryExpr *e, uint32_t a, bool jump) {
    const Op *row =
        CmpOps[static_cast<int>(e->op) - static_cast<int>(BinaryOp::Lt)];
    uint32_t l = operand(e->lhs.get());
    if (auto *k = dyn_cast<NumberExpr>(e->rhs.get()))
      return emitK(row[jump ? 3 : 1], a, l, 0, k->value);
    return emit(make(row[jump ? 2 : 0], a, l, operand(e->rhs.get())));
  }

  /// `a + b + c ...`: the deepest node first, then each rhs on the way up,
  /// accumulating in a temp; only the top node writes dst.
  void arith(const BinaryExpr *top, uint32_t dst) {
    auto spine = spineOf(top, [](const BinaryExpr *) { return true; });
    uint32_t acc = spine.size() == 1 ? dst : temp();
    const BinaryExpr *deepest = spine.back();
    arithOp(deepest->op, acc, deepest->lhs.get(), 0, deepest->rhs.get());
    for (size_t i = spine.size() - 1; i-- > 0;)
      arithOp(spine[i]->op, i == 0 ? dst : acc, nullptr, acc,
              spine[i]->rhs.get());
  }

  /// dst = lhs op rhs, where a null lhs means the register `left`.
  void arithOp(BinaryOp op, uint32_t dst, const Expr *lhs, uint32_t left,
               const Expr *rhs) {
    uint32_t mark = Next;
    const Op *row = ArithOps[static_cast<int>(op)];
    auto *kl = lhs ? dyn_cast<NumberExpr>(lhs) : nullptr;
    auto *kr = dyn_cast<NumberExpr>(rhs);
    if (kl && !kr) {
      emitK(row[2], dst, 0, operand(rhs), kl->value);
    } else {
      uint32_t l = lhs ? operand(lhs) : left;
      if (kr)
        emitK(row[1], dst, l, 0, kr->value);
      else
        emit(make(row[0], dst, l, operand(rhs)));
    }
    Next = mark;
  }

  /// `p && q || r == s ...`: short-circuits by jumping over a right operand.
  void boolChain(const BinaryExpr *top, uint32_t dst) {
    auto spine = spineOf(top, boolOperands);
    uint32_t acc = isTemp(dst) ? dst : temp();
    into(spine.back()->lhs.get(), acc);
    for (size_t i = spine.size(); i-- > 0;) {
      const BinaryExpr *e = spine[i];
      uint32_t mark = Next;
      if (e->op == BinaryOp::And || e->op == BinaryOp::Or) {
        size_t skip =
            emit(make(e->op == BinaryOp::And ? Op::JumpF : Op::JumpT, 0, acc));
        into(e->rhs.get(), acc);
        setTarget(skip, here());
      } else {
        Op op = e->op == BinaryOp::Eq ? Op::BoolEq : Op::BoolNe;
        emit(make(op, acc, acc, operand(e->rhs.get())));
      }
      Next = mark;
    }
    if (acc != dst)
      emit(make(Op::Move, dst, acc));
  }

  /// Jumps (added to `out`) when `cond` is false: a fused compare-and-jump
  /// for comparisons, conjunct by conjunct for `&&` chains.
  void branchFalse(const Expr *cond, std::vector<size_t> &out) {
    uint32_t mark = Next;
    auto *b = dyn_cast<BinaryExpr>(cond);
    if (b && b->op == BinaryOp::And) {
      auto spine = spineOf(
          b, [](const BinaryExpr *e) { return e->op == BinaryOp::And; });
      branchFalse(spine.back()->lhs.get(), out);
      for (size_t i = spine.size(); i-- > 0;)
        branchFalse(spine[i]->rhs.get(), out);
    } else if (b && isNumberCompare(b)) {
      out.push_back(compare(b, 0, true));
    } else {
      out.push_back(emit(make(Op::JumpF, 0, operand(cond))));
    }
    Next = mark;
  }

  /// Arguments into consecutive temps, left to right (strings keep theirs
  /// empty: print reads them from the AST).
  uint32_t arguments(const CallExpr *e) {
    uint32_t first = Next;
    for (const ExprPtr &arg : e->args) {
      uint32_t t = temp();
      if (arg->kind != Expr::Kind::String)
        into(arg.get(), t);
      Next = t + 1;
    }
    return first;
  }

  /// A long list (see kMaxRegisterArgs): each argument goes onto the
  /// argument stack as soon as it is evaluated, so it takes one temporary.
  void stackArguments(const CallExpr *e) {
    for (const ExprPtr &arg : e->args) {
      uint32_t mark = Next;
      if (arg->kind == Expr::Kind::String)
        emit(make(Op::Arg, 0, 1));
      else
        emit(make(Op::Arg, operand(arg.get())));
      Next = mark;
    }
  }

  /// A user call or print: `inRegisters` with its arguments in temps,
  /// `onStack` with them on the argument stack.
  void callWithArguments(const CallExpr *e, uint32_t dst, Op inRegisters,
                         Op onStack) {
    size_t inUse = Next - Out->nslots, n = e->args.size();
    if (n <= kMaxRegisterArgs && inUse + n <= kMaxArgTemps)
      return (void)emitNode(inRegisters, dst, arguments(e), e);
    stackArguments(e);
    emitNode(onStack, dst, 0, e);
  }

  void call(const CallExpr *e, uint32_t dst) {
    switch (e->builtin) {
    case Builtin::None:
      return callWithArguments(e, dst, Op::Call, Op::CallArgs);
    case Builtin::Print:
      return callWithArguments(e, 0, Op::Print, Op::PrintArgs);
    case Builtin::Len:
      emit(make(Op::Len, dst, operand(e->args[0].get())));
      return;
    case Builtin::Push: {
      uint32_t array = operand(e->args[0].get());
      emit(make(Op::Push, array, operand(e->args[1].get())));
      return;
    }
#define RELAY_LIBM(Id, Name, Arity, Symbol, Doc) case Builtin::Id:
#include "relay/syntax/Builtins.def"
    case Builtin::Min:
    case Builtin::Max: break;
    }
    Instr in = mathInstr(e->builtin);
    in.a = dst;
    in.b = operand(e->args[0].get());
    if (e->args.size() > 1)
      in.c = operand(e->args[1].get());
    emit(in);
  }

  // ---- Statements ----------------------------------------------------------

  void block(const BlockStmt *b) {
    for (const StmtPtr &s : b->body)
      stmt(s.get());
  }

  void stmt(const Stmt *s) {
    uint32_t mark = Next;
    switch (s->kind) {
    case Stmt::Kind::Let: {
      auto *let = static_cast<const LetStmt *>(s);
      into(let->init.get(), static_cast<uint32_t>(let->slot));
      break;
    }
    case Stmt::Kind::Assign: assign(static_cast<const AssignStmt *>(s)); break;
    case Stmt::Kind::ExprStmt:
      into(static_cast<const ExprStmt *>(s)->expr.get(), temp());
      break;
    case Stmt::Kind::If: ifStmt(static_cast<const IfStmt *>(s)); break;
    case Stmt::Kind::While: whileStmt(static_cast<const WhileStmt *>(s)); break;
    case Stmt::Kind::ForRange:
      forRange(static_cast<const ForRangeStmt *>(s));
      break;
    case Stmt::Kind::ForEach:
      forEach(static_cast<const ForEachStmt *>(s));
      break;
    case Stmt::Kind::Break:
      Loops.back().breaks.push_back(emit(make(Op::Jump)));
      break;
    case Stmt::Kind::Continue:
      Loops.back().continues.push_back(emit(make(Op::Jump)));
      break;
    case Stmt::Kind::Return:
      returnStmt(static_cast<const ReturnStmt *>(s));
      break;
    case Stmt::Kind::Block: block(static_cast<const BlockStmt *>(s)); break;
    }
    Next = mark;
  }

  void returnStmt(const ReturnStmt *s) {
    if (const Expr *e = s->value.get())
      emit(make(Op::Return, operand(e)));
    else
      emit(make(Op::ReturnVoid));
  }

  /// `a[i] = v` evaluates a, then i, then v; Store checks the index.
  void assign(const AssignStmt *s) {
    if (auto *var = dyn_cast<VarExpr>(s->target.get()))
      return into(s->value.get(), static_cast<uint32_t>(var->slot));
    auto *target = cast<IndexExpr>(s->target.get());
    uint32_t array = operand(target->array.get());
    uint32_t i = operand(target->index.get());
    Instr in = make(Op::Store, array, i, operand(s->value.get()));
    in.node = target;
    emit(in);
  }

  /// An else-if chain in a loop, not one level of recursion per arm.
  void ifStmt(const IfStmt *s) {
    std::vector<size_t> ends;
    while (true) {
      std::vector<size_t> otherwise;
      branchFalse(s->cond.get(), otherwise);
      block(s->thenBlock.get());
      const Stmt *orElse = s->elseStmt.get();
      if (orElse)
        ends.push_back(emit(make(Op::Jump)));
      setTargets(otherwise, here());
      if (!orElse)
        break;
      if (orElse->kind != Stmt::Kind::If) {
        stmt(orElse);
        break;
      }
      s = static_cast<const IfStmt *>(orElse);
    }
    setTargets(ends, here());
  }

  uint32_t enterLoop() {
    Loops.emplace_back();
    MaxLoops = std::max(MaxLoops, LoopDepth + 1);
    return LoopDepth++;
  }
  /// The body; then `next` (continue's target) and the loop's end.
  void loopBody(const BlockStmt *body, size_t head, Instr next, uint32_t k,
                std::vector<size_t> exits) {
    block(body);
    size_t at = emit(next);
    setTarget(at, head);
    setTargets(Loops.back().continues, at);
    exits.insert(exits.end(), Loops.back().breaks.begin(),
                 Loops.back().breaks.end());
    setTargets(exits, here());
    emit(make(Op::LoopExit, k));
    Loops.pop_back();
    --LoopDepth;
  }

  void whileStmt(const WhileStmt *s) {
    uint32_t k = enterLoop();
    emitNode(Op::While, k, 0, s);
    size_t head = emit(make(Op::Head, k));
    std::vector<size_t> exits;
    branchFalse(s->cond.get(), exits);
    emit(make(Op::Iterate));
    loopBody(s->body.get(), head, make(Op::Jump), k, std::move(exits));
  }

  void forRange(const ForRangeStmt *s) {
    uint32_t k = enterLoop();
    emit(make(Op::LoopRun, k));
    uint32_t start = operand(s->start.get());
    Instr range = make(Op::Range, k, start, operand(s->end.get()));
    range.node = s;
    emit(range);
    size_t head = emit(make(Op::RangeHead, k, static_cast<uint32_t>(s->slot)));
    loopBody(s->body.get(), head, make(Op::RangeNext, k), k, {head});
  }

  void forEach(const ForEachStmt *s) {
    uint32_t k = enterLoop();
    emit(make(Op::LoopRun, k));
    emitNode(Op::Each, k, operand(s->array.get()), s);
    size_t head = emit(make(Op::EachHead, k, static_cast<uint32_t>(s->slot)));
    loopBody(s->body.get(), head, make(Op::EachNext, k), k, {head});
  }
};

} // namespace

std::unique_ptr<Code> compile(const FuncDecl &fn) {
  return Compiler(fn).take();
}

} // namespace kiln::relay::interp
