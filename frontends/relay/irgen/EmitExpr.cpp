// EmitExpr: Relay expressions, builtins and checked array access as IR.
//
// Operands are emitted strictly left to right, as docs/relay.md requires.
// Nothing carries fast-math flags: results must be bit-identical with the
// interpreter. sqrt/fabs/floor/ceil are LLVM intrinsics (exact, so the
// backend may use instructions); the other libm functions of Builtins.def
// are called by name with `nobuiltin`, so no rewrite (pow(2, x) -> exp2(x),
// sin(-x) -> -sin(x)) can change a last bit.
#include "IRGenImpl.h"

#include "kiln/core/IRHelpers.h"

#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"

#include <cmath>

using namespace llvm;

namespace kiln::relay::irgen {
namespace {

/// The libm function behind a RELAY_LIBM row of Builtins.def; null for
/// every other builtin.
const char *libmSymbol(Builtin builtin) {
  switch (builtin) {
    // clang-format off
#define RELAY_LIBM(Id, Name, Arity, Symbol, Doc) case Builtin::Id: return #Symbol;
#include "relay/syntax/Builtins.def"
  // clang-format on
  default: return nullptr;
  }
}

/// The libm builtins whose IEEE result is exact (correctly rounded), as the
/// LLVM intrinsic the backend may turn into one instruction.
Intrinsic::ID exactIntrinsic(Builtin builtin) {
  switch (builtin) {
  case Builtin::Sqrt: return Intrinsic::sqrt;
  case Builtin::Abs: return Intrinsic::fabs;
  case Builtin::Floor: return Intrinsic::floor;
  case Builtin::Ceil: return Intrinsic::ceil;
  default: return Intrinsic::not_intrinsic;
  }
}

/// Literals at least this long whose elements are all numbers (or negated
/// numbers) are copied from constant data instead of stored one by one: a
/// lookup table costs one memcpy, not one huge block of stores that the
/// code generator would take as -O0 code (lib/core/HugeBlocks.h) along with
/// the rest of its function. Shorter ones keep their stores, which the
/// optimiser folds into later reads.
constexpr size_t kMinConstantTable = 64;

/// The value of a number literal or a negated one (fneg, as emitted).
std::optional<double> constantNumber(const Expr &e) {
  if (e.type != Type::Number)
    return std::nullopt;
  if (auto *number = dyn_cast<NumberExpr>(&e))
    return number->value;
  auto *unary = dyn_cast<UnaryExpr>(&e);
  if (unary && unary->op == UnaryOp::Neg && unary->operand)
    if (std::optional<double> v = constantNumber(*unary->operand))
      return -*v;
  return std::nullopt;
}

/// A private constant with the elements of `e`, a long literal of constant
/// numbers; null for any other literal.
GlobalVariable *constantTable(Module &module, const ArrayLitExpr &e) {
  if (e.elements.size() < kMinConstantTable)
    return nullptr;
  std::vector<double> values;
  values.reserve(e.elements.size());
  for (const ExprPtr &element : e.elements) {
    std::optional<double> v =
        element ? constantNumber(*element) : std::nullopt;
    if (!v)
      return nullptr;
    values.push_back(*v);
  }
  Constant *init = ConstantDataArray::get(module.getContext(), values);
  auto *table = new GlobalVariable(module, init->getType(), /*isConstant=*/true,
                                   GlobalValue::PrivateLinkage, init,
                                   "relay.table");
  table->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  table->setAlignment(Align(8));
  return table;
}

} // namespace

Value *FunctionGen::emitAs(const Expr *e, Type t) {
  llvm::Type *want = M.typeOf(t, e ? e->loc : decl.loc);
  if (want->isVoidTy())
    want =
        b.getDoubleTy(); // a void value is an error; keep going with a double
  if (!e)
    return M.fail(decl.loc, "missing expression", want);
  if (e->type != t)
    return M.fail(e->loc,
                  std::string("expression of type '") + typeName(e->type) +
                      "' where '" + typeName(t) + "' is expected",
                  want);
  Value *v = emitExpr(*e);
  if (!v || v->getType() != want)
    return M.fail(e->loc, "expression without a usable value", want);
  return v;
}

Value *FunctionGen::checkValue(const Expr &e, Type t, Value *v) {
  llvm::Type *want = M.typeOf(t, e.loc);
  if (want->isVoidTy())
    want = b.getDoubleTy();
  if (e.type != t)
    return M.fail(e.loc,
                  std::string("expression of type '") + typeName(e.type) +
                      "' where '" + typeName(t) + "' is expected",
                  want);
  if (!v || v->getType() != want)
    return M.fail(e.loc, "expression without a usable value", want);
  return v;
}

Value *FunctionGen::emitExpr(const Expr &e) {
  switch (e.kind) {
  case Expr::Kind::Number:
    return core::constF64(b, static_cast<const NumberExpr &>(e).value);
  case Expr::Kind::Bool:
    return b.getInt1(static_cast<const BoolExpr &>(e).value);
  case Expr::Kind::String:
    return M.fail(e.loc, "a string outside print", b.getDoubleTy());
  case Expr::Kind::Var: {
    const auto &var = static_cast<const VarExpr &>(e);
    AllocaInst *a = slot(var.slot, var.type, var.loc);
    if (!a)
      return M.fail(e.loc, "unknown variable '" + var.name + "'",
                    b.getDoubleTy());
    return b.CreateLoad(a->getAllocatedType(), a, var.name);
  }
  case Expr::Kind::ArrayLit:
    return emitArrayLiteral(static_cast<const ArrayLitExpr &>(e));
  case Expr::Kind::Index:
    return emitIndexRead(static_cast<const IndexExpr &>(e));
  case Expr::Kind::Unary: return emitUnary(static_cast<const UnaryExpr &>(e));
  case Expr::Kind::Binary:
    return emitBinary(static_cast<const BinaryExpr &>(e));
  case Expr::Kind::Call: return emitCall(static_cast<const CallExpr &>(e));
  }
  return M.fail(e.loc, "unknown expression", b.getDoubleTy());
}

Value *FunctionGen::emitUnary(const UnaryExpr &e) {
  if (e.op == UnaryOp::Neg)
    return b.CreateFNeg(emitAs(e.operand.get(), Type::Number));
  return b.CreateNot(emitAs(e.operand.get(), Type::Bool));
}

namespace {

/// The type of `e`'s operands: bools for && || and for == != on bools.
Type operandType(const BinaryExpr &e) {
  if (e.op == BinaryOp::And || e.op == BinaryOp::Or)
    return Type::Bool;
  bool bools = e.lhs && e.lhs->type == Type::Bool &&
               (e.op == BinaryOp::Eq || e.op == BinaryOp::Ne);
  return bools ? Type::Bool : Type::Number;
}

} // namespace

/// Operands left to right, as a recursive walk would: the deepest lhs, then
/// each node's rhs on the way up.
Value *FunctionGen::emitBinary(const BinaryExpr &top) {
  std::vector<const BinaryExpr *> spine = leftSpine(&top);
  const BinaryExpr &deepest = *spine.back();
  Value *v = emitAs(deepest.lhs.get(), operandType(deepest));
  for (size_t i = spine.size(); i-- > 0;) {
    const BinaryExpr &e = *spine[i];
    if (i + 1 < spine.size())
      v = checkValue(*e.lhs, operandType(e), v);
    v = emitOperation(e, v);
  }
  return v;
}

Value *FunctionGen::emitOperation(const BinaryExpr &e, Value *lhs) {
  switch (e.op) {
  case BinaryOp::And:
  case BinaryOp::Or: return emitShortCircuit(e, lhs);
  case BinaryOp::Lt:
  case BinaryOp::Le:
  case BinaryOp::Gt:
  case BinaryOp::Ge:
  case BinaryOp::Eq:
  case BinaryOp::Ne: return emitComparison(e, lhs);
  default: break;
  }
  Value *rhs = emitAs(e.rhs.get(), Type::Number);
  switch (e.op) {
  case BinaryOp::Add: return b.CreateFAdd(lhs, rhs);
  case BinaryOp::Sub: return b.CreateFSub(lhs, rhs);
  case BinaryOp::Mul: return b.CreateFMul(lhs, rhs);
  case BinaryOp::Div: return b.CreateFDiv(lhs, rhs);
  default: // Mod: C's fmod, exact, so the optimiser may treat it as frem
    return M.call("fmod", b.getDoubleTy(), {lhs, rhs}, Callee::Pure);
  }
}

/// `a && b`, `a || b`: b only runs when a does not decide (or always, when
/// nothing could tell: see speculatable).
Value *FunctionGen::emitShortCircuit(const BinaryExpr &e, Value *lhs) {
  bool isAnd = e.op == BinaryOp::And;
  if (speculatable(e.rhs.get())) {
    Value *rhs = emitAs(e.rhs.get(), Type::Bool);
    return isAnd ? b.CreateAnd(lhs, rhs) : b.CreateOr(lhs, rhs);
  }
  BasicBlock *lhsEnd = b.GetInsertBlock();
  BasicBlock *rhsBlock = newBlock(isAnd ? "and.rhs" : "or.rhs");
  BasicBlock *join = newBlock(isAnd ? "and.end" : "or.end");
  if (isAnd)
    b.CreateCondBr(lhs, rhsBlock, join);
  else
    b.CreateCondBr(lhs, join, rhsBlock);
  b.SetInsertPoint(rhsBlock);
  Value *rhs = emitAs(e.rhs.get(), Type::Bool);
  BasicBlock *rhsEnd = b.GetInsertBlock();
  b.CreateBr(join);
  b.SetInsertPoint(join);
  PHINode *phi = b.CreatePHI(b.getInt1Ty(), 2, isAnd ? "and" : "or");
  phi->addIncoming(b.getInt1(!isAnd), lhsEnd);
  phi->addIncoming(rhs, rhsEnd);
  return phi;
}

/// Ordered compares (false with NaN) except `!=`, which NaN makes true.
Value *FunctionGen::emitComparison(const BinaryExpr &e, Value *lhs) {
  Type operand = operandType(e);
  bool bools = operand == Type::Bool;
  Value *rhs = emitAs(e.rhs.get(), operand);
  if (bools)
    return e.op == BinaryOp::Eq ? b.CreateICmpEQ(lhs, rhs)
                                : b.CreateICmpNE(lhs, rhs);
  switch (e.op) {
  case BinaryOp::Lt: return b.CreateFCmpOLT(lhs, rhs);
  case BinaryOp::Le: return b.CreateFCmpOLE(lhs, rhs);
  case BinaryOp::Gt: return b.CreateFCmpOGT(lhs, rhs);
  case BinaryOp::Ge: return b.CreateFCmpOGE(lhs, rhs);
  case BinaryOp::Eq: return b.CreateFCmpOEQ(lhs, rhs);
  default: return b.CreateFCmpUNE(lhs, rhs);
  }
}

// ---- Arrays -----------------------------------------------------------------

/// `[e1, e2, ...]`: a new array, then each element stored as soon as it is
/// computed. Allocating first is unobservable (no element can name the
/// array) and keeps no element live across the others, so a long literal
/// needs no frame slot per element at -O0 and no huge live ranges at -O2.
/// A long literal of constants is one copy from a table instead.
Value *FunctionGen::emitArrayLiteral(const ArrayLitExpr &e) {
  CallInst *array = M.call("kiln_rt_array_new", b.getPtrTy(),
                           {b.getInt64(int64_t(e.elements.size()))});
  // A fresh allocation, like malloc's: nothing else points into it yet.
  array->getCalledFunction()->addRetAttr(Attribute::NoAlias);
  M.markArrays(*array->getCalledFunction());
  if (e.elements.empty())
    return array;
  Value *data = arrayData(array); // no element can reach the array to grow it
  if (GlobalVariable *table = constantTable(M.module, e)) {
    b.CreateMemCpy(data, Align(8), table, Align(8),
                   b.getInt64(int64_t(8 * e.elements.size())));
    return array;
  }
  for (size_t i = 0; i < e.elements.size(); ++i) {
    Value *value = emitAs(e.elements[i].get(), Type::Number);
    b.CreateStore(value,
                  b.CreateConstInBoundsGEP1_64(b.getDoubleTy(), data, i))
        ->setMetadata(LLVMContext::MD_tbaa, M.tbaa(ModuleGen::Access::Element));
  }
  return array;
}

Value *FunctionGen::emitIndexRead(const IndexExpr &e) {
  Value *array = emitAs(e.array.get(), Type::Array);
  return loadElement(elementOf(e.array.get(), array, e.index.get(), e.loc));
}

Value *FunctionGen::elementOf(const Expr *arrayExpr, Value *array,
                              const Expr *index, Loc where) {
  if (const IntCounter *c = rangeCounter(arrayExpr, index))
    return elementAddress(array, counterValue(*c));
  return checkedElementOf(array, index, where);
}

const FunctionGen::IntCounter *
FunctionGen::rangeCounter(const Expr *array, const Expr *index) const {
  const auto *a = dyn_cast_or_null<VarExpr>(array);
  const auto *i = dyn_cast_or_null<VarExpr>(index);
  if (!a || !i)
    return nullptr;
  for (auto c = intCounters.rbegin(); c != intCounters.rend(); ++c)
    if (c->slot == i->slot)
      return c->within >= 0 && c->within == a->slot ? &*c : nullptr;
  return nullptr;
}

Value *FunctionGen::counterValue(const IntCounter &c) {
  llvm::Type *t = c.counter->getAllocatedType();
  return b.CreateSExtOrTrunc(b.CreateLoad(t, c.counter), b.getInt64Ty());
}

Value *FunctionGen::checkedElementOf(Value *array, const Expr *e, Loc where) {
  double bound = 0;
  if (Value *exact = exactInteger(e, bound))
    return boundCheckedElement(array, exact, where);
  return checkedElement(array, emitAs(e, Type::Number), where);
}

/// An integer index: only 0 <= i < length is left to check (one unsigned
/// compare); the slow path passes the runtime the same double index the
/// generic path would. The data pointer is loaded beside the length (both
/// may be loaded early: see ModuleGen::markArrays).
Value *FunctionGen::boundCheckedElement(Value *array, Value *i, Loc where) {
  Value *data = arrayData(array);
  emitCheck(
      b.CreateICmpUGE(i, arrayLength(array), "bad.index"),
      [&] {
        M.call("kiln_rt_index_trap", b.getVoidTy(),
               {array, b.CreateSIToFP(i, b.getDoubleTy()), M.fileName(),
                b.getInt32(where.line), b.getInt32(where.col)},
               Callee::NoReturn);
      },
      "index.trap");
  return b.CreateInBoundsGEP(b.getDoubleTy(), data, i);
}

Value *FunctionGen::exactInteger(const Expr *e, double &bound, int depth) {
  // A deep tree is not worth the recursion: the general path handles it.
  if (!e || e->type != Type::Number || depth > 16)
    return nullptr;
  if (const auto *bin = dyn_cast<BinaryExpr>(e))
    return exactArithmetic(*bin, bound, depth);
  return exactLeaf(*e, bound);
}

/// exactInteger of an integer literal (|n| <= 2^31), `len(variable)` or
/// an integer loop counter.
Value *FunctionGen::exactLeaf(const Expr &e, double &bound) {
  if (const auto *n = dyn_cast<NumberExpr>(&e)) {
    if (n->value != std::trunc(n->value) || std::fabs(n->value) > 2147483648.0)
      return nullptr;
    bound = std::fabs(n->value);
    return b.getInt64(int64_t(n->value));
  }
  // An array's length: at most 2^47 bytes of user address space / 8.
  if (const auto *call = dyn_cast<CallExpr>(&e)) {
    if (call->builtin != Builtin::Len || call->args.size() != 1 ||
        !isa<VarExpr>(call->args[0].get()))
      return nullptr;
    bound = 17592186044416.0; // 2^44
    return arrayLength(emitAs(call->args[0].get(), Type::Array));
  }
  if (const auto *v = dyn_cast<VarExpr>(&e)) {
    for (const IntCounter &c : intCounters)
      if (c.slot == v->slot) {
        bound = c.bound;
        return counterValue(c);
      }
  }
  return nullptr;
}

/// exactInteger of `l + r`, `l - r` or `l * r` on exact operands whose
/// result stays below 2^53 in magnitude.
Value *FunctionGen::exactArithmetic(const BinaryExpr &bin, double &bound,
                                    int depth) {
  constexpr double Limit = 9007199254740992.0; // 2^53
  if (bin.op != BinaryOp::Add && bin.op != BinaryOp::Sub &&
      bin.op != BinaryOp::Mul)
    return nullptr;
  // Only pure loads and integer arithmetic are emitted here, so a failed
  // attempt leaves dead instructions and no effects.
  double lb = 0, rb = 0;
  Value *l = exactInteger(bin.lhs.get(), lb, depth + 1);
  Value *r = exactInteger(bin.rhs.get(), rb, depth + 1);
  if (!l || !r)
    return nullptr;
  bound = bin.op == BinaryOp::Mul ? lb * rb : lb + rb;
  if (bound >= Limit)
    return nullptr;
  switch (bin.op) {
  case BinaryOp::Add: return b.CreateNSWAdd(l, r);
  case BinaryOp::Sub: return b.CreateNSWSub(l, r);
  default: return b.CreateNSWMul(l, r);
  }
}

Value *FunctionGen::loadElement(Value *address) {
  LoadInst *load = b.CreateLoad(b.getDoubleTy(), address, "element");
  load->setMetadata(LLVMContext::MD_tbaa, M.tbaa(ModuleGen::Access::Element));
  return load;
}

void FunctionGen::storeElement(Value *address, Value *v) {
  b.CreateStore(v, address)
      ->setMetadata(LLVMContext::MD_tbaa, M.tbaa(ModuleGen::Access::Element));
}

Value *FunctionGen::arrayLength(Value *array) {
  LoadInst *load = b.CreateLoad(
      b.getInt64Ty(), b.CreateStructGEP(M.arrayType(), array, 1), "length");
  load->setMetadata(LLVMContext::MD_tbaa, M.tbaa(ModuleGen::Access::Length));
  return load;
}

Value *FunctionGen::arrayData(Value *array) {
  LoadInst *load = b.CreateLoad(
      b.getPtrTy(), b.CreateStructGEP(M.arrayType(), array, 0), "data");
  load->setMetadata(LLVMContext::MD_tbaa, M.tbaa(ModuleGen::Access::Data));
  return load;
}

Value *FunctionGen::elementAddress(Value *array, Value *i64Index) {
  return b.CreateInBoundsGEP(b.getDoubleTy(), arrayData(array), i64Index);
}

/// kiln_rt_array_push's common case inline (length < capacity: store and
/// count), so a filling loop makes no call per element; a full array goes
/// to the runtime, which grows it exactly as before.
void FunctionGen::emitPush(Value *array, Value *v) {
  Value *lengthAddr = b.CreateStructGEP(M.arrayType(), array, 1);
  Value *length = arrayLength(array);
  LoadInst *capacity = b.CreateLoad(
      b.getInt64Ty(), b.CreateStructGEP(M.arrayType(), array, 2), "capacity");
  capacity->setMetadata(LLVMContext::MD_tbaa,
                        M.tbaa(ModuleGen::Access::Capacity));
  BasicBlock *fast = newBlock("push.fast");
  BasicBlock *slow = newBlock("push.grow");
  BasicBlock *done = newBlock("push.done");
  b.CreateCondBr(b.CreateICmpSLT(length, capacity), fast, slow,
                 MDBuilder(b.getContext()).createLikelyBranchWeights());
  b.SetInsertPoint(fast);
  storeElement(elementAddress(array, length), v);
  b.CreateStore(b.CreateNSWAdd(length, b.getInt64(1)), lengthAddr)
      ->setMetadata(LLVMContext::MD_tbaa, M.tbaa(ModuleGen::Access::Length));
  b.CreateBr(done);
  b.SetInsertPoint(slow);
  M.call("kiln_rt_array_push", b.getVoidTy(), {array, v});
  b.CreateBr(done);
  b.SetInsertPoint(done);
}

/// Exactly kiln_rt_index_message's test (index == floor(index), 0 <= index
/// < length), in two compares: i = freeze(fptosi(index)) converts back to
/// the same double only for an integral index within i64 range (for NaN or
/// out-of-range values i is some fixed i64 that cannot convert back to
/// them, except ±2^63, which the unsigned bound then rejects), and an
/// unsigned i < length rejects negatives. One cvttsd2si on x86-64. The
/// slow path lets the runtime word the error.
Value *FunctionGen::checkedElement(Value *array, Value *index, Loc where) {
  Value *data = arrayData(array);
  Value *i = b.CreateFreeze(b.CreateFPToSI(index, b.getInt64Ty()), "index");
  Value *whole = b.CreateFCmpOEQ(b.CreateSIToFP(i, b.getDoubleTy()), index);
  Value *inRange = b.CreateICmpULT(i, arrayLength(array));
  emitCheck(
      b.CreateNot(b.CreateAnd(whole, inRange), "bad.index"),
      [&] {
        M.call("kiln_rt_index_trap", b.getVoidTy(),
               {array, index, M.fileName(), b.getInt32(where.line),
                b.getInt32(where.col)},
               Callee::NoReturn);
      },
      "index.trap");
  return b.CreateInBoundsGEP(b.getDoubleTy(), data, i);
}

// ---- Calls ------------------------------------------------------------------

Value *FunctionGen::emitCall(const CallExpr &e) {
  return e.builtin == Builtin::None ? emitUserCall(e) : emitBuiltin(e);
}

Value *FunctionGen::emitUserCall(const CallExpr &e) {
  llvm::Type *result =
      M.typeOf(e.type == Type::Unknown ? Type::Void : e.type, e.loc);
  if (!e.target)
    return M.fail(e.loc, "call of unknown function '" + e.callee + "'", result);
  const FuncDecl &target = *e.target;
  if (e.args.size() != target.paramTypes.size())
    return M.fail(e.loc,
                  "call of '" + target.name + "' with " +
                      std::to_string(e.args.size()) + " arguments",
                  result);
  std::vector<Value *> args;
  for (size_t i = 0; i < e.args.size(); ++i)
    args.push_back(emitAs(e.args[i].get(), target.paramTypes[i]));
  Function *callee = M.callee(target);
  if (!callee)
    return M.fail(e.loc, "no function for '" + target.name + "'", result);
  if (M.takesBudget(target)) {
    if (!calleeBudget)
      return M.fail(e.loc, "call of '" + target.name + "' without a budget",
                    result);
    args.push_back(calleeBudget);
  }
  CallInst *call = b.CreateCall(callee, args);
  return call->getType()->isVoidTy() ? nullptr : call;
}

bool FunctionGen::checkArity(const CallExpr &e, size_t n) {
  if (e.args.size() == n)
    return true;
  M.fail(e.loc, std::string("builtin '") + builtinName(e.builtin) +
                    "' called with " + std::to_string(e.args.size()) +
                    " arguments");
  return false;
}

Value *FunctionGen::emitBuiltin(const CallExpr &e) {
  switch (e.builtin) {
  case Builtin::None: break;
  case Builtin::Print: emitPrint(e); return nullptr;
  case Builtin::Len:
    if (!checkArity(e, 1))
      return PoisonValue::get(b.getDoubleTy());
    return b.CreateSIToFP(arrayLength(emitAs(e.args[0].get(), Type::Array)),
                          b.getDoubleTy(), "len");
  case Builtin::Push:
    if (checkArity(e, 2)) {
      Value *array = emitAs(e.args[0].get(), Type::Array);
      Value *v = emitAs(e.args[1].get(), Type::Number);
      emitPush(array, v);
    }
    return nullptr;
#define RELAY_MATH(Id, Name, Arity, Doc) case Builtin::Id:
#define RELAY_LIBM(Id, Name, Arity, Symbol, Doc) case Builtin::Id:
#include "relay/syntax/Builtins.def"
    return emitMath(e);
  }
  return M.fail(e.loc, "unknown builtin", b.getDoubleTy());
}

/// The numeric builtins of Builtins.def: min/max by their definitions in
/// docs/relay.md, the others as libm's functions.
Value *FunctionGen::emitMath(const CallExpr &e) {
  llvm::Type *f64 = b.getDoubleTy();
  if (!checkArity(e, size_t(builtinArity(e.builtin))))
    return PoisonValue::get(f64);
  std::vector<Value *> args;
  for (const ExprPtr &arg : e.args)
    args.push_back(emitAs(arg.get(), Type::Number));
  if (e.builtin == Builtin::Min) // b < a ? b : a
    return b.CreateSelect(b.CreateFCmpOLT(args[1], args[0]), args[1], args[0],
                          "min");
  if (e.builtin == Builtin::Max) // b > a ? b : a
    return b.CreateSelect(b.CreateFCmpOGT(args[1], args[0]), args[1], args[0],
                          "max");
  Intrinsic::ID exact = exactIntrinsic(e.builtin);
  if (exact != Intrinsic::not_intrinsic)
    return b.CreateUnaryIntrinsic(exact, args[0]);
  if (const char *symbol = libmSymbol(e.builtin))
    return M.call(symbol, f64, args, Callee::Libm);
  return M.fail(e.loc, "unknown builtin", f64);
}

/// All arguments first (left to right), then the printing: one space
/// between them and a newline at the end.
void FunctionGen::emitPrint(const CallExpr &e) {
  std::vector<std::pair<Type, Value *>> values;
  for (const ExprPtr &arg : e.args) {
    if (const auto *text = dyn_cast<StringExpr>(arg.get()))
      values.push_back({Type::String, core::constString(b, text->value)});
    else if (arg && arg->type != Type::Void && arg->type != Type::Unknown)
      values.push_back({arg->type, emitAs(arg.get(), arg->type)});
    else
      M.fail(arg ? arg->loc : e.loc, "print of a value-less expression");
  }
  llvm::Type *voidTy = b.getVoidTy();
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0)
      M.call("kiln_rt_print_space", voidTy, {});
    auto [type, v] = values[i];
    if (type == Type::Number)
      M.call("kiln_rt_print_f64", voidTy, {v});
    else if (type == Type::Bool)
      M.call("kiln_rt_print_bool", voidTy, {b.CreateZExt(v, b.getInt32Ty())});
    else if (type == Type::Array)
      M.call("kiln_rt_print_array", voidTy, {v});
    else
      M.call("kiln_rt_print_str", voidTy, {v});
  }
  M.call("kiln_rt_print_newline", voidTy, {});
}

} // namespace kiln::relay::irgen
