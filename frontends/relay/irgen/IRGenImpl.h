// IRGenImpl: the IR generator's internal pieces, shared by its .cpp files.
//
// ModuleGen owns what generating one module needs (the builder, the callee
// table, the file-name string, the first internal error); FunctionGen emits
// one Relay function's body into it. Statements live in EmitStmt.cpp,
// expressions in EmitExpr.cpp, module-level glue (signatures, `.entry`
// wrappers, the executable's main) in IRGen.cpp. Nothing here is visible
// outside frontends/relay/irgen.
#pragma once

#include "IRGen.h"

#include "llvm/IR/IRBuilder.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kiln::relay::irgen {

/// generateProgram (internal callees, one module) or generateFunction (the
/// router's unit: every user callee is an external `relay.<name>`).
enum class Mode { Program, Single };

/// How a runtime or libm function is declared: the attributes let the
/// optimiser keep slow paths cold and hoist pure math out of loops.
enum class Callee {
  Plain,   ///< may read and write memory (printing, pushing)
  Pure,    ///< no memory effects (libm; errno is never read)
  Libm,    ///< Pure, and `nobuiltin` at the call: no rewriting by name
  NoReturn ///< a trap: cold, noreturn; the caller emits `unreachable`
};

struct ModuleGen {
  ModuleGen(const Program &program, const IRGenOptions &options,
            llvm::Module &module, Mode mode);

  const Program &program;
  const IRGenOptions &options;
  llvm::Module &module;
  llvm::IRBuilder<> b;
  Mode mode;
  /// Typed user functions by FuncDecl::index (Program mode only).
  std::vector<llvm::Function *> typed;

  /// number -> double, bool -> i1, array -> ptr, void -> void; null (and an
  /// error) for anything else.
  llvm::Type *typeOf(Type t, Loc where);
  /// The typed signature of `f`; null (and an error) when sema left holes.
  llvm::FunctionType *signature(const FuncDecl &f);
  /// What a call of `f` targets: the module's own definition in Program
  /// mode, an external `relay.<name>` declaration in Single mode.
  llvm::Function *callee(const FuncDecl &f);
  /// The source file name as a private global C string (made once).
  llvm::Constant *fileName();
  /// The runtime's `{ptr data, i64 length, i64 capacity}`.
  llvm::StructType *arrayType();
  /// TBAA tags that tell the optimiser an element store never changes an
  /// array's data pointer or length, so loops keep both in registers.
  /// TBAA classes: array fields, elements, and the runtime's depth
  /// counters (so the optimiser knows array stores never touch them and can
  /// fold an inlined call's depth increment and decrement away).
  enum class Access { Data, Length, Element, Depth };
  llvm::MDNode *tbaa(Access access);
  /// Declares (once) and calls `name` with attributes for `kind`.
  llvm::CallInst *call(llvm::StringRef name, llvm::Type *result,
                       llvm::ArrayRef<llvm::Value *> args,
                       Callee kind = Callee::Plain);
  /// An external i32 global of the runtime (kiln_rt_depth, ...).
  llvm::GlobalVariable *runtimeGlobal(llvm::StringRef name);

  /// Records the first internal error (an AST sema did not finish) and
  /// returns a placeholder of `t` so generation can go on safely.
  llvm::Value *fail(Loc where, const std::string &message,
                    llvm::Type *t = nullptr);
  /// The recorded error, if any, as an llvm::Error (success otherwise).
  llvm::Error takeError();

private:
  struct Failure {
    Loc loc;
    std::string message;
  };
  std::optional<Failure> firstError;
  llvm::Constant *fileString = nullptr;
  llvm::StructType *arrayStruct = nullptr;
  llvm::MDNode *tbaaTags[4] = {};
};

/// Emits the body of one Relay function into its typed LLVM function.
class FunctionGen {
public:
  FunctionGen(ModuleGen &m, const FuncDecl &decl, llvm::Function *fn);
  /// Prologue (slots, parameters, guards), body, and the fall-off path.
  void emit();

private:
  struct LoopTargets {
    llvm::BasicBlock *breakTo;
    llvm::BasicBlock *continueTo;
  };

  // ---- Frame and guards (EmitStmt.cpp) -----------------------------------
  void emitPrologue();
  void emitFallOff();
  llvm::AllocaInst *entryAlloca(llvm::Type *t, const llvm::Twine &name);
  llvm::AllocaInst *slot(int index, Type expected, Loc where);
  void pollInterrupt();
  void enterFrame();
  void leaveFrame();
  /// Branches to a new cold block when `failed`, emits `slowPath` there (a
  /// noreturn runtime call) and continues in a new block on the fast path.
  void emitCheck(llvm::Value *failed, const std::function<void()> &slowPath,
                 const llvm::Twine &name);
  llvm::BasicBlock *newBlock(const llvm::Twine &name);
  bool terminated() const;

  // ---- Statements (EmitStmt.cpp) ------------------------------------------
  void emitBlock(const BlockStmt *block);
  void emitStmt(const Stmt &stmt);
  void emitLet(const LetStmt &s);
  void emitAssign(const AssignStmt &s);
  void emitIf(const IfStmt &s);
  void emitWhile(const WhileStmt &s);
  void emitForRange(const ForRangeStmt &s);
  llvm::Value *int32Range(llvm::Value *start, llvm::Value *end);
  void emitForRangeInt(const ForRangeStmt &s, llvm::Value *start,
                       llvm::Value *end, bool exactVar);
  void emitForRangeDouble(const ForRangeStmt &s, llvm::Value *start,
                          llvm::Value *end, bool rare = false);
  void emitForEach(const ForEachStmt &s);
  void emitReturn(const ReturnStmt &s);
  void emitJump(bool isBreak, Loc where);
  /// The body of a loop iteration, then the jump to `continueTo`.
  void emitLoopBody(const BlockStmt *body, llvm::BasicBlock *continueTo,
                    llvm::BasicBlock *breakTo);

  // ---- Expressions (EmitExpr.cpp) -----------------------------------------
  /// The value of `e`; null for a void call.
  llvm::Value *emitExpr(const Expr &e);
  /// The value of `e`, which sema typed `t` (an error otherwise, also when
  /// `e` is missing).
  llvm::Value *emitAs(const Expr *e, Type t);
  llvm::Value *emitUnary(const UnaryExpr &e);
  llvm::Value *emitBinary(const BinaryExpr &e);
  llvm::Value *emitShortCircuit(const BinaryExpr &e);
  llvm::Value *emitComparison(const BinaryExpr &e);
  llvm::Value *emitArrayLiteral(const ArrayLitExpr &e);
  llvm::Value *emitIndexRead(const IndexExpr &e);
  llvm::Value *emitCall(const CallExpr &e);
  llvm::Value *emitUserCall(const CallExpr &e);
  llvm::Value *emitBuiltin(const CallExpr &e);
  llvm::Value *emitMath(const CallExpr &e);
  bool checkArity(const CallExpr &e, size_t n);
  void emitPrint(const CallExpr &e);

  // ---- Arrays (EmitExpr.cpp) ----------------------------------------------
  llvm::Value *arrayLength(llvm::Value *array);
  llvm::Value *arrayData(llvm::Value *array);
  /// Checks `index` exactly as kiln_rt_index_message does (trapping at
  /// `where` otherwise) and returns it as an i64.
  llvm::Value *checkedIndex(llvm::Value *array, llvm::Value *index, Loc where);
  /// checkedIndex for the index expression `e`: when `e` is integer
  /// arithmetic on an i32 loop counter (see exactInteger), only the bound is
  /// checked; otherwise `e` is evaluated as a double and fully checked.
  llvm::Value *checkedIndexOf(llvm::Value *array, const Expr *e, Loc where);
  llvm::Value *boundChecked(llvm::Value *array, llvm::Value *i, Loc where);
  /// `e` as an exact i64 when it is built from i32-counter loop variables,
  /// integer literals, + - and *, with every intermediate below 2^53 in
  /// magnitude (so the double evaluation would give the same integer);
  /// null otherwise. `bound` receives a bound on |e|.
  llvm::Value *exactInteger(const Expr *e, double &bound);
  llvm::Value *elementAddress(llvm::Value *array, llvm::Value *i64Index);
  llvm::Value *loadElement(llvm::Value *array, llvm::Value *i64Index);
  void storeElement(llvm::Value *array, llvm::Value *i64Index, llvm::Value *v);

  ModuleGen &M;
  llvm::IRBuilder<> &b;
  const FuncDecl &decl;
  llvm::Function *fn;
  std::vector<llvm::AllocaInst *> slots;
  std::vector<LoopTargets> loops;
  /// Innermost range loops running an i32 counter whose variable is never
  /// assigned: (variable slot, counter alloca).
  std::vector<std::pair<int, llvm::AllocaInst *>> intCounters;
  bool countsDepth; ///< user functions count toward the call depth; main not
  bool isLeaf = false;  ///< calls no user function
  bool bounded = false; ///< a leaf without loops: always finishes quickly
};

/// Frame slots / values of one 8-byte kiln::relay::Slot.
constexpr unsigned SlotBytes = 8;

} // namespace kiln::relay::irgen
