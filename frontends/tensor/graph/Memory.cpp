// Memory: the temporaries of a plan — one buffer per kept value, shared by
// values whose lifetimes do not overlap.
//
// A plan runs its steps in one fixed order, so each kept value's last
// reader is known when the plan is made: once it has run, the value's
// buffer can hold a later step's result. Returned values live until the
// caller's next run, and a view (a transpose, a re-inserted axis) keeps its
// source alive as long as the view is read. Buffers are sized and
// allocated once, after every value has one, so no view ever moves.
#include "Plan.h"

#include <algorithm>
#include <climits>
#include <iterator>
#include <new>
#include <set>

#include <unistd.h>

namespace kiln::tensor::graph {

namespace {

/// The values step `s` reads (kept, resolved node ids).
std::vector<unsigned> reads(const NodeGraph &g, const Plan &p, const Step &s) {
  if (s.kind == StepKind::Kernel)
    return s.params;
  return {p.resolved[g.nodes[s.node].args[0]]};
}

int64_t bytesOf(const NodeGraph &g, const Slot &slot, unsigned node) {
  int64_t n = 1, size = dtypeSize(g.nodes[node].type);
  for (int64_t d : slot.shape.dims) // at most 2^60 (inferShapes)
    n *= d;
  return n > INT64_MAX / size ? INT64_MAX : std::max<int64_t>(1, n * size);
}

/// Per node: the index of the last step that reads it (steps.size() for
/// values that must outlive the run: the results).
std::vector<size_t> lastUses(const NodeGraph &g, const Plan &p,
                             const std::vector<unsigned> &outputs) {
  size_t end = p.steps.size();
  std::vector<size_t> last(g.nodes.size(), 0);
  for (size_t s = 0; s < end; ++s)
    for (unsigned r : reads(g, p, p.steps[s]))
      last[r] = std::max(last[r], s);
  for (unsigned o : outputs)
    last[p.resolved[o]] = end;
  for (size_t s = end; s-- > 0;) { // a view extends its source's life
    const Step &step = p.steps[s];
    if (step.kind == StepKind::View) {
      unsigned src = p.resolved[g.nodes[step.node].args[0]];
      last[src] = std::max(last[src], last[step.node]);
    }
  }
  return last;
}

} // namespace

void assignBuffers(const NodeGraph &g, Plan &p,
                   const std::vector<unsigned> &outputs) {
  std::vector<size_t> last = lastUses(g, p, outputs);
  std::vector<int64_t> sizes;                 // per buffer, the largest user
  std::vector<int> owner(g.nodes.size(), -1); // node -> buffer
  // Per step, the buffers that become free there (after their value's last
  // reader): a step visits only those, not every live value (quadratic in
  // a long chain with its gradient, whose forward values live long).
  std::vector<std::vector<int>> freed(p.steps.size());
  std::set<std::pair<int64_t, int>> free; // (size, buffer), by size
  for (size_t s = 0; s < p.steps.size(); ++s) {
    for (int b : freed[s])
      free.insert({sizes[b], b});
    const Step &step = p.steps[s];
    Slot &slot = p.slots[step.node];
    if (step.kind == StepKind::View || slot.shape.scalar)
      continue;
    int64_t need = bytesOf(g, slot, step.node);
    // The smallest free buffer that fits, or the largest (grown).
    auto best = free.lower_bound({need, -1});
    if (best == free.end() && !free.empty())
      best = std::prev(free.end());
    int b = best == free.end() ? static_cast<int>(sizes.size()) : best->second;
    if (best == free.end())
      sizes.push_back(need);
    else
      free.erase(best);
    sizes[b] = std::max(sizes[b], need);
    owner[step.node] = b;
    size_t end = std::max(last[step.node], s) + 1;
    if (end < freed.size())
      freed[end].push_back(b);
  }
  double total = 0, memory = double(sysconf(_SC_PHYS_PAGES)) *
                             double(sysconf(_SC_PAGESIZE));
  for (int64_t n : sizes)
    total += double(n);
  if (total > memory) // zero-filling it would only end in the OOM killer
    throw std::bad_alloc();
  p.buffers.resize(sizes.size());
  for (size_t b = 0; b < sizes.size(); ++b) {
    p.buffers[b].assign(sizes[b], 0);
    ++p.allocations;
    p.bytes += sizes[b];
  }
  for (const Step &step : p.steps)
    if (owner[step.node] >= 0) {
      Slot &slot = p.slots[step.node];
      slot.v = ArrayView::contiguous(p.buffers[owner[step.node]].data(),
                                     g.nodes[step.node].type, slot.shape.dims);
    }
}

} // namespace kiln::tensor::graph
