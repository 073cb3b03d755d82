// PassKernel: cutting a piece of a body into a kernel (see PassKernel.h).
#include "PassKernel.h"

#include <unordered_set>

namespace kiln::tensor {
namespace {

void usedParams(const Expr &e, std::map<unsigned, unsigned> &used,
                std::unordered_set<const Expr *> &seen) {
  if (!seen.insert(&e).second)
    return;
  if (e.kind == ExprKind::Param)
    used.emplace(e.param, 0);
  for (const ExprRef &c : e.children)
    usedParams(*c, used, seen);
}

} // namespace

ExprRef renumberParams(const ExprRef &e, const std::map<unsigned, unsigned> &to,
                       std::unordered_map<const Expr *, ExprRef> &memo) {
  if (auto it = memo.find(e.get()); it != memo.end())
    return it->second;
  auto n = std::make_shared<Expr>(*e);
  if (n->kind == ExprKind::Param)
    n->param = to.at(e->param);
  n->children.clear();
  for (const ExprRef &c : e->children)
    n->children.push_back(renumberParams(c, to, memo));
  return memo[e.get()] = n;
}

Kernel passKernel(const std::string &name, const ExprRef &body,
                  const std::vector<Param> &globals,
                  std::vector<unsigned> &used) {
  std::map<unsigned, unsigned> local;
  std::unordered_set<const Expr *> seen;
  usedParams(*body, local, seen);
  Kernel k;
  k.name = name;
  for (auto &[global, index] : local) {
    index = unsigned(k.params.size());
    k.params.push_back(globals[global]);
    used.push_back(global);
  }
  std::unordered_map<const Expr *, ExprRef> memo;
  k.body = renumberParams(body, local, memo);
  k.resultType = body->type;
  k.resultIsArray = body->isArray;
  k.loc = body->loc;
  return k;
}

} // namespace kiln::tensor
