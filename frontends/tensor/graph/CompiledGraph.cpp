// CompiledGraph: the public face of graphs (kiln/tensor/Graph.h) — input
// checks, one plan per set of input shapes, results as Args.
#include "Plan.h"

#include "kiln/tensor/Graph.h"

#include <algorithm>
#include <map>
#include <mutex>

namespace kiln::tensor {

using namespace graph;

struct CompiledGraph::Impl {
  Engine &engine;
  Graph graph;
  NodeGraph nodes;
  std::vector<unsigned> outputs; ///< node ids of graph.results
  std::mutex lock;
  std::map<std::string, std::unique_ptr<Plan>> plans;
  Plan *last = nullptr;
  std::vector<int64_t> lastShapes; ///< rank, dims per input, of `last`
  GraphStats stats;

  Status check(const std::vector<Arg> &inputs) const;
  Status checkNotOwned(const std::vector<Arg> &inputs) const;
  bool sameShapes(const std::vector<Arg> &inputs) const;
  Status choosePlan(const std::vector<Arg> &inputs);
  std::string key(const std::vector<Arg> &inputs) const;
  Arg result(unsigned node) const;
};

namespace {
/// More shape sets than this and the oldest plans are dropped (memory).
constexpr size_t kMaxPlans = 16;
} // namespace

Status CompiledGraph::Impl::check(const std::vector<Arg> &inputs) const {
  if (inputs.size() != graph.paramCount)
    return callError("graph '" + graph.name + "' takes " +
                     std::to_string(graph.paramCount) + " inputs, got " +
                     std::to_string(inputs.size()));
  for (unsigned k = 0; k < graph.paramCount; ++k) {
    const GraphValue &p = graph.values[k];
    const Arg &a = inputs[k];
    std::string what = "input '" + p.name + "'";
    if (a.isArray != p.isArray)
      return callError(what + ": expected " +
                       (p.isArray ? "an array" : "a scalar"));
    DType t = a.isArray ? a.array.dtype : a.scalar.dtype;
    if (t != p.type)
      return callError(what + ": dtype " + dtypeName(t) +
                       " does not match parameter type " + dtypeName(p.type));
    if (a.isArray && (a.array.rank < 0 || a.array.rank > kMaxRank))
      return callError(what + ": rank " + std::to_string(a.array.rank) +
                       " is outside 0 to 4");
    if (a.isArray && a.array.size() > 0 && !a.array.data)
      return callError(what + ": no data");
  }
  return {};
}

/// An input inside the plan's temporaries (a result view of an earlier
/// run passed back) would be overwritten while it is read: refused.
Status
CompiledGraph::Impl::checkNotOwned(const std::vector<Arg> &inputs) const {
  for (unsigned k = 0; k < inputs.size(); ++k) {
    const ArrayView &v = inputs[k].array;
    if (!inputs[k].isArray || v.size() == 0)
      continue;
    auto lo = reinterpret_cast<uintptr_t>(v.data), hi = lo;
    for (int d = 0; d < v.rank; ++d) {
      int64_t span = (v.shape[d] - 1) * v.strides[d] * dtypeSize(v.dtype);
      (span < 0 ? lo : hi) += span;
    }
    for (const std::vector<char> &b : last->buffers) {
      auto blo = reinterpret_cast<uintptr_t>(b.data());
      if (!b.empty() && lo < blo + b.size() && blo <= hi)
        return callError("input '" + graph.values[k].name +
                         "' is memory of this graph's results (a view from "
                         "an earlier run); pass a copy");
    }
  }
  return {};
}

std::string CompiledGraph::Impl::key(const std::vector<Arg> &inputs) const {
  std::string k;
  for (const Arg &a : inputs) {
    k += a.isArray ? "a" : "s";
    for (int d = 0; a.isArray && d < a.array.rank; ++d)
      k += std::to_string(a.array.shape[d]) + ",";
    k += ";";
  }
  return k;
}

Arg CompiledGraph::Impl::result(unsigned node) const {
  unsigned r = last->resolved[node];
  const Node &n = nodes.nodes[r];
  if (n.op == NodeOp::Expr && n.proto.kind == ExprKind::Number) {
    Scalar s;
    s.dtype = nodes.nodes[node].type;
    s.f = n.proto.number;
    s.i = static_cast<int64_t>(n.proto.number);
    return Arg::of(s);
  }
  const Slot &slot = last->slots[r];
  return slot.shape.scalar ? Arg::of(slot.s) : Arg::of(slot.v);
}

CompiledGraph::CompiledGraph(std::unique_ptr<Impl> impl) : P(std::move(impl)) {}
CompiledGraph::~CompiledGraph() = default;

const Graph &CompiledGraph::graph() const { return P->graph; }

Status CompiledGraph::run(const std::vector<Arg> &inputs,
                          std::vector<Arg> &outputs) {
  std::lock_guard<std::mutex> guard(P->lock);
  if (Status s = P->check(inputs); !s)
    return s;
  if (!P->last || !P->sameShapes(inputs))
    if (Status s = P->choosePlan(inputs); !s)
      return s;
  if (Status s = P->checkNotOwned(inputs); !s)
    return s;
  if (Status s = runPlan(*P->last, P->nodes, inputs); !s)
    return s;
  outputs.resize(P->outputs.size());
  for (size_t k = 0; k < P->outputs.size(); ++k)
    outputs[k] = P->result(P->outputs[k]);
  return {};
}

/// The plan for `inputs`' shapes, made on the first call with them.
Status CompiledGraph::Impl::choosePlan(const std::vector<Arg> &inputs) {
  std::string k = key(inputs);
  auto it = plans.find(k);
  if (it == plans.end()) {
    auto plan = makePlan(engine, nodes, outputs, inputs, graph.name);
    if (!plan)
      return plan.takeDiagnostics();
    if (plans.size() >= kMaxPlans) {
      plans.clear();
      last = nullptr;
    }
    ++stats.plans;
    stats.allocations += (*plan)->allocations;
    stats.bufferBytes += (*plan)->bytes;
    it = plans.emplace(k, std::move(*plan)).first;
  }
  last = it->second.get();
  lastShapes.clear();
  for (const Arg &a : inputs) {
    int rank = a.isArray ? a.array.rank : -1;
    lastShapes.push_back(rank);
    lastShapes.insert(lastShapes.end(), a.array.shape,
                      a.array.shape + std::max(rank, 0));
  }
  stats.kernels = static_cast<unsigned>(last->kernelText.size());
  stats.materialized = 0;
  for (bool kept : last->kept)
    stats.materialized += kept;
  return {};
}

/// Whether `inputs` have the latest plan's shapes (no allocation: the
/// common case of a training loop).
bool CompiledGraph::Impl::sameShapes(const std::vector<Arg> &inputs) const {
  size_t at = 0;
  for (const Arg &a : inputs) {
    int rank = a.isArray ? a.array.rank : -1;
    if (at >= lastShapes.size() || lastShapes[at++] != rank)
      return false;
    for (int d = 0; d < rank; ++d)
      if (at >= lastShapes.size() || lastShapes[at++] != a.array.shape[d])
        return false;
  }
  return at == lastShapes.size();
}

GraphStats CompiledGraph::stats() const {
  std::lock_guard<std::mutex> guard(P->lock);
  return P->stats;
}

std::vector<std::string> CompiledGraph::plannedKernels() const {
  std::lock_guard<std::mutex> guard(P->lock);
  return P->last ? P->last->kernelText : std::vector<std::string>{};
}

Expected<std::shared_ptr<CompiledGraph>> compileGraph(Engine &engine,
                                                      const Graph &graph) {
  auto nodes = buildNodes(graph);
  if (!nodes)
    return nodes.takeDiagnostics();
  auto impl = std::unique_ptr<CompiledGraph::Impl>(new CompiledGraph::Impl{
      engine, graph, std::move(*nodes), {}, {}, {}, nullptr, {}, {}});
  for (unsigned v : graph.results)
    impl->outputs.push_back(impl->nodes.valueNode[v]);
  return std::make_shared<CompiledGraph>(std::move(impl));
}

Expected<std::shared_ptr<CompiledGraph>> compileGraph(Engine &engine,
                                                      std::string_view source,
                                                      std::string_view name,
                                                      std::string_view file) {
  GraphParseResult parsed = parseGraphProgram(source, file);
  if (!parsed.ok())
    return Diagnostics(parsed.errors);
  const Graph *g = parsed.program.find(name);
  if (!g)
    return errorDiagnostic("no graph '" + std::string(name) + "' in the source",
                           std::string(file));
  auto compiled = compileGraph(engine, *g);
  if (!compiled) {
    Diagnostics d = compiled.takeDiagnostics();
    attachSource(d, file, source);
    return d;
  }
  return compiled;
}

} // namespace kiln::tensor
