// IRGen: walks the AST and emits IR through an llvm::IRBuilder.
//
// Kiln's IR helpers (kiln/core/IRHelpers.h) build the parts every front end
// needs — functions, if/else, counted loops, calls to external functions —
// so this file is mostly about Ember's meaning: scopes, comparisons that
// give 0 or 1, and stopping at a `return`.
#include "IRGen.h"
#include "Casting.h"

#include "kiln/core/IRHelpers.h"

#include "llvm/IR/Module.h"

#include <map>
#include <vector>

namespace ember {

namespace {

using kiln::core::constF64;

class IRGen {
public:
  explicit IRGen(llvm::Module &module)
      : M(module), B(module.getContext()), F64(B.getDoubleTy()) {}
  void declare(const Function &fn);
  void define(const Function &fn);

private:
  llvm::AllocaInst *declareLocal(const std::string &name, llvm::Value *init);
  llvm::AllocaInst *lookup(const std::string &name) const;
  void block(const Block &body);
  void stmt(const Stmt *s);
  void ifStmt(const IfStmt *s);
  void whileStmt(const WhileStmt *s);
  void forStmt(const ForStmt *s);
  llvm::Value *expr(const Expr *e);
  llvm::Value *binary(const BinaryExpr *e);
  llvm::Value *call(const CallExpr *e);
  llvm::Value *truth(llvm::Value *v);

  llvm::Module &M;
  llvm::IRBuilder<> B;
  llvm::Type *F64;
  std::map<std::string, bool> Externs; // name -> declared with `extern`
  std::vector<std::map<std::string, llvm::AllocaInst *>> Scopes;
};

// [tutorial:irgen-declare]
/// Creates every function before any body is generated, so a call may come
/// before its callee's definition. Externs are declared on first call.
void IRGen::declare(const Function &fn) {
  if (fn.isExtern) {
    Externs[fn.name] = true;
    return;
  }
  auto *type = llvm::FunctionType::get(
      F64, std::vector<llvm::Type *>(fn.params.size(), F64), false);
  kiln::core::createFunction(M, B, fn.name, type, fn.params);
}
// [/tutorial]

// [tutorial:irgen-define]
void IRGen::define(const Function &fn) {
  llvm::Function *f = M.getFunction(fn.name);
  B.SetInsertPoint(&f->getEntryBlock());
  Scopes.assign(1, {});
  for (llvm::Argument &arg : f->args()) // parameters are mutable locals
    declareLocal(std::string(arg.getName()), &arg);
  block(fn.body);
  if (!B.GetInsertBlock()->getTerminator())
    B.CreateRet(constF64(B, 0.0)); // falling off the end returns 0
}
// [/tutorial]

// [tutorial:irgen-local]
/// A stack slot in the entry block, where mem2reg looks for them.
llvm::AllocaInst *IRGen::declareLocal(const std::string &name,
                                      llvm::Value *init) {
  llvm::BasicBlock &entry = B.GetInsertBlock()->getParent()->getEntryBlock();
  llvm::IRBuilder<> atEntry(&entry, entry.begin());
  llvm::AllocaInst *slot = atEntry.CreateAlloca(F64, nullptr, name);
  B.CreateStore(init, slot);
  Scopes.back()[name] = slot;
  return slot;
}
// [/tutorial]

llvm::AllocaInst *IRGen::lookup(const std::string &name) const {
  for (auto scope = Scopes.rbegin(); scope != Scopes.rend(); ++scope)
    if (auto it = scope->find(name); it != scope->end())
      return it->second;
  return nullptr; // unreachable for checked programs
}

void IRGen::block(const Block &body) {
  Scopes.emplace_back();
  for (const StmtPtr &s : body) {
    if (B.GetInsertBlock()->getTerminator())
      break; // the rest follows a `return`: dead code
    stmt(s.get());
  }
  Scopes.pop_back();
}

void IRGen::stmt(const Stmt *s) {
  if (auto *v = dyn_cast<VarStmt>(s)) {
    llvm::Value *value = expr(v->value.get());
    if (s->kind() == Stmt::Kind::Var)
      declareLocal(v->name, value);
    else
      B.CreateStore(value, lookup(v->name));
  } else if (auto *i = dyn_cast<IfStmt>(s)) {
    ifStmt(i);
  } else if (auto *w = dyn_cast<WhileStmt>(s)) {
    whileStmt(w);
  } else if (auto *f = dyn_cast<ForStmt>(s)) {
    forStmt(f);
  } else if (auto *e = dyn_cast<ExprStmt>(s)) {
    llvm::Value *value = expr(e->value.get());
    if (s->kind() == Stmt::Kind::Return)
      B.CreateRet(value);
  }
}

/// Ember's truth: any number but 0 (NaN counts as true, as in C).
llvm::Value *IRGen::truth(llvm::Value *v) {
  return B.CreateFCmpUNE(v, constF64(B, 0.0), "truth");
}

// [tutorial:irgen-if]
void IRGen::ifStmt(const IfStmt *s) {
  llvm::Value *cond = truth(expr(s->cond.get()));
  auto thenArm = [&](llvm::IRBuilder<> &) { block(s->thenBody); };
  auto elseArm = [&](llvm::IRBuilder<> &) { block(s->elseBody); };
  if (s->elseBody.empty())
    kiln::core::emitIfElse(B, cond, thenArm);
  else
    kiln::core::emitIfElse(B, cond, thenArm, elseArm);
}
// [/tutorial]

// [tutorial:irgen-while]
/// while.cond: test; while.body: body, back to cond; while.end: after.
void IRGen::whileStmt(const WhileStmt *s) {
  llvm::Function *f = B.GetInsertBlock()->getParent();
  auto *condBlock = llvm::BasicBlock::Create(M.getContext(), "while.cond", f);
  auto *bodyBlock = llvm::BasicBlock::Create(M.getContext(), "while.body", f);
  auto *endBlock = llvm::BasicBlock::Create(M.getContext(), "while.end");
  B.CreateBr(condBlock);
  B.SetInsertPoint(condBlock);
  B.CreateCondBr(truth(expr(s->cond.get())), bodyBlock, endBlock);
  B.SetInsertPoint(bodyBlock);
  block(s->body);
  if (!B.GetInsertBlock()->getTerminator())
    B.CreateBr(condBlock);
  f->insert(f->end(), endBlock); // after the body's blocks, for reading
  B.SetInsertPoint(endBlock);
}
// [/tutorial]

// [tutorial:irgen-for]
/// The bounds are evaluated once and rounded toward zero, saturating: NaN
/// becomes 0 and a number past the i64 range its nearest end. The counter
/// is a 64-bit integer phi (emitCountedLoop), copied into a double `var`.
void IRGen::forStmt(const ForStmt *s) {
  auto bound = [&](const Expr *e) {
    return B.CreateIntrinsic(llvm::Intrinsic::fptosi_sat, {B.getInt64Ty(), F64},
                             {expr(e)});
  };
  llvm::Value *start = bound(s->start.get());
  llvm::Value *end = bound(s->end.get());
  Scopes.emplace_back();
  llvm::AllocaInst *var = declareLocal(s->var, constF64(B, 0.0));
  auto body = [&](llvm::IRBuilder<> &, llvm::Value *i) {
    B.CreateStore(B.CreateSIToFP(i, F64), var);
    block(s->body);
  };
  kiln::core::emitCountedLoop(B, start, end, B.getInt64(1), body, "for");
  Scopes.pop_back();
}
// [/tutorial]

llvm::Value *IRGen::expr(const Expr *e) {
  if (auto *n = dyn_cast<NumberExpr>(e))
    return constF64(B, n->value);
  if (auto *v = dyn_cast<VariableExpr>(e))
    return B.CreateLoad(F64, lookup(v->name), v->name);
  if (auto *u = dyn_cast<UnaryExpr>(e))
    return B.CreateFNeg(expr(u->operand.get()), "neg");
  if (auto *b = dyn_cast<BinaryExpr>(e))
    return binary(b);
  return call(cast<CallExpr>(e));
}

// [tutorial:irgen-binary]
llvm::Value *IRGen::binary(const BinaryExpr *e) {
  llvm::Value *l = expr(e->lhs.get());
  llvm::Value *r = expr(e->rhs.get());
  llvm::Value *flag = nullptr; // comparisons give an i1, made 0.0 or 1.0
  switch (e->op) {
  case BinOp::Add: return B.CreateFAdd(l, r, "add");
  case BinOp::Sub: return B.CreateFSub(l, r, "sub");
  case BinOp::Mul: return B.CreateFMul(l, r, "mul");
  case BinOp::Div: return B.CreateFDiv(l, r, "div");
  case BinOp::Less: flag = B.CreateFCmpOLT(l, r); break;
  case BinOp::LessEq: flag = B.CreateFCmpOLE(l, r); break;
  case BinOp::Greater: flag = B.CreateFCmpOGT(l, r); break;
  case BinOp::GreaterEq: flag = B.CreateFCmpOGE(l, r); break;
  case BinOp::Equal: flag = B.CreateFCmpOEQ(l, r); break;
  case BinOp::NotEqual: flag = B.CreateFCmpUNE(l, r); break;
  }
  return B.CreateUIToFP(flag, F64, "bool");
}
// [/tutorial]

// [tutorial:irgen-call]
llvm::Value *IRGen::call(const CallExpr *e) {
  std::vector<llvm::Value *> args;
  for (const ExprPtr &arg : e->args)
    args.push_back(expr(arg.get()));
  if (Externs.count(e->callee)) // a host function: declare it, then call
    return kiln::core::callRuntime(B, e->callee, F64, args);
  return B.CreateCall(M.getFunction(e->callee), args, "call");
}
// [/tutorial]

} // namespace

// [tutorial:generate-ir]
llvm::Error generateIR(const Program &program, llvm::Module &module) {
  IRGen gen(module);
  for (const Function &fn : program.functions)
    gen.declare(fn);
  for (const Function &fn : program.functions)
    if (!fn.isExtern)
      gen.define(fn);
  return kiln::core::verifyModule(module);
}
// [/tutorial]

} // namespace ember
