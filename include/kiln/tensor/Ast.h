// Ast: the tensor kernel language as data — what the parser produces, what
// the expression builder produces, and what irgen and the reference
// executors consume.
//
// One small tagged node type (no class hierarchy) keeps the tree easy to build
// from C++ without text and easy to walk in three independent evaluators
// (fused LLVM loop, eager executor, blocked interpreter). Nodes are immutable
// once sema has typed them and may be shared between trees (a DAG).
// No LLVM here: the reference executors must not depend on the core.
#pragma once

#include "kiln/support/Diagnostic.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln::tensor {

enum class DType : uint8_t { Bool, I32, I64, F32, F64 };
const char *dtypeName(DType type); ///< "bool", "i32", "i64", "f32", "f64"
unsigned dtypeSize(DType type);    ///< bytes per element (bool: 1)
bool isFloat(DType type);
bool isInteger(DType type); ///< i32 or i64 (not bool)

/// A source position; line 0 = built from C++, no source.
using SourceLoc = kiln::SourceLoc;

enum class ExprKind {
  Param,  ///< a kernel parameter (array or scalar): `param`
  Number, ///< a literal: `number`
  Unary,  ///< `unary`, children[0]
  Binary, ///< `binary`, children[0], children[1]
  Call,   ///< elementwise builtin `builtin` over children
  Cast,   ///< `f32(x)`: converts children[0] to `castTo`
  Where,  ///< where(c, x, y): children[0..2]
  Reduce, ///< reduction `reduce` of children[0]: over the whole array (a
          ///< scalar), or with hasAxis along `axis` (an array)
  MatMul, ///< children[0] @ children[1]: f32/f64 arrays, NumPy matmul shapes
          ///< (docs/tensor-matmul.md); an array of the operands' dtype
};

enum class UnaryOp { Neg, Not };
enum class BinaryOp {
  Add,
  Sub,
  Mul,
  Div,
  Rem,
  Lt,
  Le,
  Gt,
  Ge,
  Eq,
  Ne,
  And,
  Or
};
/// The elementwise builtin functions, one per row of Builtins.def.
enum class Builtin {
#define TENSOR_BUILTIN(Id, Name, Arity, Operands, Libm, Doc) Id,
#include "kiln/tensor/Builtins.def"
};
constexpr unsigned kBuiltinCount = 0
#define TENSOR_BUILTIN(Id, Name, Arity, Operands, Libm, Doc) +1
#include "kiln/tensor/Builtins.def"
    ;
/// ArgMax/ArgMin (the i64 index of the first largest/smallest element, or
/// of the first NaN) exist only along an axis.
enum class ReduceOp { Sum, Prod, Min, Max, Mean, ArgMax, ArgMin };

// Builtins.def's columns.
const char *builtinName(Builtin fn);    ///< as written in source: "sigmoid"
unsigned builtinArity(Builtin fn);      ///< clamp: 3, min/max/pow: 2, others 1
bool builtinTakesFloatOnly(Builtin fn); ///< Float operands (f32/f64 only)
const char *builtinLibm(Builtin fn);    ///< the f64 libm function, or ""
const char *builtinDoc(Builtin fn);     ///< one line for the docs
const char *reduceName(ReduceOp op);    ///< "sum", ...
const char *binaryOpSpelling(BinaryOp op); ///< "+", "&&", ...

struct Expr;
using ExprRef = std::shared_ptr<const Expr>;

struct Expr {
  ExprKind kind;
  SourceLoc loc;
  // Filled by sema (typeCheck); the builder leaves them for sema too.
  DType type = DType::F64;
  bool isArray = false; ///< false: a scalar (parameter, literal, reduction)

  unsigned param = 0;       ///< Param: index into Kernel::params
  double number = 0;        ///< Number: value (integers exactly representable)
  bool numberIsInt = false; ///< Number: written without '.'/exponent
  UnaryOp unary = UnaryOp::Neg;
  BinaryOp binary = BinaryOp::Add;
  Builtin builtin = Builtin::Abs;
  ReduceOp reduce = ReduceOp::Sum;
  /// Reduce along one axis (`sum(x, axis=-1, keepdims)`): an array whose
  /// shape is the argument's without that axis (kept as 1 with keepdims).
  /// `axis` may be negative (counted from the last); checked at call time.
  bool hasAxis = false;
  bool keepdims = false;
  int axis = 0;
  /// `axis=(0, 1)`: the further axes reduced at once (sum prod min max mean
  /// only; `axis` holds the first); empty for one axis. The same dimension
  /// named twice (`axis=(0, -2)` of a matrix) is a call-time error.
  std::vector<int> moreAxes;
  DType castTo = DType::F64;
  std::vector<ExprRef> children;
};

/// An axis reduction's `axis=` value as written: "1", "(0, 1)".
std::string axisText(const Expr &reduce);

struct Param {
  std::string name;
  DType type = DType::F64;
  bool isArray = false; ///< `f32[]` (any rank 0-4, broadcast at call time)
  SourceLoc loc;
};

/// kernel NAME(params) -> RESULT = EXPR
/// An array result is elementwise over the broadcast shape of the array
/// parameters; a scalar result contains one or more reductions, each over an
/// elementwise expression, all computed in one fused pass.
struct Kernel {
  std::string name;
  std::vector<Param> params;
  DType resultType = DType::F64;
  bool resultIsArray = true;
  ExprRef body;
  SourceLoc loc;
};

struct Program {
  std::vector<Kernel> kernels;
  const Kernel *find(const std::string &name) const;
};

} // namespace kiln::tensor
