// TensorGraph.cpp: the C API over tensor graphs
// (include/kiln/c/tensor_graph.h).
//
// A thin conversion layer over kiln/tensor/Graph.h: kiln_tensor_arg to
// tensor::Arg and back (the layouts' dtypes agree, Tensor.cpp asserts it),
// errors through the shared guard. The handle holds the engine state so the
// tensor::Engine outlives the graph's kernels.
#include "Engine.h"

#include "kiln/c/tensor_graph.h"
#include "kiln/tensor/Graph.h"
#include "kiln/tensor/Tensor.h"

#include <mutex>
#include <vector>

struct kiln_tensor_graph {
  std::shared_ptr<kiln::capi::EngineState> state; ///< destroyed last
  std::shared_ptr<kiln::tensor::CompiledGraph> graph;
  /// Held from converting a run's arguments into `inputs` to copying
  /// `outputs` out: the graph's own mutex comes too late for these, and a
  /// second thread's arguments would replace the first's after its checks.
  std::mutex lock;
  std::vector<kiln::tensor::Arg> inputs, outputs; ///< reused by every run
};

namespace kiln::capi {
namespace {

using tensor::Arg;
using tensor::ArrayView;
using tensor::DType;

kiln_error *invalidGraph(const std::string &message) {
  return makeError(KILN_ERROR_INVALID_ARGUMENT,
                   "kiln_tensor_graph_run: " + message);
}

Arg fromC(const kiln_tensor_arg &a) {
  if (!a.is_array)
    return Arg::of(
        tensor::Scalar{DType(a.scalar.dtype), a.scalar.f, a.scalar.i});
  ArrayView v;
  v.data = a.array.data;
  v.dtype = DType(a.array.dtype);
  v.rank = a.array.rank;
  for (int d = 0; d < KILN_TENSOR_MAX_RANK; ++d)
    v.shape[d] = a.array.shape[d], v.strides[d] = a.array.strides[d];
  return Arg::of(v);
}

kiln_tensor_arg toC(const Arg &a) {
  kiln_tensor_arg c{};
  c.is_array = a.isArray;
  c.scalar = {kiln_dtype(a.scalar.dtype), a.scalar.f, a.scalar.i};
  c.array.data = a.array.data;
  c.array.dtype = kiln_dtype(a.array.dtype);
  c.array.rank = a.array.rank;
  for (int d = 0; d < KILN_TENSOR_MAX_RANK; ++d)
    c.array.shape[d] = a.array.shape[d],
    c.array.strides[d] = a.array.strides[d];
  return c;
}

/// The C arguments' dtypes are ones Kiln knows (checked before converting).
kiln_error *checkDTypes(const kiln_tensor_arg *args, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    int d = args[i].is_array ? args[i].array.dtype : args[i].scalar.dtype;
    if (d < KILN_DTYPE_BOOL || d > KILN_DTYPE_F64)
      return invalidGraph("argument " + std::to_string(i) + ": unknown dtype " +
                          std::to_string(d));
  }
  return nullptr;
}

} // namespace
} // namespace kiln::capi

using namespace kiln::capi;
using namespace kiln;

KILN_API kiln_error *kiln_tensor_graph_compile(kiln_engine *engine,
                                               const char *file,
                                               const char *source, size_t size,
                                               const char *name,
                                               kiln_tensor_graph **out) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(engine);
    KILN_REQUIRE(source || size == 0);
    KILN_REQUIRE(name);
    KILN_REQUIRE(out);
    if (kiln_error *error =
            requireHost(*engine->state, "kiln_tensor_graph_compile"))
      return error;
    tensor::Engine *tensorEngine = nullptr;
    if (kiln_error *error = engine->state->tensor(tensorEngine))
      return error;
    auto g = tensor::compileGraph(*tensorEngine,
                                  std::string_view(source ? source : "", size),
                                  name, file && *file ? file : "<input>");
    if (!g)
      return errorOf(g);
    *out = new kiln_tensor_graph{engine->state, std::move(*g), {}, {}, {}};
    return nullptr;
  });
}

KILN_API void kiln_tensor_graph_free(kiln_tensor_graph *graph) { delete graph; }

KILN_API size_t kiln_tensor_graph_param_count(const kiln_tensor_graph *graph) {
  return graph ? graph->graph->graph().paramCount : 0;
}

KILN_API size_t kiln_tensor_graph_result_count(const kiln_tensor_graph *graph) {
  return graph ? graph->graph->graph().results.size() : 0;
}

KILN_API kiln_error *kiln_tensor_graph_value(const kiln_tensor_graph *graph,
                                             int result, size_t index,
                                             const char **name,
                                             kiln_dtype *dtype, int *is_array) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(graph);
    const tensor::Graph &g = graph->graph->graph();
    size_t count = result ? g.results.size() : g.paramCount;
    if (index >= count)
      return makeError(KILN_ERROR_INVALID_ARGUMENT,
                       "kiln_tensor_graph_value: index " +
                           std::to_string(index) + " is out of range (" +
                           std::to_string(count) + ")");
    const tensor::GraphValue &v = g.values[result ? g.results[index] : index];
    if (name)
      *name = v.name.c_str();
    if (dtype)
      *dtype = kiln_dtype(v.type);
    if (is_array)
      *is_array = v.isArray;
    return nullptr;
  });
}

KILN_API kiln_error *kiln_tensor_graph_run(kiln_tensor_graph *graph,
                                           const kiln_tensor_arg *args,
                                           size_t count,
                                           kiln_tensor_arg *results,
                                           size_t result_count) {
  return guard(__func__, [&]() -> kiln_error * {
    KILN_REQUIRE(graph);
    KILN_REQUIRE(args || count == 0);
    KILN_REQUIRE(results || result_count == 0);
    size_t want = graph->graph->graph().results.size();
    if (result_count != want)
      return invalidGraph("the graph returns " + std::to_string(want) +
                          " values, result_count is " +
                          std::to_string(result_count));
    if (kiln_error *error = checkDTypes(args, count))
      return error;
    std::lock_guard<std::mutex> hold(graph->lock);
    graph->inputs.resize(count);
    for (size_t i = 0; i < count; ++i)
      graph->inputs[i] = fromC(args[i]);
    Status s = graph->graph->run(graph->inputs, graph->outputs);
    if (!s)
      return errorOf(s);
    for (size_t i = 0; i < want; ++i)
      results[i] = toC(graph->outputs[i]);
    return nullptr;
  });
}
