// Parser: tokens to untyped kernels (recursive descent, one error per
// kernel, then recovery at the next `kernel`).
//
// Names are resolved here (parameters, builtins, casts, reductions) so sema
// only deals with types.
#pragma once

#include "kiln/tensor/Syntax.h"

namespace kiln::tensor::syntax {

/// Parses `source` into `program` (bodies untyped), appending errors.
void parse(std::string_view source, Program &program,
           std::vector<Diag> &errors);

} // namespace kiln::tensor::syntax
