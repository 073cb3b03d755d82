// Interpreter: a Machine holds the scopes of the running function and
// evaluates statements and expressions recursively.
//
// Every rule here mirrors a line of chapter 4's IRGen: evaluation order
// (left to right), truth (not zero; NaN is true), comparisons (false on NaN
// except !=), `for` bounds (rounded toward zero, evaluated once), and
// falling off the end of a function (returns 0).
#include "Interpreter.h"
#include "Casting.h"
#include "Host.h"

#include <cmath>
#include <dlfcn.h>
#include <map>
#include <optional>

namespace ember {

namespace {

using Scope = std::map<std::string, double>;
enum class Flow { Next, Return };

/// Deep enough for real programs, shallow enough for the C++ stack.
constexpr unsigned MaxCallDepth = 400;

} // namespace

struct Interpreter::Machine {
  Machine(const Program &program, uint64_t stepLimit);
  double callFunction(const Function &fn, const std::vector<double> &args,
                      kiln::SourceLoc at);
  Flow block(const Block &body);
  Flow stmt(const Stmt *s);
  Flow forStmt(const ForStmt *s);
  double expr(const Expr *e);
  double binary(const BinaryExpr *e);
  double call(const CallExpr *e);
  double callExtern(const CallExpr *e, const std::vector<double> &args);
  double &lookup(const std::string &name);
  double fail(kiln::SourceLoc loc, std::string message);
  bool tick(kiln::SourceLoc loc);

  std::map<std::string, const Function *> Functions;
  std::vector<Scope> Scopes; // of the running function, innermost last
  double ReturnValue = 0;
  uint64_t Steps = 0, StepLimit;
  unsigned Depth = 0;
  std::optional<kiln::Diagnostic> Failure;
  CallHook Hook;
};

Interpreter::Machine::Machine(const Program &program, uint64_t stepLimit)
    : StepLimit(stepLimit) {
  for (const Function &fn : program.functions)
    Functions[fn.name] = &fn;
}

/// Counts one step of work; false (with a runtime error) once the budget is
/// spent or after any error, so that every loop stops.
bool Interpreter::Machine::tick(kiln::SourceLoc loc) {
  if (++Steps > StepLimit)
    fail(loc, "step limit reached (an endless loop?)");
  return !Failure;
}

/// Records the first runtime error; execution then unwinds (every loop and
/// block stops once Failure is set).
double Interpreter::Machine::fail(kiln::SourceLoc loc, std::string message) {
  if (!Failure)
    Failure = kiln::Diagnostic{loc, std::move(message), kiln::Severity::Error,
                               kiln::ErrorKind::Runtime};
  return 0;
}

double &Interpreter::Machine::lookup(const std::string &name) {
  for (auto scope = Scopes.rbegin(); scope != Scopes.rend(); ++scope)
    if (auto it = scope->find(name); it != scope->end())
      return it->second;
  return Scopes.back()[name]; // unreachable for checked programs
}

// [tutorial:interp-call]
double Interpreter::Machine::callFunction(const Function &fn,
                                          const std::vector<double> &args,
                                          kiln::SourceLoc at) {
  double result = 0;
  if (Hook && Hook(fn, args, result))
    return result; // someone else (compiled code) ran it
  if (Depth == MaxCallDepth)
    return fail(at, "call depth limit reached calling '" + fn.name + "'");
  std::vector<Scope> callerScopes = std::move(Scopes);
  Scopes.assign(1, {});
  for (size_t i = 0; i < args.size(); ++i)
    Scopes.back()[fn.params[i]] = args[i];
  ++Depth;
  Flow flow = block(fn.body);
  --Depth;
  Scopes = std::move(callerScopes);
  return flow == Flow::Return ? ReturnValue : 0; // falling off: 0
}
// [/tutorial]

Flow Interpreter::Machine::block(const Block &body) {
  Scopes.emplace_back();
  Flow flow = Flow::Next;
  for (const StmtPtr &s : body)
    if ((flow = stmt(s.get())) == Flow::Return)
      break;
  Scopes.pop_back();
  return flow;
}

// [tutorial:interp-stmt]
Flow Interpreter::Machine::stmt(const Stmt *s) {
  if (!tick(s->loc()))
    return Flow::Return;
  if (auto *v = dyn_cast<VarStmt>(s)) {
    double value = expr(v->value.get());
    if (s->kind() == Stmt::Kind::Var)
      Scopes.back()[v->name] = value;
    else
      lookup(v->name) = value;
  } else if (auto *i = dyn_cast<IfStmt>(s)) {
    return block(expr(i->cond.get()) != 0 ? i->thenBody : i->elseBody);
  } else if (auto *w = dyn_cast<WhileStmt>(s)) {
    while (expr(w->cond.get()) != 0 && tick(s->loc())) // `while 1 {}` too
      if (block(w->body) == Flow::Return)
        return Flow::Return;
  } else if (auto *f = dyn_cast<ForStmt>(s)) {
    return forStmt(f);
  } else if (auto *e = dyn_cast<ExprStmt>(s)) {
    double value = expr(e->value.get());
    if (s->kind() == Stmt::Kind::Return) {
      ReturnValue = value;
      return Flow::Return;
    }
  }
  return Failure ? Flow::Return : Flow::Next;
}
// [/tutorial]

// [tutorial:interp-for]
Flow Interpreter::Machine::forStmt(const ForStmt *s) {
  double first = expr(s->start.get()), last = expr(s->end.get());
  // The JIT saturates (NaN is 0, a huge bound the int64 range's end); a
  // C++ cast of such a value is undefined, and here it is an error.
  auto inRange = [](double v) { return std::fabs(v) < 9.2e18; };
  if (!inRange(first) || !inRange(last)) {
    fail(s->loc(), "for-loop bound out of range");
    return Flow::Return;
  }
  Scopes.emplace_back();
  Flow flow = Flow::Next;
  for (int64_t i = (int64_t)first; i < (int64_t)last && tick(s->loc()); ++i) {
    Scopes.back()[s->var] = (double)i;
    if ((flow = block(s->body)) == Flow::Return)
      break;
  }
  Scopes.pop_back();
  return Failure ? Flow::Return : flow;
}
// [/tutorial]

double Interpreter::Machine::expr(const Expr *e) {
  if (auto *n = dyn_cast<NumberExpr>(e))
    return n->value;
  if (auto *v = dyn_cast<VariableExpr>(e))
    return lookup(v->name);
  if (auto *u = dyn_cast<UnaryExpr>(e))
    return -expr(u->operand.get());
  if (auto *b = dyn_cast<BinaryExpr>(e))
    return binary(b);
  return call(cast<CallExpr>(e));
}

// [tutorial:interp-binary]
double Interpreter::Machine::binary(const BinaryExpr *e) {
  double l = expr(e->lhs.get());
  double r = expr(e->rhs.get());
  switch (e->op) {
  case BinOp::Add: return l + r;
  case BinOp::Sub: return l - r;
  case BinOp::Mul: return l * r;
  case BinOp::Div: return l / r;
  case BinOp::Less: return l < r;
  case BinOp::LessEq: return l <= r;
  case BinOp::Greater: return l > r;
  case BinOp::GreaterEq: return l >= r;
  case BinOp::Equal: return l == r;
  case BinOp::NotEqual: return l != r;
  }
  return 0;
}
// [/tutorial]

double Interpreter::Machine::call(const CallExpr *e) {
  std::vector<double> args;
  for (const ExprPtr &arg : e->args)
    args.push_back(expr(arg.get()));
  if (Failure)
    return 0;
  const Function &fn = *Functions.at(e->callee); // checked: it exists
  return fn.isExtern ? callExtern(e, args) : callFunction(fn, args, e->loc());
}

/// A host function from the table, else a C function of the process (as
/// the JIT resolves it), called through the same pointer as compiled code.
double Interpreter::Machine::callExtern(const CallExpr *e,
                                        const std::vector<double> &args) {
  const HostFunction *host = findHostFunction(e->callee);
  void *address = host ? host->address : dlsym(RTLD_DEFAULT, e->callee.c_str());
  double result = 0;
  if (!address)
    return fail(e->loc(), "no host function '" + e->callee + "'");
  if (!callNative(address, args, result))
    return fail(e->loc(), "too many arguments for a host function");
  return result;
}

Interpreter::Interpreter(const Program &program, uint64_t stepLimit)
    : M(std::make_unique<Machine>(program, stepLimit)) {}
Interpreter::~Interpreter() = default;

kiln::Expected<double> Interpreter::call(const std::string &name,
                                         const std::vector<double> &args) {
  auto it = M->Functions.find(name);
  if (it == M->Functions.end() || it->second->isExtern ||
      it->second->params.size() != args.size())
    return kiln::errorDiagnostic("no function '" + name + "' taking " +
                                 std::to_string(args.size()) + " argument(s)");
  M->Failure.reset();
  double result = M->callFunction(*it->second, args, it->second->loc);
  if (M->Failure)
    return *M->Failure;
  return result;
}

void Interpreter::setCallHook(CallHook hook) { M->Hook = std::move(hook); }
uint64_t Interpreter::steps() const { return M->Steps; }

} // namespace ember
