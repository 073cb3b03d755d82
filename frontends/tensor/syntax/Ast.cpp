// Ast: names and sizes of the tensor language's types, operators and
// builtins (the spellings diagnostics, docs and the C header use).
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

const char *builtinName(Builtin fn) {
  static const char *names[] = {"abs",  "min",     "max",  "sqrt", "exp",
                                "log",  "sin",     "cos",  "tanh", "sigmoid",
                                "relu", "pow",     "floor", "ceil", "clamp"};
  return names[static_cast<int>(fn)];
}

unsigned builtinArity(Builtin fn) {
  switch (fn) {
  case Builtin::Clamp: return 3;
  case Builtin::Min:
  case Builtin::Max:
  case Builtin::Pow: return 2;
  default: return 1;
  }
}

const char *reduceName(ReduceOp op) {
  static const char *names[] = {"sum", "prod", "min", "max", "mean"};
  return names[static_cast<int>(op)];
}

const char *binaryOpSpelling(BinaryOp op) {
  static const char *names[] = {"+", "-",  "*", "/",  "%",  "<",  "<=",
                                ">", ">=", "==", "!=", "&&", "||"};
  return names[static_cast<int>(op)];
}

const Kernel *Program::find(const std::string &name) const {
  for (const Kernel &k : kernels)
    if (k.name == name)
      return &k;
  return nullptr;
}

} // namespace kiln::tensor
