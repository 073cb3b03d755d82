// DebugInfo: compile unit, subprograms, lexical blocks, locations and
// variables of a Relay module (see DebugInfo.h).
//
// Scopes come from one walk of each function's AST before its body is
// emitted: which block encloses which, and in which block every slot is
// declared (sema gives each `let`, parameter and loop variable its own slot).
#include "DebugInfo.h"

#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/IR/DIBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace kiln::relay::irgen {

namespace {

/// The compile unit's file: the name as given (as clang keeps it) and the
/// working directory, so gdb finds `prog.relay` and the source lines.
DIFile *sourceFile(DIBuilder &builder, const std::string &path) {
  SmallString<256> dir;
  if (sys::path::is_absolute(path))
    dir = sys::path::parent_path(path);
  else if (sys::fs::current_path(dir))
    dir = ".";
  StringRef name = sys::path::is_absolute(path) ? sys::path::filename(path)
                                                : StringRef(path);
  return builder.createFile(name, dir);
}

/// A location's line, or the nearest known one (line 0 is unknown).
unsigned lineOf(Loc loc, unsigned fallback = 1) {
  return loc.line ? loc.line : fallback;
}

} // namespace

DebugInfo::DebugInfo(Module &module, const Program &program)
    : program(program), builder(std::make_unique<DIBuilder>(module)) {
  module.addModuleFlag(Module::Warning, "Dwarf Version", 5);
  module.addModuleFlag(Module::Warning, "Debug Info Version",
                       DEBUG_METADATA_VERSION);
  file = sourceFile(*builder, program.file);
  // No DWARF language code names Relay; C's lets gdb evaluate `print x`,
  // `print *a` and `print a->data[0]@a->length`. gdb trusts the line
  // table's prologue end only from producers named "clang ..." (LLVM's
  // convention, which this code follows); otherwise `step` into a function
  // stops before its parameters are stored.
  unit = builder->createCompileUnit(dwarf::DW_LANG_C99, file,
                                    "clang (LLVM 19 code generator) kiln relay",
                                    /*isOptimized=*/false, "", 0);
}

DebugInfo::~DebugInfo() = default;

DIType *DebugInfo::typeOf(Type t) {
  switch (t) {
  case Type::Number:
    return builder->createBasicType("double", 64, dwarf::DW_ATE_float);
  case Type::Bool:
    return builder->createBasicType("bool", 8, dwarf::DW_ATE_boolean);
  case Type::Array: return arrayType();
  default: return nullptr; // void
  }
}

/// `kiln_rt_array *`, the runtime's struct (runtime/Abi.h).
DIType *DebugInfo::arrayType() {
  if (arrayPointer)
    return arrayPointer;
  DIType *number = typeOf(Type::Number);
  DIType *int64 = builder->createBasicType("int64_t", 64, dwarf::DW_ATE_signed);
  DIType *data = builder->createPointerType(number, 64);
  auto *record = builder->createStructType(unit, "kiln_rt_array", file, 0, 192,
                                           64, DINode::FlagZero, nullptr, {});
  Metadata *fields[] = {
      builder->createMemberType(record, "data", file, 0, 64, 64, 0,
                                DINode::FlagZero, data),
      builder->createMemberType(record, "length", file, 0, 64, 64, 64,
                                DINode::FlagZero, int64),
      builder->createMemberType(record, "capacity", file, 0, 64, 64, 128,
                                DINode::FlagZero, int64)};
  builder->replaceArrays(record, builder->getOrCreateArray(fields));
  arrayPointer = builder->createPointerType(record, 64);
  return arrayPointer;
}

void DebugInfo::beginFunction(Function &fn, const FuncDecl &function,
                              IRBuilder<> &b) {
  decl = &function;
  slots.assign(function.slotTypes.size(), {});
  parents.clear();
  blockScopes.clear();
  scopes.clear();
  outerLocations.clear();
  for (size_t i = 0; i < function.params.size() && i < slots.size(); ++i)
    slots[i] = {function.params[i].name, function.params[i].loc, nullptr};
  if (function.body)
    walkBlock(*function.body, nullptr);
  std::vector<Metadata *> types{typeOf(function.returnType)};
  for (Type t : function.paramTypes)
    types.push_back(typeOf(t));
  if (fn.arg_size() > function.params.size()) // the call budget (guards)
    types.push_back(builder->createBasicType("int", 32, dwarf::DW_ATE_signed));
  bool isMain = &function == program.main;
  unsigned line =
      lineOf(isMain && function.body ? function.body->loc : function.loc);
  // No linkage name: gdb would show and match `relay.f` instead of `f`
  // (`break f`); the symbol table still has relay.f.
  subprogram = builder->createFunction(
      file, isMain ? "relay.main" : function.name, "", file, line,
      builder->createSubroutineType(builder->getOrCreateTypeArray(types)), line,
      DINode::FlagPrototyped,
      DISubprogram::SPFlagDefinition |
          (fn.hasLocalLinkage() ? DISubprogram::SPFlagLocalToUnit
                                : DISubprogram::SPFlagZero));
  fn.setSubprogram(subprogram);
  // The prologue (slots, parameters, guards) has no line, as clang's: the
  // first located instruction, the first statement's, ends the prologue, so
  // `break f` stops where the parameters are in their slots.
  b.SetCurrentDebugLocation(DebugLoc());
}

void DebugInfo::endFunction(IRBuilder<> &b) {
  builder->finalizeSubprogram(subprogram);
  b.SetCurrentDebugLocation(DebugLoc());
  decl = nullptr;
  subprogram = nullptr;
}

void DebugInfo::setLocation(IRBuilder<> &b, Loc loc) {
  if (!subprogram || loc.line == 0)
    return;
  DIScope *scope = scopes.empty() ? subprogram : scopes.back();
  b.SetCurrentDebugLocation(
      DILocation::get(subprogram->getContext(), loc.line, loc.col, scope));
}

void DebugInfo::enterBlock(const BlockStmt &block, IRBuilder<> &b) {
  if (!subprogram)
    return;
  scopes.push_back(scopeOf(&block));
  outerLocations.push_back(b.getCurrentDebugLocation());
}

void DebugInfo::leaveBlock(IRBuilder<> &b) {
  if (scopes.empty())
    return;
  scopes.pop_back();
  b.SetCurrentDebugLocation(outerLocations.back());
  outerLocations.pop_back();
}

/// The function body (and any block the walk did not see) is the function.
DIScope *DebugInfo::scopeOf(const BlockStmt *block) {
  auto parent = parents.find(block);
  if (!block || parent == parents.end() || !parent->second)
    return subprogram;
  DIScope *&scope = blockScopes[block];
  if (!scope) // parents are at most kMaxNesting deep: bounded recursion
    scope = builder->createLexicalBlock(scopeOf(parent->second), file,
                                        lineOf(block->loc), block->loc.col);
  return scope;
}

void DebugInfo::declareSlot(IRBuilder<> &b, AllocaInst *slot, int index) {
  if (!subprogram || index < 0 || size_t(index) >= slots.size() ||
      slots[index].name.empty())
    return;
  const SlotInfo &info = slots[index];
  DIType *type = typeOf(decl->slotTypes[index]);
  if (!type)
    return;
  unsigned line = lineOf(info.loc, subprogram->getLine());
  DILocalVariable *var =
      size_t(index) < decl->params.size()
          ? builder->createParameterVariable(subprogram, info.name, index + 1,
                                             file, line, type, true)
          : builder->createAutoVariable(scopeOf(info.block), info.name, file,
                                        line, type, true);
  auto *where =
      DILocation::get(slot->getContext(), line, info.loc.col, var->getScope());
  builder->insertDeclare(slot, var, builder->createExpression(), where,
                         b.GetInsertBlock());
}

void DebugInfo::finalize() { builder->finalize(); }

// ---- The AST walk -----------------------------------------------------------

void DebugInfo::noteSlot(int slot, const std::string &name, Loc loc,
                         const BlockStmt *block) {
  if (slot >= 0 && size_t(slot) < slots.size())
    slots[slot] = {name, loc, block};
}

void DebugInfo::walkBlock(const BlockStmt &block, const BlockStmt *parent) {
  parents[&block] = parent;
  for (const StmtPtr &stmt : block.body)
    if (stmt)
      walkStmt(*stmt, block);
}

/// Else-if chains are followed in a loop (they are as long as the source).
void DebugInfo::walkStmt(const Stmt &stmt, const BlockStmt &in) {
  if (const auto *let = dyn_cast<LetStmt>(&stmt))
    return noteSlot(let->slot, let->name, let->loc, &in);
  if (const auto *range = dyn_cast<ForRangeStmt>(&stmt)) {
    noteSlot(range->slot, range->var, range->loc, range->body.get());
    if (range->body)
      walkBlock(*range->body, &in);
  } else if (const auto *each = dyn_cast<ForEachStmt>(&stmt)) {
    noteSlot(each->slot, each->var, each->loc, each->body.get());
    if (each->body)
      walkBlock(*each->body, &in);
  } else if (const auto *loop = dyn_cast<WhileStmt>(&stmt)) {
    if (loop->body)
      walkBlock(*loop->body, &in);
  } else if (const auto *block = dyn_cast<BlockStmt>(&stmt)) {
    walkBlock(*block, &in);
  }
  for (const auto *arm = dyn_cast<IfStmt>(&stmt); arm;) {
    if (arm->thenBlock)
      walkBlock(*arm->thenBlock, &in);
    const Stmt *orElse = arm->elseStmt.get();
    arm = dyn_cast<IfStmt>(orElse);
    if (orElse && !arm)
      walkStmt(*orElse, in);
  }
}

} // namespace kiln::relay::irgen
