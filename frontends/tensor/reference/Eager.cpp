// Eager: evaluates the expression DAG node by node, each over the whole
// iteration space, like NumPy evaluates `relu(alpha * a * b + c)`.
//
// A node that does not vary over the space (literal, scalar parameter,
// reduction, anything built only from those) is one element and broadcast by
// the loops; a varying node gets a temporary of the full space, freed after
// its last use and reused by later nodes. Contiguous arguments that already
// have the space's shape are read in place, others are first gathered into a
// temporary.
#include "Eager.h"

#include "AxisEval.h"

#include "Loops.h"
#include "Plan.h"

#include <cstdlib>
#include <memory>
#include <new>
#include <utility>

#include <sys/mman.h>

namespace kiln::tensor {
namespace {

using ref::Operand;
using ref::Plan;

struct FreeDeleter {
  void operator()(uint64_t *p) const { std::free(p); }
};

/// A temporary: uninitialised storage of `words` 8-byte words.
struct Temp {
  std::unique_ptr<uint64_t, FreeDeleter> data;
  size_t words = 0;
};

/// Storage for a temporary. Like NumPy, temporaries of 4 MB and more are
/// 2 MB aligned and marked for transparent huge pages, so their first touch
/// costs one page fault per 2 MB rather than per 4 KB.
uint64_t *newStorage(size_t words) {
  const size_t bytes = words * 8, huge = size_t(2) << 20;
  if (bytes < (size_t(4) << 20))
    return static_cast<uint64_t *>(std::malloc(bytes));
  const size_t rounded = (bytes + huge - 1) / huge * huge;
  void *p = std::aligned_alloc(huge, rounded);
#ifdef MADV_HUGEPAGE
  if (p)
    madvise(p, rounded, MADV_HUGEPAGE); // a hint: failure is harmless
#endif
  return static_cast<uint64_t *>(p);
}

struct Value {
  const void *data = nullptr;
  bool scalar = true;
  Temp own; ///< the temporary, when the node owns one
};

/// Temporaries freed after their last use, reused by later nodes of the same
/// call (as NumPy reuses a temporary it is about to drop).
struct Pool {
  std::vector<Temp> free;
  void *next = nullptr; ///< the next allocation's storage (the output), once

  void *allocate(Value &v, DType type, int64_t n) {
    if (next) {
      v.data = next;
      return std::exchange(next, nullptr);
    }
    const size_t words = (size_t(n) * dtypeSize(type) + 7) / 8 + 1;
    for (size_t k = 0; k < free.size(); ++k)
      if (free[k].words >= words && free[k].words <= 2 * words) {
        v.own = std::move(free[k]);
        free.erase(free.begin() + long(k));
        return v.data = v.own.data.get(), v.own.data.get();
      }
    v.own.data.reset(newStorage(words));
    if (!v.own.data)
      throw std::bad_alloc();
    v.own.words = words;
    return v.data = v.own.data.get(), v.own.data.get();
  }
  void release(Value &v) {
    if (v.own.data)
      free.push_back(std::move(v.own));
    v.own = {};
  }
};

/// A literal or parameter node: its constant, the caller's contiguous
/// array in place, or a gathered copy of a strided one.
void evalLeaf(const Plan &plan, int id, Value &v, Pool &pool) {
  const Expr &e = *plan.nodes[id];
  if (e.kind == ExprKind::Number || v.scalar) {
    v.data = &plan.constant[id];
    return;
  }
  const ref::Strided &s = plan.params[e.param];
  if (s.direct)
    v.data = s.base;
  else
    ref::gather(s, plan.space, 0, plan.space.size,
                pool.allocate(v, e.type, plan.space.size));
}

/// Computes node `id` from its children's values.
void evalNode(const Plan &plan, int id, std::vector<Value> &values,
              Pool &pool) {
  const Expr &e = *plan.nodes[id];
  const int64_t size = plan.space.size;
  Value &v = values[id];
  v.scalar = !plan.varies[id];
  const int64_t n = v.scalar ? 1 : size;
  Operand ops[3];
  for (size_t k = 0; k < e.children.size(); ++k) {
    const Value &c = values[plan.kids[id][k]];
    ops[k] = {c.data, c.scalar};
  }
  switch (e.kind) {
  case ExprKind::Number:
  case ExprKind::Param: evalLeaf(plan, id, v, pool); return;
  case ExprKind::Unary:
    ref::applyUnary(e.unary, e.type, ops[0], pool.allocate(v, e.type, n), n);
    return;
  case ExprKind::Binary:
    ref::applyBinary(e.binary, e.children[0]->type, ops[0], ops[1],
                     pool.allocate(v, e.type, n), n);
    return;
  case ExprKind::Call:
    ref::applyCall(e.builtin, e.type, ops, pool.allocate(v, e.type, n), n);
    return;
  case ExprKind::Cast:
    ref::applyCast(e.children[0]->type, e.type, ops[0],
                   pool.allocate(v, e.type, n), n);
    return;
  case ExprKind::Where:
    ref::applyWhere(e.type, ops[0], ops[1], ops[2], pool.allocate(v, e.type, n),
                    n);
    return;
  case ExprKind::Reduce: {
    ref::Accum acc;
    ref::accumInit(acc, e.reduce, e.children[0]->type);
    ref::accumulatePairwise(acc, ops[0], size);
    ref::accumFinish(acc, e.type, pool.allocate(v, e.type, 1));
    return;
  }
  case ExprKind::MatMul: return; // matmul kernels run in AxisEval
  }
}

std::string run(const Kernel &kernel, const std::vector<Arg> &args,
                ArrayView *out, Scalar *result) {
  Plan plan;
  if (std::string err = ref::makePlan(kernel, args, out, result, plan);
      !err.empty())
    return err;
  const int count = int(plan.nodes.size());
  std::vector<int> lastUse(count, -1);
  for (int id = 0; id < count; ++id)
    for (int k : plan.kids[id])
      if (k >= 0)
        lastUse[k] = id;
  std::vector<Value> values(count);
  Pool pool;
  // The root writes straight into a contiguous output (NumPy's out=).
  const bool inPlace =
      kernel.resultIsArray && plan.varies[plan.root] && plan.out.direct;
  for (int id = 0; id < count; ++id) {
    if (id == plan.root && inPlace)
      pool.next = plan.out.base;
    evalNode(plan, id, values, pool);
    for (int k : plan.kids[id])
      if (k >= 0 && lastUse[k] == id)
        pool.release(values[k]);
  }
  const Value &root = values[plan.root];
  if (!kernel.resultIsArray)
    *result = ref::toScalar(kernel.resultType, root.data);
  else if (root.data != plan.out.base)
    ref::scatter(root.data, root.scalar, plan.out, plan.space, 0,
                 plan.space.size);
  return "";
}

} // namespace

std::string evalEager(const Kernel &kernel, const std::vector<Arg> &args,
                      ArrayView *out, Scalar *result) {
  if (reducesAlongAxis(kernel)) // nodes of different shapes: AxisEval.h
    return evalAxis(kernel, args, out, result);
  try {
    return run(kernel, args, out, result);
  } catch (const std::bad_alloc &) {
    return "out of memory for the eager executor's temporaries";
  }
}

} // namespace kiln::tensor
