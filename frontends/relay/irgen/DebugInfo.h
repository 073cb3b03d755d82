// DebugInfo: DWARF for Relay programs (`kiln build -g`, `kiln run -g`),
// built with llvm::DIBuilder.
//
// A debugger should show Relay, not the IR: one compile unit per module, a
// DISubprogram per function (the top-level code is `relay.main`), a line
// table from the AST's statement locations, one lexical block per `{...}`
// so shadowing `let`s resolve as in the language, and every frame slot as
// a variable: numbers as `double`, bools as `bool`, arrays as a pointer to
// the runtime's `kiln_rt_array {data, length, capacity}`. At -O0 slots stay
// in memory, so every variable prints exactly; optimisation keeps the line
// table and may drop variables (docs/relay.md, "Debugging with gdb").
// OSR continuations get none (generateOsr ignores IRGenOptions::debugInfo).
#pragma once

#include "../syntax/AST.h"

#include "llvm/IR/IRBuilder.h"

#include <memory>
#include <unordered_map>
#include <vector>

namespace llvm {
class DIBuilder;
class DICompileUnit;
class DIFile;
class DIScope;
class DISubprogram;
class DIType;
} // namespace llvm

namespace kiln::relay::irgen {

/// Owned by one ModuleGen, used by one FunctionGen at a time (functions are
/// emitted one after another); not thread-safe, like the module it fills.
class DebugInfo {
public:
  /// Adds the compile unit for `program.file` and the module flags.
  DebugInfo(llvm::Module &module, const Program &program);
  ~DebugInfo();

  /// Gives `fn` (the typed function of `decl`, or its Single-mode `.impl`) a
  /// subprogram and makes it the current scope; the prologue emitted next
  /// has no location (see the .cpp).
  void beginFunction(llvm::Function &fn, const FuncDecl &decl,
                     llvm::IRBuilder<> &b);
  /// Clears the builder's location, so wrappers emitted next carry none.
  void endFunction(llvm::IRBuilder<> &b);
  /// Instructions emitted from now on belong to `loc` (line 0: unchanged).
  void setLocation(llvm::IRBuilder<> &b, Loc loc);
  /// `block`'s statements are in its lexical block (the body: the
  /// function); leaving it restores the location entering it found, so the
  /// code after a block (a loop's latch) belongs to the statement owning it.
  void enterBlock(const BlockStmt &block, llvm::IRBuilder<> &b);
  void leaveBlock(llvm::IRBuilder<> &b);
  /// Declares frame slot `index`, held in `slot`, as its parameter or
  /// variable (at the end of the builder's block, the entry block).
  void declareSlot(llvm::IRBuilder<> &b, llvm::AllocaInst *slot, int index);
  /// Resolves the debug metadata; call once, before verification.
  void finalize();

private:
  struct SlotInfo {
    std::string name;
    Loc loc;
    const BlockStmt *block = nullptr; ///< where it is in scope
  };
  void walkBlock(const BlockStmt &block, const BlockStmt *parent);
  void walkStmt(const Stmt &stmt, const BlockStmt &in);
  void noteSlot(int slot, const std::string &name, Loc loc,
                const BlockStmt *block);
  llvm::DIScope *scopeOf(const BlockStmt *block);
  llvm::DIType *typeOf(Type t);
  llvm::DIType *arrayType();

  const Program &program;
  std::unique_ptr<llvm::DIBuilder> builder;
  llvm::DICompileUnit *unit = nullptr;
  llvm::DIFile *file = nullptr;
  llvm::DIType *arrayPointer = nullptr;
  // The function being emitted.
  const FuncDecl *decl = nullptr;
  llvm::DISubprogram *subprogram = nullptr;
  std::vector<llvm::DIScope *> scopes;
  std::vector<llvm::DebugLoc> outerLocations; ///< one per entered block
  std::vector<SlotInfo> slots;
  std::unordered_map<const BlockStmt *, const BlockStmt *> parents;
  std::unordered_map<const BlockStmt *, llvm::DIScope *> blockScopes;
};

} // namespace kiln::relay::irgen
