// PassKernel: a piece of a kernel's body as a kernel of its own — what the
// staged (StagedLower.h) and matmul (MatmulLower.h) lowerings cut bodies
// into. Pure AST work.
#pragma once

#include "kiln/tensor/Ast.h"

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace kiln::tensor {

/// `e` with every Param node's index mapped through `to` (memoised: a DAG
/// stays a DAG).
ExprRef renumberParams(const ExprRef &e, const std::map<unsigned, unsigned> &to,
                       std::unordered_map<const Expr *, ExprRef> &memo);

/// A kernel `name` computing `body`, whose Param nodes index `globals`, over
/// only the globals it uses (in increasing order); `used` gets those
/// globals' indices, parameter by parameter.
Kernel passKernel(const std::string &name, const ExprRef &body,
                  const std::vector<Param> &globals,
                  std::vector<unsigned> &used);

} // namespace kiln::tensor
