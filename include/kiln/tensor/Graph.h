// Graph: several named tensor statements compiled as one unit, with
// reverse-mode gradients (docs/tensor-graphs.md).
//
// A kernel is one expression and one fused loop. A model step — a layer, its
// loss, the gradients of the loss and an SGD update — is a sequence of
// statements that reuse earlier results. A Graph keeps that sequence; Kiln
// decides what to fuse into one loop and what to keep in a temporary, plans
// the temporaries once per set of input shapes, and derives `grad(...)`
// statements by reverse-mode differentiation. No LLVM types in this header.
#pragma once

#include "kiln/support/Expected.h"
#include "kiln/tensor/Array.h"
#include "kiln/tensor/Ast.h"
#include "kiln/tensor/Syntax.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::tensor {

class Engine;

/// A named value of a graph: a parameter or a statement's result.
struct GraphValue {
  std::string name;
  DType type = DType::F64;
  bool isArray = false;
  SourceLoc loc;
};

/// `name = expr;` or `d1, d2 = grad(of, [w1, w2]);`. Expression parameters
/// (ExprKind::Param) index Graph::values: the graph's parameters first, then
/// every statement's names in order.
struct GraphStmt {
  std::vector<unsigned> defines; ///< value indices this statement defines
  SourceLoc loc;
  ExprRef body; ///< typed; null for grad
  bool isGrad = false;
  unsigned of = 0;           ///< grad: the scalar value differentiated
  std::vector<unsigned> wrt; ///< grad: the values it is differentiated by
};

/// graph NAME(params) { stmt* return names; }
struct Graph {
  std::string name;
  SourceLoc loc;
  unsigned paramCount = 0; ///< values[0, paramCount) are the parameters
  std::vector<GraphValue> values;
  std::vector<GraphStmt> stmts;
  std::vector<unsigned> results; ///< value indices, in `return` order
};

/// The kernels and graphs of one source file.
struct GraphProgram {
  Program program; ///< the file's kernels (typed)
  std::vector<Graph> graphs;
  const Graph *find(std::string_view name) const;
};

struct GraphParseResult {
  GraphProgram program;
  std::vector<Diag> errors; ///< located, with file and source line
  bool ok() const { return errors.empty(); }
};

/// Parses and type-checks every kernel and graph of `source`.
GraphParseResult parseGraphProgram(std::string_view source,
                                   std::string_view file = {});

/// What planning has done so far; tests read it to check that repeated
/// calls with the same shapes allocate nothing.
struct GraphStats {
  uint64_t plans = 0;        ///< input-shape sets planned (one per new set)
  uint64_t allocations = 0;  ///< temporary buffers allocated, in all plans
  uint64_t bufferBytes = 0;  ///< their bytes
  unsigned kernels = 0;      ///< fused kernels of the latest plan
  unsigned materialized = 0; ///< values kept in temporaries, latest plan
};

/// One graph compiled for an Engine (which must outlive it). run() may be
/// called from several threads; calls run one at a time (a mutex), since
/// the temporaries of a plan are shared.
class CompiledGraph {
public:
  const Graph &graph() const;
  /// Runs on `inputs` (one Arg per parameter). `outputs` receives one Arg
  /// per `return` name: scalars by value, arrays as views of memory the
  /// graph owns, valid until the next run() or the graph's destruction.
  /// Bad inputs (count, kinds, dtypes, shapes that do not broadcast) are
  /// ErrorKind::InvalidArgument naming the statement; nothing is returned.
  Status run(const std::vector<Arg> &inputs, std::vector<Arg> &outputs);
  GraphStats stats() const;
  /// The fused kernels of the plan for the latest call's shapes, as source
  /// text (docs and tests show what was fused).
  std::vector<std::string> plannedKernels() const;
  struct Impl;
  explicit CompiledGraph(std::unique_ptr<Impl> impl);
  ~CompiledGraph();

private:
  std::unique_ptr<Impl> P;
};

/// Prepares `graph` (differentiation happens here; kernels are compiled per
/// input shapes on the first run with them).
Expected<std::shared_ptr<CompiledGraph>> compileGraph(Engine &engine,
                                                      const Graph &graph);

/// Parses `source` and prepares its graph called `name`.
Expected<std::shared_ptr<CompiledGraph>>
compileGraph(Engine &engine, std::string_view source, std::string_view name,
             std::string_view file = "<input>");

} // namespace kiln::tensor
