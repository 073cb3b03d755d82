// Sema: scopes -> slots, and type inference by union-find unification.
#include "Sema.h"

#include <string>
#include <unordered_map>

namespace kiln::relay {

namespace {

/// Type variables with union-find; each class may have a concrete type.
class TypeVars {
public:
  int fresh(Type t = Type::Unknown) {
    Parent.push_back(int(Parent.size()));
    Concrete.push_back(t);
    return int(Parent.size()) - 1;
  }
  int find(int v) {
    while (Parent[v] != v)
      v = Parent[v] = Parent[Parent[v]];
    return v;
  }
  Type type(int v) { return Concrete[find(v)]; }
  void set(int v, Type t) { Concrete[find(v)] = t; }
  /// Merges two classes; false (and no merge) when their types differ.
  bool unify(int a, int b) {
    a = find(a), b = find(b);
    if (a == b)
      return true;
    Type ta = Concrete[a], tb = Concrete[b];
    if (ta != Type::Unknown && tb != Type::Unknown && ta != tb)
      return false;
    Parent[b] = a;
    if (ta == Type::Unknown)
      Concrete[a] = tb;
    return true;
  }

private:
  std::vector<int> Parent;
  std::vector<Type> Concrete;
};

struct FnInfo {
  std::vector<int> slotVars; ///< params first
  int retVar = -1;
  bool hasValueReturn = false;
};

class Sema {
public:
  Sema(Program &p, DiagList &d, const std::vector<Global> &g)
      : P(p), Diags(d), Globals(g) {}
  bool run();

private:
  // declarations and finalisation
  void declareFunctions();
  void finalize();
  // statements
  void block(BlockStmt &b);
  void stmt(Stmt &s);
  void assign(AssignStmt &s);
  void ifChain(IfStmt &first);
  int forBody(const std::string &var, BlockStmt &body);
  void returnStmt(ReturnStmt &r);
  void loopBody(BlockStmt &b) {
    ++LoopDepth;
    block(b);
    --LoopDepth;
  }
  int declare(const std::string &name, int var) {
    int slot = int(Cur->slotVars.size());
    Cur->slotVars.push_back(var);
    Scopes.back()[name] = slot;
    return slot;
  }
  // expressions: each returns its type variable
  int expr(Expr &e);
  int value(Expr &e, const std::string &what); ///< an expr used as a value
  int variable(VarExpr &v);
  int binary(BinaryExpr &e);
  int combine(BinaryExpr &e, int lhs, int rhs);
  int call(CallExpr &e);
  int builtinCall(CallExpr &e, Builtin b);
  void require(int var, Type t, Loc loc, const std::string &what);
  void unifyOr(int a, int b, Loc loc, const std::string &what);
  void error(Loc loc, std::string message) {
    Diags.push_back({loc, std::move(message)});
  }
  std::string typeText(int var) { return typeName(Vars.type(var)); }

  Program &P;
  DiagList &Diags;
  const std::vector<Global> &Globals;
  TypeVars Vars;
  std::unordered_map<std::string, FuncDecl *> Functions;
  std::vector<FnInfo> Info;
  FuncDecl *CurFn = nullptr;
  FnInfo *Cur = nullptr;
  std::vector<std::unordered_map<std::string, int>> Scopes;
  int LoopDepth = 0;
  std::vector<std::pair<Expr *, int>> ExprVars;
  struct Use {
    int var;
    Loc loc;
    std::string what;
  };
  std::vector<Use> ValueUses;    ///< must not end up void
  std::vector<Use> EqualityUses; ///< must end up number or bool
  int VoidVar = -1;
};

bool Sema::run() {
  size_t before = Diags.size();
  VoidVar = Vars.fresh(Type::Void);
  declareFunctions();
  for (auto &f : P.functions) {
    CurFn = f.get();
    Cur = &Info[f->index];
    Scopes.assign(1, {});
    for (size_t i = 0; i < f->params.size(); ++i)
      Scopes.back()[f->params[i].name] = int(i);
    if (f.get() == P.main)
      for (const Global &g : Globals)
        declare(g.name, Vars.fresh(g.type));
    block(*f->body);
  }
  finalize();
  return Diags.size() == before;
}

void Sema::declareFunctions() {
  Info.resize(P.functions.size());
  for (size_t i = 0; i < P.functions.size(); ++i) {
    FuncDecl &f = *P.functions[i];
    f.index = int(i);
    bool isMain = i + 1 == P.functions.size();
    if (isMain)
      P.main = &f;
    else if (f.name == "main")
      error(f.loc, "'main' is reserved for the top-level statements");
    else if (lookupBuiltin(f.name) != Builtin::None)
      error(f.loc,
            "'" + f.name + "' is a builtin function and cannot be redefined");
    else if (!Functions.emplace(f.name, &f).second)
      error(f.loc, "function '" + f.name + "' is defined twice");
    FnInfo &info = Info[i];
    info.retVar = Vars.fresh(isMain ? Type::Void : f.returnAnnotation);
    std::unordered_map<std::string, bool> seen;
    for (auto &param : f.params) {
      if (seen[param.name])
        error(param.loc, "parameter '" + param.name + "' is declared twice");
      seen[param.name] = true;
      info.slotVars.push_back(Vars.fresh(param.annotation));
    }
  }
}

void Sema::finalize() {
  for (auto &f : P.functions) {
    FnInfo &info = Info[f->index];
    Type ret = Vars.type(info.retVar);
    if (info.hasValueReturn || f->returnAnnotation != Type::Unknown)
      continue;
    if (ret == Type::Unknown)
      Vars.set(info.retVar, Type::Void);
    else if (ret != Type::Void)
      error(f->loc, "'" + f->name +
                        "' never returns a value, but its result is used as " +
                        std::string(typeName(ret)));
  }
  auto resolved = [&](int var) {
    Type t = Vars.type(var);
    if (t == Type::Unknown)
      Vars.set(var, t = Type::Number); // used nowhere that decides: a number
    return t;
  };
  for (auto &f : P.functions) {
    FnInfo &info = Info[f->index];
    f->returnType = resolved(info.retVar);
    f->paramTypes.clear();
    for (size_t i = 0; i < f->params.size(); ++i)
      f->paramTypes.push_back(resolved(info.slotVars[i]));
    f->slotTypes.clear();
    for (int v : info.slotVars)
      f->slotTypes.push_back(resolved(v));
  }
  for (auto &[e, var] : ExprVars)
    e->type = resolved(var);
  for (auto &use : ValueUses)
    if (Vars.type(use.var) == Type::Void)
      error(use.loc, use.what + " has no value (the function returns nothing)");
  for (auto &use : EqualityUses) {
    Type t = Vars.type(use.var);
    if (t != Type::Number && t != Type::Bool && t != Type::Void)
      error(use.loc, "'" + use.what + "' compares numbers or bools, not " +
                         std::string(typeName(t)) + "s");
  }
}

void Sema::block(BlockStmt &b) {
  Scopes.emplace_back();
  for (auto &s : b.body)
    stmt(*s);
  Scopes.pop_back();
}

void Sema::stmt(Stmt &s) {
  if (auto *l = dyn_cast<LetStmt>(&s)) {
    int var = value(*l->init, "the value of '" + l->name + "'");
    l->slot = declare(l->name, var);
  } else if (auto *a = dyn_cast<AssignStmt>(&s)) {
    assign(*a);
  } else if (auto *e = dyn_cast<ExprStmt>(&s)) {
    expr(*e->expr);
  } else if (auto *i = dyn_cast<IfStmt>(&s)) {
    ifChain(*i);
  } else if (auto *w = dyn_cast<WhileStmt>(&s)) {
    require(value(*w->cond, "condition"), Type::Bool, w->cond->loc,
            "the condition of 'while'");
    loopBody(*w->body);
  } else if (auto *f = dyn_cast<ForRangeStmt>(&s)) {
    require(value(*f->start, "range start"), Type::Number, f->start->loc,
            "the start of a range");
    require(value(*f->end, "range end"), Type::Number, f->end->loc,
            "the end of a range");
    f->slot = forBody(f->var, *f->body);
  } else if (auto *f = dyn_cast<ForEachStmt>(&s)) {
    require(value(*f->array, "loop array"), Type::Array, f->array->loc,
            "the value after 'in' (without '..')");
    f->slot = forBody(f->var, *f->body);
  } else if (isa<BreakStmt>(&s) || isa<ContinueStmt>(&s)) {
    if (LoopDepth == 0)
      error(s.loc, std::string("'") +
                       (isa<BreakStmt>(&s) ? "break" : "continue") +
                       "' outside a loop");
  } else if (auto *r = dyn_cast<ReturnStmt>(&s)) {
    returnStmt(*r);
  } else if (auto *b = dyn_cast<BlockStmt>(&s)) {
    block(*b);
  }
}

/// An else-if chain in a loop, not by recursion: chains have no length limit.
void Sema::ifChain(IfStmt &first) {
  for (IfStmt *arm = &first; arm;) {
    require(value(*arm->cond, "condition"), Type::Bool, arm->cond->loc,
            "the condition of 'if'");
    block(*arm->thenBlock);
    auto *next = dyn_cast<IfStmt>(arm->elseStmt.get());
    if (arm->elseStmt && !next)
      stmt(*arm->elseStmt);
    arm = next;
  }
}

/// The body of a `for` in a scope of its own that declares the loop
/// variable (a number); returns the variable's slot.
int Sema::forBody(const std::string &var, BlockStmt &body) {
  Scopes.emplace_back();
  int slot = declare(var, Vars.fresh(Type::Number));
  loopBody(body);
  Scopes.pop_back();
  return slot;
}

void Sema::returnStmt(ReturnStmt &r) {
  if (CurFn == P.main) {
    error(r.loc, "'return' outside a function");
    if (r.value)
      expr(*r.value);
  } else if (r.value) {
    Cur->hasValueReturn = true;
    unifyOr(Cur->retVar, value(*r.value, "the returned value"), r.value->loc,
            "return value of '" + CurFn->name + "'");
  } else if (!Vars.unify(Cur->retVar, VoidVar)) {
    error(r.loc, "'return' without a value in '" + CurFn->name +
                     "', which returns " + typeText(Cur->retVar));
  }
}

void Sema::assign(AssignStmt &s) {
  if (auto *v = dyn_cast<VarExpr>(s.target.get())) {
    int target = expr(*v);
    int val = value(*s.value, "the assigned value");
    if (v->slot >= 0)
      unifyOr(target, val, s.value->loc, "assignment to '" + v->name + "'");
    return;
  }
  auto *ix = cast<IndexExpr>(s.target.get());
  require(value(*ix->array, "array"), Type::Array, ix->array->loc,
          "the indexed value");
  require(value(*ix->index, "index"), Type::Number, ix->index->loc,
          "an array index");
  ExprVars.push_back({ix, Vars.fresh(Type::Number)});
  require(value(*s.value, "the assigned value"), Type::Number, s.value->loc,
          "an array element");
}

int Sema::value(Expr &e, const std::string & /*what*/) {
  int var = expr(e);
  if (auto *c = dyn_cast<CallExpr>(&e))
    ValueUses.push_back({var, e.loc, "'" + c->callee + "(…)'"});
  return var;
}

void Sema::require(int var, Type t, Loc loc, const std::string &what) {
  Type have = Vars.type(var);
  if (have == Type::Unknown) {
    Vars.set(var, t);
  } else if (have != t && have != Type::Void) {
    error(loc, what + " must be " + (t == Type::Array ? "an " : "a ") +
                   typeName(t) + ", found " + typeName(have));
  }
}

void Sema::unifyOr(int a, int b, Loc loc, const std::string &what) {
  if (Vars.type(a) == Type::Void || Vars.type(b) == Type::Void)
    return; // reported as a value use
  if (!Vars.unify(a, b))
    error(loc, "type mismatch in " + what + ": expected " + typeText(a) +
                   ", found " + typeText(b));
}

int Sema::expr(Expr &e) {
  int var;
  switch (e.kind) {
  case Expr::Kind::Number: var = Vars.fresh(Type::Number); break;
  case Expr::Kind::Bool: var = Vars.fresh(Type::Bool); break;
  case Expr::Kind::String:
    error(e.loc, "string literals can only be arguments of print");
    var = Vars.fresh(Type::String);
    break;
  case Expr::Kind::Var: var = variable(*cast<VarExpr>(&e)); break;
  case Expr::Kind::ArrayLit:
    for (auto &el : cast<ArrayLitExpr>(&e)->elements)
      require(value(*el, "element"), Type::Number, el->loc, "an array element");
    var = Vars.fresh(Type::Array);
    break;
  case Expr::Kind::Index: {
    auto &ix = *cast<IndexExpr>(&e);
    require(value(*ix.array, "array"), Type::Array, ix.array->loc,
            "the indexed value");
    require(value(*ix.index, "index"), Type::Number, ix.index->loc,
            "an array index");
    var = Vars.fresh(Type::Number);
    break;
  }
  case Expr::Kind::Unary: {
    auto &u = *cast<UnaryExpr>(&e);
    Type t = u.op == UnaryOp::Neg ? Type::Number : Type::Bool;
    require(value(*u.operand, "operand"), t, u.operand->loc,
            u.op == UnaryOp::Neg ? "the operand of unary '-'"
                                 : "the operand of '!'");
    var = Vars.fresh(t);
    break;
  }
  case Expr::Kind::Binary: var = binary(*cast<BinaryExpr>(&e)); break;
  case Expr::Kind::Call: var = call(*cast<CallExpr>(&e)); break;
  }
  ExprVars.push_back({&e, var});
  return var;
}

/// A variable's use: its slot in the innermost scope that declares it.
int Sema::variable(VarExpr &v) {
  for (auto it = Scopes.rbegin(); it != Scopes.rend() && v.slot < 0; ++it) {
    auto found = it->find(v.name);
    if (found != it->end())
      v.slot = found->second;
  }
  if (v.slot >= 0)
    return Cur->slotVars[v.slot];
  error(v.loc, Functions.count(v.name) || lookupBuiltin(v.name) != Builtin::None
                   ? "'" + v.name + "' is a function; call it with '(…)'"
                   : "unknown variable '" + v.name + "'");
  return Vars.fresh();
}

/// A chain `a + b + c ...` bottom-up in a loop (see leftSpine), in the
/// order a recursive walk would take: deepest lhs, then each rhs.
int Sema::binary(BinaryExpr &top) {
  std::vector<BinaryExpr *> spine = leftSpine(&top);
  int var = value(*spine.back()->lhs, "operand");
  for (size_t i = spine.size(); i-- > 0;) {
    BinaryExpr &e = *spine[i];
    var = combine(e, var, value(*e.rhs, "operand"));
    if (i > 0)
      ExprVars.push_back({&e, var}); // expr() records the top
  }
  return var;
}

/// The type of `e`, given its operands' type variables.
int Sema::combine(BinaryExpr &e, int lhs, int rhs) {
  std::string op = binaryOpSpelling(e.op);
  switch (e.op) {
  case BinaryOp::Eq:
  case BinaryOp::Ne:
    unifyOr(lhs, rhs, e.loc, "the operands of '" + op + "'");
    EqualityUses.push_back({lhs, e.loc, op});
    return Vars.fresh(Type::Bool);
  case BinaryOp::And:
  case BinaryOp::Or:
    require(lhs, Type::Bool, e.lhs->loc, "the left operand of '" + op + "'");
    require(rhs, Type::Bool, e.rhs->loc, "the right operand of '" + op + "'");
    return Vars.fresh(Type::Bool);
  default: {
    require(lhs, Type::Number, e.lhs->loc, "the left operand of '" + op + "'");
    require(rhs, Type::Number, e.rhs->loc, "the right operand of '" + op + "'");
    bool compare = e.op == BinaryOp::Lt || e.op == BinaryOp::Le ||
                   e.op == BinaryOp::Gt || e.op == BinaryOp::Ge;
    return Vars.fresh(compare ? Type::Bool : Type::Number);
  }
  }
}

int Sema::call(CallExpr &e) {
  Builtin b = lookupBuiltin(e.callee);
  if (b != Builtin::None && !Functions.count(e.callee))
    return builtinCall(e, b);
  auto f = Functions.find(e.callee);
  if (f == Functions.end()) {
    error(e.loc, "unknown function '" + e.callee + "'");
    for (auto &arg : e.args)
      expr(*arg);
    return Vars.fresh();
  }
  FuncDecl &target = *f->second;
  e.target = &target;
  if (e.args.size() != target.params.size())
    error(e.loc, "'" + e.callee + "' takes " +
                     std::to_string(target.params.size()) + " argument" +
                     (target.params.size() == 1 ? "" : "s") + ", got " +
                     std::to_string(e.args.size()));
  FnInfo &info = Info[target.index];
  for (size_t i = 0; i < e.args.size(); ++i) {
    int arg = value(*e.args[i], "argument");
    if (i < target.params.size())
      unifyOr(info.slotVars[i], arg, e.args[i]->loc,
              "argument " + std::to_string(i + 1) + " of '" + e.callee + "'");
  }
  return info.retVar;
}

int Sema::builtinCall(CallExpr &e, Builtin b) {
  e.builtin = b;
  int arity = builtinArity(b);
  if (arity >= 0 && int(e.args.size()) != arity) {
    error(e.loc, "'" + e.callee + "' takes " + std::to_string(arity) +
                     " argument" + (arity == 1 ? "" : "s") + ", got " +
                     std::to_string(e.args.size()));
    for (auto &arg : e.args)
      if (!isa<StringExpr>(arg.get()))
        expr(*arg);
    return Vars.fresh(builtinResult(b));
  }
  switch (b) {
  case Builtin::Print:
    for (auto &arg : e.args)
      if (isa<StringExpr>(arg.get()))
        ExprVars.push_back({arg.get(), Vars.fresh(Type::String)});
      else
        value(*arg, "argument");
    return VoidVar;
  case Builtin::Len:
    require(value(*e.args[0], "argument"), Type::Array, e.args[0]->loc,
            "the argument of 'len'");
    return Vars.fresh(Type::Number);
  case Builtin::Push:
    require(value(*e.args[0], "array"), Type::Array, e.args[0]->loc,
            "the receiver of 'push'");
    require(value(*e.args[1], "argument"), Type::Number, e.args[1]->loc,
            "the argument of 'push'");
    return VoidVar;
  default: // the numeric rows of Builtins.def: numbers to a number
    assert(isNumericBuiltin(b) && "a builtin without a typing rule");
    for (size_t i = 0; i < e.args.size(); ++i)
      require(value(*e.args[i], "argument"), Type::Number, e.args[i]->loc,
              "argument " + std::to_string(i + 1) + " of '" + e.callee + "'");
    return Vars.fresh(Type::Number);
  }
}

} // namespace

bool analyze(Program &program, DiagList &diags,
             const std::vector<Global> &globals) {
  return Sema(program, diags, globals).run();
}

} // namespace kiln::relay
