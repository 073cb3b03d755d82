// Matmul: lowering a kernel with `a @ b` to a plan of steps (compile time;
// see Matmul.h). Running the plan is MatmulRun.cpp.
#include "Matmul.h"

#include <map>
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

void usedParams(const Expr &e, std::map<unsigned, unsigned> &used,
                std::unordered_set<const Expr *> &seen) {
  if (!seen.insert(&e).second)
    return;
  if (e.kind == ExprKind::Param)
    used.emplace(e.param, 0);
  for (const ExprRef &c : e.children)
    usedParams(*c, used, seen);
}

ExprRef renumber(const ExprRef &e, const std::map<unsigned, unsigned> &to,
                 std::unordered_map<const Expr *, ExprRef> &memo) {
  if (auto it = memo.find(e.get()); it != memo.end())
    return it->second;
  auto n = std::make_shared<Expr>(*e);
  if (n->kind == ExprKind::Param)
    n->param = to.at(e->param);
  n->children.clear();
  for (const ExprRef &c : e->children)
    n->children.push_back(renumber(c, to, memo));
  return memo[e.get()] = n;
}

/// The body rewritten over "globals" (the kernel's parameters, then one per
/// step's temporary), compiling each step as it is met (post-order).
struct Lowering {
  const Kernel &K;
  Engine::Impl &E;
  const CompileOne &compileOne;
  std::vector<Param> globals;
  MatmulPlan plan;
  std::unordered_map<const Expr *, ExprRef> memo;
  Diagnostics error;

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
    std::map<unsigned, unsigned> used;
    std::unordered_set<const Expr *> seen;
    usedParams(*body, used, seen);
    Kernel k;
    k.name = name;
    for (auto &[global, local] : used) {
      local = unsigned(k.params.size());
      if (product && global == *product)
        *product = local, product = nullptr;
      k.params.push_back(globals[global]);
      sources.push_back(sourceOf(global));
    }
    std::unordered_map<const Expr *, ExprRef> memo;
    k.body = renumber(body, used, memo);
    k.resultType = body->type;
    k.resultIsArray = body->isArray;
    k.loc = body->loc;
    return k;
  }

  /// A new global for the temporary of step `step`, as a Param node.
  ExprRef addStep(MatmulStep step, const Expr &like) {
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
  bool operand(const ExprRef &e, MatmulSource &out) {
    if (e->kind == ExprKind::Param && globals[e->param].isArray) {
      out = sourceOf(e->param);
      return true;
    }
    MatmulStep step;
    Kernel k = passKernel(K.name + "_mm" + std::to_string(plan.steps.size()), e,
                          step.sources);
    auto compiled = compileOne(k);
    if (!compiled)
      return error = compiled.takeDiagnostics(), false;
    step.kernel = std::move(*compiled);
    ExprRef p = addStep(std::move(step), *e);
    out = sourceOf(p->param);
    return true;
  }

  ExprRef product(const Expr &e, const std::vector<ExprRef> &kids) {
    MatmulStep step;
    step.sources.resize(2);
    if (!operand(kids[0], step.sources[0]) ||
        !operand(kids[1], step.sources[1]))
      return nullptr;
    auto tile = gemmTile(E, e.type, nullptr, 0);
    if (!tile)
      return error = tile.takeDiagnostics(), nullptr;
    step.tile = std::move(*tile);
    return addStep(std::move(step), e);
  }

  ExprRef rewrite(const ExprRef &e) {
    if (auto it = memo.find(e.get()); it != memo.end())
      return it->second;
    std::vector<ExprRef> kids;
    for (const ExprRef &c : e->children) {
      kids.push_back(rewrite(c));
      if (!kids.back())
        return nullptr;
    }
    if (e->kind == ExprKind::MatMul)
      return memo[e.get()] = product(*e, kids);
    auto n = std::make_shared<Expr>(*e);
    n->children = std::move(kids);
    return memo[e.get()] = n;
  }

  /// plan.fused when the rest `body` is elementwise over the last product.
  Status fuse(const ExprRef &body) {
    const MatmulStep &last = plan.steps.back();
    std::unordered_set<const Expr *> seen;
    if (last.kernel || !K.resultIsArray || body->type != last.tile->type ||
        hasReduce(*body, seen))
      return {};
    auto fused = std::make_unique<MatmulStep>();
    fused->sources = {last.sources[0], last.sources[1]};
    const Kernel *epilogue = nullptr;
    Kernel epi;
    unsigned product = unsigned(globals.size() - 1);
    if (!(body->kind == ExprKind::Param && body->param == product)) {
      epi = passKernel("epilogue", body, fused->sources, &product);
      for (size_t q = 0; q < epi.params.size(); ++q)  // one tile per shape of
        epi.params[q].name = "p" + std::to_string(q); // epilogue, any names
      epilogue = &epi;
    }
    auto tile = gemmTile(E, last.tile->type, epilogue, product);
    if (!tile)
      return tile.takeDiagnostics();
    fused->tile = std::move(*tile);
    plan.product = product;
    plan.fused = std::move(fused);
    return {};
  }
};

} // namespace

Expected<std::shared_ptr<CompiledKernel>>
compileMatmul(Engine::Impl &engine, const Kernel &kernel,
              const CompileOne &compileOne) {
  Lowering low{kernel, engine, compileOne, kernel.params, {}, {}, {}};
  ExprRef body = low.rewrite(kernel.body);
  if (!body)
    return std::move(low.error);
  if (Status fused = low.fuse(body); !fused)
    return fused.takeDiagnostics();
  Kernel rest = low.passKernel(kernel.name, body, low.plan.rest.sources);
  rest.resultType = kernel.resultType;
  rest.resultIsArray = kernel.resultIsArray;
  auto compiled = compileOne(rest);
  if (!compiled)
    return compiled.takeDiagnostics();
  low.plan.rest.kernel = std::move(*compiled);
  auto impl = std::make_unique<CompiledKernel::Impl>();
  impl->Signature = kernel;
  impl->Owner = &engine;
  impl->Matmul = std::make_shared<const MatmulPlan>(std::move(low.plan));
  impl->Plan.run = runMatmul;
  return std::make_shared<CompiledKernel>(std::move(impl));
}

} // namespace kiln::tensor
