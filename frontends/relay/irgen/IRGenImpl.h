// IRGenImpl: the IR generator's internal pieces, shared by its .cpp files.
//
// ModuleGen owns what generating one module needs (the builder, the callee
// table, the file-name string, the first internal error); FunctionGen emits
// one Relay function's body into it. Statements live in EmitStmt.cpp,
// expressions in EmitExpr.cpp, module-level glue (signatures, `.entry`
// wrappers, the executable's main) in IRGen.cpp. Nothing here is visible
// outside frontends/relay/irgen.
#pragma once

#include "DebugInfo.h"
#include "IRGen.h"
#include "LoopFacts.h"

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
  /// Single mode: the function being compiled, which calls itself
  /// directly (recursion then optimises as in Program mode).
  const FuncDecl *self = nullptr;
  llvm::Function *selfFn = nullptr;
  /// OSR of the top-level code: slot values fixed before the loop (see
  /// fixedSlots), compiled in as constants instead of loaded.
  std::vector<std::optional<uint64_t>> osrConstants;
  /// DWARF, with IRGenOptions::debugInfo (never in OSR modules); null
  /// otherwise. FunctionGen reports its functions, blocks and statements.
  std::unique_ptr<DebugInfo> debug;

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
  /// counters and timeout flag (so the optimiser knows array stores never
  /// touch them, and a timeout poll never reloads an array field).
  enum class Access { Data, Length, Element, Depth, Capacity };
  llvm::MDNode *tbaa(Access access);
  /// Declares (once) and calls `name` with attributes for `kind`.
  llvm::CallInst *call(llvm::StringRef name, llvm::Type *result,
                       llvm::ArrayRef<llvm::Value *> args,
                       Callee kind = Callee::Plain);
  /// Marks `f`'s array parameters and result as pointing to a whole,
  /// aligned kiln_rt_array (every array value does), so the optimiser may
  /// load an array's data pointer and length ahead of a check.
  void markArrays(llvm::Function &f);
  /// An external i32 global of the runtime (kiln_rt_depth, ...).
  llvm::GlobalVariable *runtimeGlobal(llvm::StringRef name);
  /// A runtime global of another type (a pointer-sized one: llvm::ptr).
  llvm::GlobalVariable *runtimeGlobal(llvm::StringRef name, llvm::Type *type);
  /// Whether `f`'s typed function takes the hidden call budget (an i32
  /// after its parameters): every user function when guards are on.
  bool takesBudget(const FuncDecl &f) const;
  /// The budget of code entered from the runtime's side (the interpreter,
  /// the router, a C main) at `calls` levels below the depth it counts in
  /// kiln_rt_depth: kiln_rt_max_depth - kiln_rt_depth - calls, from two
  /// loads at the insert point.
  llvm::Value *budgetFromRuntime(int calls);

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
  llvm::MDNode *tbaaTags[5] = {};
};

/// Emits the body of one Relay function into its typed LLVM function.
class FunctionGen {
public:
  /// With `osrLoop`, fn is the OSR continuation from that loop's header
  /// (see generateOsr): it takes (ptr frame, ptr loops[, i32 budget]).
  FunctionGen(ModuleGen &m, const FuncDecl &decl, llvm::Function *fn,
              const Stmt *osrLoop = nullptr);
  /// Prologue (slots, parameters, guards), body, and the fall-off path.
  void emit();

private:
  struct LoopTargets {
    llvm::BasicBlock *breakTo;
    llvm::BasicBlock *continueTo;
  };
  /// A loop entered at its header with the hidden state the interpreter
  /// had (OSR): a range loop's counter and end (doubles), or an array
  /// loop's array and index (i64).
  struct Resume {
    llvm::Value *counter = nullptr, *end = nullptr;
    llvm::Value *array = nullptr, *index = nullptr;
  };

  // ---- On-stack replacement (EmitOsr.cpp) ----------------------------------
  /// The continuation from osrLoop's header: the slots from the frame, the
  /// loop resumed, then the rest of each enclosing loop's iteration, that
  /// loop resumed, and so on out to the rest of the function.
  void emitOsr();
  void loadFrame(llvm::Value *frame);
  /// `loop` entered at its header with `state` (ignored for while loops,
  /// which keep no hidden state).
  void emitResumed(const Stmt &loop, const Resume &state);
  /// The hidden state in the interpreter's record `rec` of `loop`.
  Resume loadResume(const Stmt &loop, llvm::Value *rec);
  /// The state of `loop`'s next iteration after `state`'s.
  Resume nextIteration(const Stmt &loop, const Resume &state);
  /// A loop around the hot one: its record's state, and the blocks where
  /// its next iteration starts (latch) and where it ends (exit).
  struct Enclosing {
    const Stmt *loop;
    Resume state;
    llvm::BasicBlock *latch, *exit;
  };
  std::vector<Enclosing> enclosingLoops(const std::vector<const Stmt *> &path,
                                        llvm::Value *rec);
  void emitRestOfBlock(const BlockStmt &block, const Stmt *done);
  void emitRestOfLoop(const Enclosing &e);

  // ---- Frame and guards (EmitStmt.cpp) -----------------------------------
  void emitPrologue();
  void emitFallOff();
  llvm::AllocaInst *entryAlloca(llvm::Type *t, const llvm::Twine &name);
  llvm::AllocaInst *slot(int index, Type expected, Loc where);
  void pollInterrupt();
  void enterFrame();
  /// Branches to a new cold block when `failed`, emits `slowPath` there (a
  /// noreturn runtime call) and continues in a new block on the fast path.
  /// At the entry of a function whose frame may be large, before anything
  /// is stored in it: traps unless the native stack left below the frame
  /// is at least kiln_rt_stack_window (Abi.h).
  void emitStackCheck();
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
  void emitWhileCounted(const WhileStmt &s, const CountedWhile &w,
                        llvm::Value *start, llvm::Value *bound,
                        llvm::Value *step);
  void emitWhileDouble(const WhileStmt &s, bool rare = false);
  /// `v = v + k` of the innermost counted while being emitted: steps its
  /// integer counter instead (false when `s` is no such step).
  bool emitCounterStep(const AssignStmt &s);
  /// The head of an integer-counter loop whose counter moves toward the
  /// exclusive `end` (upward or downward); with `stride` (an i64: how far
  /// the counter can move in PollChunk iterations) it polls once per chunk,
  /// which requires every iteration that goes on to move the counter.
  /// Returns the header (the continue target) with the insert point in the
  /// body.
  llvm::BasicBlock *emitCountedHead(llvm::AllocaInst *counter, llvm::Value *end,
                                    llvm::Value *stride, bool up,
                                    llvm::BasicBlock *exit);
  void emitForRange(const ForRangeStmt &s, const Resume *resume = nullptr);
  bool emitForRangeExact(const ForRangeStmt &s, const Resume *resume,
                         const BodyFacts &facts, bool varAssigned);
  void emitForRangeVersioned(const ForRangeStmt &s, llvm::Value *start,
                             llvm::Value *end, const BodyFacts &facts,
                             bool varAssigned);
  llvm::Value *int32Range(llvm::Value *start, llvm::Value *end);
  int indexedArray(const ForRangeStmt &s, const BodyFacts &facts);
  /// The integer-counter loop: k from `first` while k < `limit` (both of
  /// the counter's integer type, |k| <= `bound`).
  void emitForRangeInt(const ForRangeStmt &s, llvm::Value *first,
                       llvm::Value *limit, bool exactVar, double bound,
                       bool chunk, int within = -1);
  static bool chunked(const BodyFacts &facts);
  void emitForRangeDouble(const ForRangeStmt &s, llvm::Value *start,
                          llvm::Value *end, bool rare = false);
  /// Tells the optimiser not to unroll or vectorize the loop closed by
  /// `backEdge` (the rarely run general version of a versioned loop).
  void markRare(llvm::BranchInst *backEdge);
  void emitForEach(const ForEachStmt &s, const Resume *resume = nullptr);
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
  /// `v` as the value of `e`, which sema typed `t` (an error otherwise).
  llvm::Value *checkValue(const Expr &e, Type t, llvm::Value *v);
  /// A chain of binary operators, bottom-up in a loop (see leftSpine).
  llvm::Value *emitBinary(const BinaryExpr &e);
  /// `e` once its left operand is `lhs`: the rhs and the operation.
  llvm::Value *emitOperation(const BinaryExpr &e, llvm::Value *lhs);
  llvm::Value *emitShortCircuit(const BinaryExpr &e, llvm::Value *lhs);
  llvm::Value *emitComparison(const BinaryExpr &e, llvm::Value *lhs);
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
  /// The address of element `index` (a double) of `array`, after checking
  /// the index exactly as kiln_rt_index_message does (trapping at `where`
  /// otherwise).
  llvm::Value *checkedElement(llvm::Value *array, llvm::Value *index,
                              Loc where);
  /// checkedElement for the index expression `e`: when `e` is integer
  /// arithmetic on an integer loop counter (see exactInteger), only the
  /// bound is checked; otherwise `e` is evaluated as a double and fully
  /// checked.
  llvm::Value *checkedElementOf(llvm::Value *array, const Expr *e, Loc where);
  /// The address of element `index` of `array` (already evaluated from
  /// `arrayExpr`), checked as the language requires: not at all for a
  /// rangeCounter, the bound alone for exact integers, fully otherwise.
  llvm::Value *elementOf(const Expr *arrayExpr, llvm::Value *array,
                         const Expr *index, Loc where);
  /// The address of element `i` (an i64) after checking 0 <= i < length.
  llvm::Value *boundCheckedElement(llvm::Value *array, llvm::Value *i,
                                   Loc where);
  /// `e` as an exact i64 when it is built from integer-counter loop
  /// variables, integer literals, `len(variable)`, + - and *, with every
  /// intermediate below
  /// 2^53 in magnitude (so the double evaluation would give the same
  /// integer); null otherwise. `bound` receives a bound on |e|.
  llvm::Value *exactInteger(const Expr *e, double &bound, int depth = 0);
  llvm::Value *exactLeaf(const Expr &e, double &bound);
  llvm::Value *exactArithmetic(const BinaryExpr &bin, double &bound, int depth);
  llvm::Value *elementAddress(llvm::Value *array, llvm::Value *i64Index);
  llvm::Value *loadElement(llvm::Value *address);
  void storeElement(llvm::Value *address, llvm::Value *v);
  /// Inline `array.push(v)` while there is capacity, the runtime otherwise.
  void emitPush(llvm::Value *array, llvm::Value *v);

  ModuleGen &M;
  llvm::IRBuilder<> &b;
  const FuncDecl &decl;
  llvm::Function *fn;
  std::vector<llvm::AllocaInst *> slots;
  std::vector<LoopTargets> loops;
  /// A loop variable that equals an integer counter while its loop runs
  /// (an i32 counter of a range loop whose variable is never assigned, or
  /// the i64 counter of a counted while); |value| <= bound.
  struct IntCounter {
    int slot;
    llvm::AllocaInst *counter;
    double bound;
    /// The slot of an array variable whose every element the counter
    /// indexes (0 <= counter < its length), or -1: see rangeCounter.
    int within = -1;
  };
  std::vector<IntCounter> intCounters;
  /// The counter when `index` is the variable of a range loop
  /// `for i in a..len(v)` (a >= 0, i and v never assigned in the body) and
  /// `array` is that `v`: arrays never shrink, so v[i] needs no check.
  /// Null otherwise.
  const IntCounter *rangeCounter(const Expr *array, const Expr *index) const;
  /// The counter's current value as an i64.
  llvm::Value *counterValue(const IntCounter &c);
  /// The steps `v = v + k` of the counted whiles being emitted: the
  /// assignment, the counter, its i64 step and v's slot.
  struct CounterStep {
    const AssignStmt *assign;
    llvm::AllocaInst *counter;
    llvm::Value *step;
    llvm::AllocaInst *var;
  };
  std::vector<CounterStep> counterSteps;
  bool countsDepth; ///< user functions count toward the call depth; main not
  /// The budget every user call passes (this function's budget - 1); null
  /// without guards and in leaves.
  llvm::Value *calleeBudget = nullptr;
  const Stmt *osrLoop;  ///< see the constructor
  bool isLeaf = false;  ///< calls no user function
  bool bounded = false; ///< a leaf without loops: always finishes quickly
};

/// The slots of the top-level code `main` that hold their final value
/// whenever `loop` (one of its loops) is at its header: defined only by one
/// `let` that lies outside every loop and before `loop` in the source (the
/// top-level code runs once, so that `let` has run and nothing changes the
/// slot again; a `let` before the loop but in a block that has ended is out
/// of scope from there on). Numbers and bools only.
std::vector<bool> fixedSlots(const FuncDecl &main, const Stmt &loop);

/// Frame slots / values of one 8-byte kiln::relay::Slot.
constexpr unsigned SlotBytes = 8;


} // namespace kiln::relay::irgen
