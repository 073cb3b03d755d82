// Plan: fusion and temporaries for one set of input shapes (Plan.h).
//
// The rule: a node is kept in a temporary when it is returned, when it is
// a whole-array reduction (its own kernel), when an operation that needs
// memory reads it (a SumTo, a view, an operand of a matrix product), or
// when it is an array used by several operations or by a reduction along
// an axis (a product read by any reduction too). Everything else — scalars
// and single-use elementwise chains and products — is inlined into its one
// consumer's kernel, so `relu(x @ w + b)` is one kernel, `relu(x * w + b)`
// one loop, and the backward pass of an elementwise chain one loop per
// value it must keep.
#include "Plan.h"
#include "StaticPlan.h"

#include "kiln/tensor/Syntax.h"

#include <algorithm>
#include <exception>
#include <unordered_map>

namespace kiln::tensor::graph {

namespace {

/// The deepest expression one kernel inlines (the language allows 1000).
constexpr unsigned kMaxFusedDepth = 200;
/// The most values one kernel reads (the language allows 60 parameters).
constexpr unsigned kMaxFusedParams = 48;

bool isNumber(const Node &n) {
  return n.op == NodeOp::Expr && n.proto.kind == ExprKind::Number;
}

bool isWholeReduce(const Node &n) {
  return n.op == NodeOp::Expr && n.proto.kind == ExprKind::Reduce &&
         !n.proto.hasAxis;
}

/// The arguments of `n` whose values (not only shapes) it reads.
size_t dataArgs(const Node &n) {
  switch (n.op) {
  case NodeOp::SumTo:
  case NodeOp::Unsqueeze:
  case NodeOp::Lift:
  case NodeOp::Drop: return 1;
  case NodeOp::Count: return 0;
  default: return n.args.size();
  }
}

/// After SumTo and Unsqueeze no-ops are dropped, an operation may have
/// only literal operands (`-(1)`, `where(m, 1, 0)`), which sema would type
/// as i64: a negated literal folds, otherwise the first literal is cast to
/// the node's dtype.
void typeLiterals(Expr &e, DType type) {
  if (e.kind == ExprKind::Number || e.kind == ExprKind::Cast ||
      e.children.empty())
    return;
  size_t first = e.kind == ExprKind::Where ? 1 : 0; // after the condition
  for (size_t i = first; i < e.children.size(); ++i)
    if (e.children[i]->kind != ExprKind::Number)
      return;
  if (e.kind == ExprKind::Unary && e.unary == UnaryOp::Neg) {
    Expr folded = *e.children[0];
    folded.number = -folded.number;
    e = folded;
    return;
  }
  auto cast = std::make_shared<Expr>();
  cast->kind = ExprKind::Cast;
  cast->castTo = type == DType::Bool ? DType::F64 : type;
  cast->children = {e.children[first]};
  e.children[first] = cast;
}

/// `k`'s text with the kernel and its parameters named by position: equal
/// texts, one compiled kernel (the engine's cache keys by the whole text).
std::string unnamedText(const Kernel &k) {
  Kernel unnamed = k;
  unnamed.name = "k";
  for (size_t i = 0; i < unnamed.params.size(); ++i)
    unnamed.params[i].name = "p" + std::to_string(i);
  return printKernel(unnamed);
}

/// Compiled kernel `sig` with the names of step kernel `k` (its listing).
Kernel renamed(const Kernel &sig, const Kernel &k) {
  Kernel r = sig;
  r.name = k.name;
  for (size_t i = 0; i < r.params.size() && i < k.params.size(); ++i)
    r.params[i].name = k.params[i].name;
  return r;
}

class Partition {
public:
  Partition(const NodeGraph &g, Plan &p) : G(g), P(p) {}

  void decide(const std::vector<unsigned> &outputs);
  Status compileSteps(Engine *engine, const std::string &name);
  void allocate(const std::vector<unsigned> &outputs);
  /// Without an engine (StaticPlan.h), kernels are collected here instead,
  /// and each Kernel step's index among them in CollectIndex.
  std::vector<Kernel> *Collect = nullptr;
  std::vector<size_t> *CollectIndex = nullptr;

private:
  const NodeGraph &G;
  Plan &P;
  std::vector<unsigned> Uses, Height, Leaves;
  std::vector<bool> Reached, Force, AxisUse, ReduceUse, Output;
  /// Steps whose kernels differ only in names share one kernel: a graph of
  /// repeated statements (and its backward pass) compiles a few kernels,
  /// not one per statement. By unnamedText: the compiled kernel, or the
  /// index in *Collect.
  std::unordered_map<std::string, std::shared_ptr<CompiledKernel>> Compiled;
  std::unordered_map<std::string, size_t> Collected;

  void markUses(const std::vector<unsigned> &outputs);
  ExprRef inlined(unsigned id, bool root, Kernel &k,
                  std::unordered_map<unsigned, ExprRef> &memo);
  Status kernelStep(Engine *engine, const std::string &name, unsigned id);
};

/// Uses, Force, AxisUse, ReduceUse and Reached over the nodes that the
/// outputs read (through no-op nodes, and values only, not shapes).
void Partition::markUses(const std::vector<unsigned> &outputs) {
  size_t count = G.nodes.size();
  Uses.assign(count, 0);
  for (auto *flags : {&Reached, &Force, &AxisUse, &ReduceUse, &Output})
    flags->assign(count, false);
  std::vector<unsigned> stack;
  for (unsigned o : outputs) {
    Output[P.resolved[o]] = true;
    stack.push_back(P.resolved[o]);
  }
  while (!stack.empty()) {
    unsigned id = stack.back();
    stack.pop_back();
    if (Reached[id])
      continue;
    Reached[id] = true;
    const Node &n = G.nodes[id];
    bool memory = n.op != NodeOp::Expr || n.proto.kind == ExprKind::MatMul;
    bool reduce = n.op == NodeOp::Expr && n.proto.kind == ExprKind::Reduce;
    for (size_t i = 0; i < dataArgs(n); ++i) {
      unsigned a = P.resolved[n.args[i]];
      ++Uses[a];
      Force[a] = Force[a] || memory;
      AxisUse[a] = AxisUse[a] || (reduce && n.proto.hasAxis);
      ReduceUse[a] = ReduceUse[a] || reduce;
      stack.push_back(a);
    }
  }
}

void Partition::decide(const std::vector<unsigned> &outputs) {
  markUses(outputs);
  size_t count = G.nodes.size();
  P.kept.assign(count, false);
  Height.assign(count, 1);
  Leaves.assign(count, 0);
  for (unsigned id = 0; id < count; ++id) {
    const Node &n = G.nodes[id];
    if (!Reached[id] || isNumber(n))
      continue;
    bool array = !P.slots[id].shape.scalar;
    // A product is fused into its one elementwise consumer (the engine's
    // epilogue: relu(x @ w + b) never writes x @ w).
    bool product = n.op == NodeOp::Expr && n.proto.kind == ExprKind::MatMul;
    P.kept[id] = n.op != NodeOp::Expr || isWholeReduce(n) || Output[id] ||
                 Force[id] || (array && (Uses[id] > 1 || AxisUse[id])) ||
                 (product && ReduceUse[id]);
    // A long chain (a graph of many small statements) is cut into kernels
    // of bounded depth, within the kernel language's nesting limit.
    // So is a fusion that would read more values than a kernel has
    // parameters (counted with repeats: an upper bound).
    unsigned h = 1, leaves = 0;
    for (size_t i = 0; i < dataArgs(n); ++i) {
      unsigned a = P.resolved[n.args[i]];
      h = std::max(h, 1 + (P.kept[a] ? 0 : Height[a]));
      leaves += P.kept[a] ? 1 : Leaves[a];
    }
    Height[id] = h;
    Leaves[id] = leaves;
    if (h > kMaxFusedDepth || leaves > kMaxFusedParams)
      P.kept[id] = true;
  }
}

/// The expression of node `id` with kept nodes as parameters of `k`.
ExprRef Partition::inlined(unsigned id, bool root, Kernel &k,
                           std::unordered_map<unsigned, ExprRef> &memo) {
  id = P.resolved[id];
  if (auto it = memo.find(id); it != memo.end())
    return it->second;
  const Node &n = G.nodes[id];
  auto e = std::make_shared<Expr>(n.proto);
  if (!root && P.kept[id]) {
    e = std::make_shared<Expr>();
    e->kind = ExprKind::Param;
    e->param = static_cast<unsigned>(k.params.size());
    Param p;
    p.name = "v" + std::to_string(id);
    p.type = n.type;
    p.isArray = !P.slots[id].shape.scalar;
    k.params.push_back(p);
    P.steps.back().params.push_back(id);
  } else {
    for (unsigned a : n.args)
      e->children.push_back(inlined(a, false, k, memo));
    typeLiterals(*e, n.type);
  }
  memo[id] = e;
  return e;
}

Status Partition::kernelStep(Engine *engine, const std::string &name,
                             unsigned id) {
  const Node &n = G.nodes[id];
  Step &step = P.steps.emplace_back();
  step.node = id;
  step.scalarResult = isWholeReduce(n);
  Kernel k;
  k.name = name + "_v" + std::to_string(id);
  k.resultType = n.type;
  k.resultIsArray = !step.scalarResult;
  std::unordered_map<unsigned, ExprRef> memo;
  k.body = inlined(id, true, k, memo);
  step.args.resize(step.params.size());
  std::string key = unnamedText(k);
  if (!engine) {
    auto [at, added] = Collected.try_emplace(key, Collect->size());
    if (added)
      Collect->push_back(k);
    CollectIndex->push_back(at->second);
    return {};
  }
  std::shared_ptr<CompiledKernel> &shared = Compiled[key];
  if (!shared) {
    auto compiled = compile(*engine, k);
    if (!compiled)
      return compiled.takeDiagnostics();
    shared = *compiled;
  }
  step.kernel = shared;
  P.kernelText.push_back(printKernel(renamed(shared->signature(), k)));
  return {};
}

Status Partition::compileSteps(Engine *engine, const std::string &name) {
  for (unsigned id = 0; id < G.nodes.size(); ++id) {
    if (!P.kept[id])
      continue;
    const Node &n = G.nodes[id];
    switch (n.op) {
    case NodeOp::Input: break;
    case NodeOp::Count: {
      const Shape &x = P.slots[P.resolved[n.args[0]]].shape;
      int64_t c = 1;
      if (n.axis == kWhole)
        for (int64_t d : x.dims)
          c *= d;
      else if (!x.dims.empty())
        c = x.dims[(n.axis + x.dims.size()) % x.dims.size()];
      P.slots[id].s = {n.type, static_cast<double>(c), c};
      break;
    }
    case NodeOp::SumTo:
    case NodeOp::Unsqueeze:
    case NodeOp::Transpose:
    case NodeOp::Lift:
    case NodeOp::Drop: {
      Step &s = P.steps.emplace_back();
      s.kind = n.op == NodeOp::SumTo ? StepKind::SumTo : StepKind::View;
      s.node = id;
      break;
    }
    case NodeOp::Expr:
      if (Status st = kernelStep(engine, name, id); !st)
        return st;
      break;
    }
  }
  return {};
}

/// The rank-0 outputs of scalar kernels and SumTo's sums; the arrays get
/// shared buffers (assignBuffers).
void Partition::allocate(const std::vector<unsigned> &outputs) {
  for (const Step &s : P.steps) {
    if (s.kind == StepKind::View)
      continue;
    Slot &slot = P.slots[s.node];
    DType t = G.nodes[s.node].type;
    slot.s.dtype = t;
    int64_t n = 1;
    for (int64_t d : slot.shape.dims)
      n *= d;
    if (s.kind == StepKind::SumTo)
      slot.accum.assign(slot.shape.scalar ? 1 : n, 0.0);
    if (!slot.shape.scalar)
      continue;
    slot.scratch.assign(8, 0);
    slot.v = ArrayView::contiguous(slot.scratch.data(), t, {});
  }
  assignBuffers(G, P, outputs);
}

} // namespace

Expected<std::unique_ptr<Plan>> makePlan(Engine &engine, const NodeGraph &g,
                                         const std::vector<unsigned> &outputs,
                                         const std::vector<Arg> &inputs,
                                         const std::string &name) {
  auto plan = std::make_unique<Plan>();
  if (Status s = inferShapes(g, inputs, *plan); !s)
    return s.takeDiagnostics();
  Partition part(g, *plan);
  part.decide(outputs);
  if (Status s = part.compileSteps(&engine, name); !s)
    return s.takeDiagnostics();
  try { // bad_alloc, length_error: temporaries beyond this machine's memory
    part.allocate(outputs);
  } catch (const std::exception &) {
    return callError("out of memory for the graph's temporaries");
  }
  return plan;
}

Expected<StaticPlan> planWithoutShapes(const NodeGraph &g,
                                       const std::vector<unsigned> &outputs,
                                       const std::string &name) {
  StaticPlan out;
  out.plan = std::make_unique<Plan>();
  staticShapes(g, *out.plan);
  Partition part(g, *out.plan);
  part.Collect = &out.kernels;
  part.CollectIndex = &out.stepKernels;
  part.decide(outputs);
  if (Status s = part.compileSteps(nullptr, name); !s)
    return s.takeDiagnostics();
  for (Kernel &k : out.kernels)
    if (auto errors = typeCheck(k); !errors.empty())
      return Diagnostics(errors);
  return out;
}

} // namespace kiln::tensor::graph
