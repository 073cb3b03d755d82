// StmtExpr: one graph statement's expression, parsed and typed with the
// kernel language's own parser and sema.
//
// A statement's right-hand side is exactly a kernel body whose parameters
// are the values in scope. Rather than a second expression parser, the text
// is handed to the kernel parser as the body of a synthetic kernel that
// declares the names it uses, and the locations are mapped back, so graph
// statements and kernels share one grammar, one set of builtins and one
// set of messages.
#pragma once

#include "kiln/tensor/Graph.h"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kiln::tensor::graph {

/// Where an expression's text is in the source and the values it may name.
struct StmtText {
  std::string_view text;       ///< from the expression's first token to the ';'
  SourceLoc start;             ///< of the first token
  /// The values it may name (those defined so far): index by name.
  const std::unordered_map<std::string, unsigned> *scope = nullptr;
};

/// The typed body of the statement (ExprKind::Param indexes g.values), or
/// nullopt after appending located errors.
std::optional<ExprRef> parseStmtExpr(const Graph &g, const StmtText &stmt,
                                     std::vector<Diag> &errors);

} // namespace kiln::tensor::graph
