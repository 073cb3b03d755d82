// Ast: names and sizes of the tensor language's types, operators and
// builtins (the spellings diagnostics, docs and the C header use); the
// builtins' columns come from Builtins.def.
#include "kiln/tensor/Ast.h"

namespace kiln::tensor {

const char *dtypeName(DType type) {
  switch (type) {
  case DType::Bool: return "bool";
  case DType::I32: return "i32";
  case DType::I64: return "i64";
  case DType::F32: return "f32";
  case DType::F64: return "f64";
  }
  return "?";
}

unsigned dtypeSize(DType type) {
  switch (type) {
  case DType::Bool: return 1;
  case DType::I32:
  case DType::F32: return 4;
  case DType::I64:
  case DType::F64: return 8;
  }
  return 0;
}

bool isFloat(DType type) { return type == DType::F32 || type == DType::F64; }
bool isInteger(DType type) { return type == DType::I32 || type == DType::I64; }

namespace {

/// One row of Builtins.def.
struct BuiltinRow {
  const char *name;
  unsigned arity;
  bool floatOnly;
  const char *libm, *doc;
};

constexpr bool Number = false, Float = true;
constexpr BuiltinRow kBuiltins[] = {
#define TENSOR_BUILTIN(Id, Name, Arity, Operands, Libm, Doc)                   \
  {Name, Arity, Operands, Libm, Doc},
#include "kiln/tensor/Builtins.def"
};

const BuiltinRow &row(Builtin fn) { return kBuiltins[static_cast<int>(fn)]; }

} // namespace

const char *builtinName(Builtin fn) { return row(fn).name; }
unsigned builtinArity(Builtin fn) { return row(fn).arity; }
bool builtinTakesFloatOnly(Builtin fn) { return row(fn).floatOnly; }
const char *builtinLibm(Builtin fn) { return row(fn).libm; }
const char *builtinDoc(Builtin fn) { return row(fn).doc; }

const char *reduceName(ReduceOp op) {
  static const char *names[] = {"sum",  "prod",   "min",   "max",
                                "mean", "argmax", "argmin"};
  return names[static_cast<int>(op)];
}

std::string axisText(const Expr &reduce) {
  if (reduce.moreAxes.empty())
    return std::to_string(reduce.axis);
  std::string s = "(" + std::to_string(reduce.axis);
  for (int a : reduce.moreAxes)
    s += ", " + std::to_string(a);
  return s + ")";
}

const char *binaryOpSpelling(BinaryOp op) {
  static const char *names[] = {
      "+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "&&", "||"};
  return names[static_cast<int>(op)];
}

const Kernel *Program::find(const std::string &name) const {
  for (const Kernel &k : kernels)
    if (k.name == name)
      return &k;
  return nullptr;
}

} // namespace kiln::tensor
