// Blocked: compiles the expression DAG to three bytecode lists and runs the
// middle one over blocks of the iteration space, in the style of numexpr.
//
//   pre   nodes that do not vary (literals, scalar parameters, expressions of
//         them): run once, one element each, before the loop;
//   loop  varying nodes and reductions: run once per block of at most
//         kReferenceBlock elements; a varying node's register is a block
//         buffer, reused once its last reader has run;
//   post  nodes after the reductions (the scalar result): one element each.
// A contiguous argument with the space's shape is read in place; the last
// instruction of an array kernel writes straight into a contiguous output.
#include "Blocked.h"

#include "Loops.h"
#include "Plan.h"
#include "tensor/syntax/MatmulShape.h"

#include <algorithm>
#include <new>

namespace kiln::tensor {
namespace {

using ref::Operand;
using ref::Plan;

struct Reg {
  void *ptr = nullptr;  ///< this block's elements (or the scalar)
  void *home = nullptr; ///< the storage it computes into (maybe shared)
  bool scalar = true;
  uint64_t slot = 0; ///< the storage of a scalar register
};

struct Program {
  const Plan &plan;
  std::vector<int> pre, loop, post;        ///< node ids; node id = register id
  std::vector<Reg> regs;                   ///< never resized after construction
  std::vector<std::vector<uint64_t>> pool; ///< the block buffers
  std::vector<ref::Accum> accs;            ///< per node (used by reductions)

  explicit Program(const Plan &p)
      : plan(p), regs(p.nodes.size()), accs(p.nodes.size()) {}
  void compile();
  void exec(int id, int64_t start, int64_t n, void *dstOverride);
};

/// Splits the nodes into the three lists and gives every loop node that
/// needs storage a block buffer, sharing buffers between nodes whose lives
/// do not overlap.
void Program::compile() {
  const int count = int(plan.nodes.size());
  std::vector<int> lastUse(count, -1);
  for (int id = 0; id < count; ++id) {
    const Expr &e = *plan.nodes[id];
    if (plan.varies[id] || e.kind == ExprKind::Reduce)
      loop.push_back(id);
    else if (plan.afterReduce[id])
      post.push_back(id);
    else
      pre.push_back(id);
    for (int k : plan.kids[id])
      if (k >= 0)
        lastUse[k] = id;
  }
  std::vector<void *> freeBufs;
  std::vector<bool> owns(count, false);
  for (int id : loop) {
    Reg &r = regs[id];
    const Expr &e = *plan.nodes[id];
    r.scalar = !plan.varies[id];
    const bool direct =
        e.kind == ExprKind::Param && plan.params[e.param].direct;
    if (r.scalar) {
      r.home = &r.slot;
    } else if (direct) {
      r.home = nullptr; // read in place: ptr is set per block
    } else if (!freeBufs.empty()) {
      r.home = freeBufs.back();
      freeBufs.pop_back();
      owns[id] = true;
    } else {
      pool.emplace_back(size_t(kReferenceBlock), 0);
      r.home = pool.back().data();
      owns[id] = true;
    }
    r.ptr = r.home;
    for (int k : plan.kids[id])
      if (k >= 0 && lastUse[k] == id && owns[k] && k != plan.root) {
        freeBufs.push_back(regs[k].home);
        owns[k] = false;
      }
  }
  for (int id : pre)
    regs[id].slot = plan.constant[id];
  for (int id : pre)
    regs[id].home = regs[id].ptr = &regs[id].slot;
  for (int id : post)
    regs[id].home = regs[id].ptr = &regs[id].slot;
}

/// Runs node `id` over elements [start, start+n) of the space.
void Program::exec(int id, int64_t start, int64_t n, void *dstOverride) {
  const Expr &e = *plan.nodes[id];
  Reg &r = regs[id];
  r.ptr = dstOverride ? dstOverride : r.home;
  Operand ops[3];
  for (size_t k = 0; k < e.children.size(); ++k) {
    const Reg &c = regs[plan.kids[id][k]];
    ops[k] = {c.ptr, c.scalar};
  }
  const int64_t len = r.scalar ? 1 : n;
  switch (e.kind) {
  case ExprKind::Number: return;
  case ExprKind::Param:
    if (r.scalar)
      return;
    if (plan.params[e.param].direct)
      r.ptr = plan.params[e.param].base + start * dtypeSize(e.type);
    else
      ref::gather(plan.params[e.param], plan.space, start, n, r.ptr);
    return;
  case ExprKind::Unary:
    ref::applyUnary(e.unary, e.type, ops[0], r.ptr, len);
    return;
  case ExprKind::Binary:
    ref::applyBinary(e.binary, e.children[0]->type, ops[0], ops[1], r.ptr, len);
    return;
  case ExprKind::Call:
    ref::applyCall(e.builtin, e.type, ops, r.ptr, len);
    return;
  case ExprKind::Cast:
    ref::applyCast(e.children[0]->type, e.type, ops[0], r.ptr, len);
    return;
  case ExprKind::Where:
    ref::applyWhere(e.type, ops[0], ops[1], ops[2], r.ptr, len);
    return;
  case ExprKind::Reduce: ref::accumulate(accs[id], ops[0], n); return;
  case ExprKind::MatMul: return; // refused by evalBlocked
  }
}

std::string run(const Kernel &kernel, const std::vector<Arg> &args,
                ArrayView *out, Scalar *result) {
  Plan plan;
  if (std::string err = ref::makePlan(kernel, args, out, result, plan);
      !err.empty())
    return err;
  Program prog(plan);
  prog.compile();
  for (int id : prog.pre)
    prog.exec(id, 0, 1, nullptr);
  for (int id : prog.loop)
    if (plan.nodes[id]->kind == ExprKind::Reduce)
      ref::accumInit(prog.accs[id], plan.nodes[id]->reduce,
                     plan.nodes[id]->children[0]->type);
  const bool arrayRoot = kernel.resultIsArray && plan.varies[plan.root];
  const ExprKind rootKind = plan.nodes[plan.root]->kind;
  const bool writeInPlace =
      arrayRoot && plan.out.direct && rootKind != ExprKind::Param;
  const unsigned outSize = dtypeSize(kernel.resultType);
  for (int64_t start = 0; start < plan.space.size; start += kReferenceBlock) {
    const int64_t n = std::min(kReferenceBlock, plan.space.size - start);
    for (int id : prog.loop) {
      void *dst = writeInPlace && id == plan.root
                      ? plan.out.base + start * outSize
                      : nullptr;
      prog.exec(id, start, n, dst);
    }
    if (arrayRoot && !writeInPlace)
      ref::scatter(prog.regs[plan.root].ptr, false, plan.out, plan.space, start,
                   n);
  }
  for (int id : prog.loop)
    if (plan.nodes[id]->kind == ExprKind::Reduce)
      ref::accumFinish(prog.accs[id], plan.nodes[id]->type, prog.regs[id].ptr);
  for (int id : prog.post)
    prog.exec(id, 0, 1, nullptr);
  const Reg &root = prog.regs[plan.root];
  if (!kernel.resultIsArray)
    *result = ref::toScalar(kernel.resultType, root.ptr);
  else if (!arrayRoot)
    ref::scatter(root.ptr, true, plan.out, plan.space, 0, plan.space.size);
  return "";
}

} // namespace

std::string evalBlocked(const Kernel &kernel, const std::vector<Arg> &args,
                        ArrayView *out, Scalar *result) {
  if (kernel.body && syntax::hasMatmul(*kernel.body))
    return "the blocked interpreter does not multiply matrices ('@'); the "
           "eager executor does";
  if (reducesAlongAxis(kernel))
    return "the blocked interpreter does not reduce along an axis; the "
           "eager executor does";
  try {
    return run(kernel, args, out, result);
  } catch (const std::bad_alloc &) {
    return "out of memory for the blocked interpreter's registers";
  }
}

} // namespace kiln::tensor
