// MatmulLower: lowering a kernel with `a @ b` to plain pieces (see
// MatmulLower.h); compiling them is Matmul.cpp (JIT) or aot/AotMatmulGen.
#include "MatmulLower.h"
#include "PassKernel.h"

#include <unordered_map>
#include <unordered_set>

namespace kiln::tensor {
namespace {

bool hasReduce(const Expr &e, std::unordered_set<const Expr *> &seen) {
  if (!seen.insert(&e).second)
    return false;
  if (e.kind == ExprKind::Reduce)
    return true;
  for (const ExprRef &c : e.children)
    if (hasReduce(*c, seen))
      return true;
  return false;
}

/// The body rewritten over "globals" (the kernel's parameters, then one per
/// step's temporary), adding each step as it is met (post-order).
struct Lowering {
  const Kernel &K;
  std::vector<Param> globals;
  LoweredMatmul plan;
  std::unordered_map<const Expr *, ExprRef> memo;

  MatmulSource sourceOf(unsigned global) const {
    MatmulSource s;
    if (global < K.params.size())
      s.arg = int(global);
    else
      s.temp = int(global - K.params.size());
    return s;
  }

  /// A kernel computing `body` over only the globals it uses, and their
  /// sources; `product` (if a global) gets its local index.
  Kernel passKernel(const std::string &name, const ExprRef &body,
                    std::vector<MatmulSource> &sources,
                    unsigned *product = nullptr) const {
    std::vector<unsigned> used;
    Kernel k = tensor::passKernel(name, body, globals, used);
    for (size_t local = 0; local < used.size(); ++local) {
      if (product && used[local] == *product)
        *product = unsigned(local), product = nullptr;
      sources.push_back(sourceOf(used[local]));
    }
    return k;
  }

  /// A new global for the temporary of step `step`, as a Param node.
  ExprRef addStep(LoweredStep step, const Expr &like) {
    plan.steps.push_back(std::move(step));
    globals.push_back({"mm." + std::to_string(plan.steps.size() - 1), like.type,
                       true, like.loc});
    auto p = std::make_shared<Expr>();
    p->kind = ExprKind::Param;
    p->loc = like.loc;
    p->type = like.type;
    p->isArray = true;
    p->param = unsigned(globals.size() - 1);
    return p;
  }

  /// A product's operand: a parameter as it is, anything else a step.
  MatmulSource operand(const ExprRef &e) {
    if (e->kind == ExprKind::Param && globals[e->param].isArray)
      return sourceOf(e->param);
    LoweredStep step;
    step.type = e->type;
    step.kernel = passKernel(
        K.name + "_mm" + std::to_string(plan.steps.size()), e, step.sources);
    return sourceOf(addStep(std::move(step), *e)->param);
  }

  ExprRef rewrite(const ExprRef &e) {
    if (auto it = memo.find(e.get()); it != memo.end())
      return it->second;
    std::vector<ExprRef> kids;
    for (const ExprRef &c : e->children)
      kids.push_back(rewrite(c));
    if (e->kind == ExprKind::MatMul) {
      LoweredStep step;
      step.type = e->type;
      step.sources = {operand(kids[0]), operand(kids[1])};
      return memo[e.get()] = addStep(std::move(step), *e);
    }
    auto n = std::make_shared<Expr>(*e);
    n->children = std::move(kids);
    return memo[e.get()] = n;
  }

  /// Fuses the last product when the rest `body` is elementwise over it.
  void fuse(const ExprRef &body) {
    const LoweredStep &last = plan.steps.back();
    std::unordered_set<const Expr *> seen;
    if (last.kernel || !K.resultIsArray || body->type != last.type ||
        hasReduce(*body, seen))
      return;
    plan.fused = true;
    plan.fusedSources = {last.sources[0], last.sources[1]};
    unsigned product = unsigned(globals.size() - 1);
    if (!(body->kind == ExprKind::Param && body->param == product)) {
      Kernel epi =
          passKernel("epilogue", body, plan.fusedSources, &product);
      for (size_t q = 0; q < epi.params.size(); ++q)  // one tile per shape of
        epi.params[q].name = "p" + std::to_string(q); // epilogue, any names
      plan.epilogue = std::move(epi);
    }
    plan.product = product;
  }
};

} // namespace

LoweredMatmul lowerMatmul(const Kernel &kernel) {
  Lowering low{kernel, kernel.params, {}, {}};
  ExprRef body = low.rewrite(kernel.body);
  low.fuse(body);
  low.plan.rest = low.passKernel(kernel.name, body, low.plan.restSources);
  low.plan.rest.resultType = kernel.resultType;
  low.plan.rest.resultIsArray = kernel.resultIsArray;
  return std::move(low.plan);
}

} // namespace kiln::tensor
