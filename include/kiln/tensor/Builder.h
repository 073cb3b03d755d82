// Builder: tensor kernels from C++ without source text, for embedding.
//
//   kiln::tensor::KernelBuilder b;
//   auto a = b.array("a", DType::F32), x = b.array("b", DType::F32);
//   auto alpha = b.scalar("alpha", DType::F32);
//   Kernel k = b.kernel("fma_relu", relu(alpha * a * x + b.array("c", ...)));
//
// Values are small handles to shared AST nodes; plain C++ numbers become
// literals that adapt to the other operand's dtype exactly as in source.
// The result type is inferred; compile() type-checks and reports errors.
#pragma once

#include "kiln/tensor/Ast.h"

#include <string>

namespace kiln::tensor {

/// An expression under construction (a shared, immutable AST node).
struct Val {
  ExprRef node;
  Val(ExprRef n) : node(std::move(n)) {}
  Val(double v); ///< a float literal (2.5)
  Val(int v);    ///< an integer literal (2)
  Val(long v);   ///< an integer literal
};

Val operator+(Val a, Val b);
Val operator-(Val a, Val b);
Val operator*(Val a, Val b);
Val operator/(Val a, Val b);
Val operator%(Val a, Val b);
Val operator-(Val a);
Val operator!(Val a);
Val operator<(Val a, Val b);
Val operator<=(Val a, Val b);
Val operator>(Val a, Val b);
Val operator>=(Val a, Val b);
Val operator==(Val a, Val b);
Val operator!=(Val a, Val b);
Val operator&&(Val a, Val b);
Val operator||(Val a, Val b);

Val call(Builtin fn, std::vector<Val> args); ///< any builtin, by enum
Val abs(Val x);
Val sqrt(Val x);
Val exp(Val x);
Val log(Val x);
Val sin(Val x);
Val cos(Val x);
Val tanh(Val x);
Val sigmoid(Val x);
Val relu(Val x);
Val floor(Val x);
Val ceil(Val x);
Val min(Val a, Val b);
Val max(Val a, Val b);
Val pow(Val a, Val b);
Val clamp(Val x, Val lo, Val hi);
Val where(Val c, Val x, Val y);
Val cast(DType to, Val x); ///< f32(x), i64(x), ...
Val reduce(ReduceOp op, Val x);
/// `op(x, axis=axis[, keepdims])`: along one axis, an array (docs/tensor.md,
/// "Axis reductions"); argmax/argmin exist only in this form.
Val reduce(ReduceOp op, Val x, int axis, bool keepdims = false);
/// `op(x, axis=(a, b, ...)[, keepdims])`: along up to 4 axes at once
/// (sum prod min max mean); `axes` must not be empty.
Val reduce(ReduceOp op, Val x, const std::vector<int> &axes,
           bool keepdims = false);
Val sum(Val x);
Val prod(Val x);
Val mean(Val x);
Val minOf(Val x); ///< the reduction min(...) (min(a, b) is elementwise)
Val maxOf(Val x);
/// `a @ b`: matrix multiply of f32/f64 arrays with NumPy matmul's shapes
/// (docs/tensor-matmul.md).
Val matmul(Val a, Val b);

/// Collects parameters; kernel() finishes one kernel.
class KernelBuilder {
public:
  Val array(const std::string &name, DType type);  ///< `name: type[]`
  Val scalar(const std::string &name, DType type); ///< `name: type`
  /// The kernel over the parameters declared so far (then cleared). The
  /// result type is the body's type (array when the body is elementwise).
  Kernel kernel(const std::string &name, Val body);

private:
  std::vector<Param> Params;
};

} // namespace kiln::tensor
