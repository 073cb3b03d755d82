// TensorBenchModes: tensor_bench's `stream` mode (STREAM-style copy and
// triad from the g++ library, 1 thread and all threads: this machine's
// memory bandwidth, measured in the same run as the kernels) and `compile`
// mode (kernel compile latency, cold at O0/O3 and cached).
#include "TensorBenchUtil.h"

#include <chrono>
#include <iostream>
#include <thread>

namespace kiln::bench {

using namespace kiln::tensor;

namespace {
double nowMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch())
      .count();
}

void printTimes(const std::vector<Column> &cols,
                const std::vector<std::vector<double>> &times) {
  for (size_t k = 0; k < cols.size(); ++k) {
    std::cout << (k ? ", " : "") << "\"" << cols[k].name << "\": [";
    for (size_t r = 0; r < times[k].size(); ++r)
      std::cout << (r ? ", " : "") << times[k][r];
    std::cout << "]";
  }
}
} // namespace

int streamMode(const Options &o) {
  Library lib(o.native);
  auto copy =
      reinterpret_cast<void (*)(const float *, float *, int64_t, unsigned)>(
          lib.sym("stream_copy"));
  auto triad =
      reinterpret_cast<void (*)(const float *, const float *, float, float *,
                                int64_t, unsigned)>(lib.sym("stream_triad"));
  if (!copy || !triad)
    return fail("no stream_copy/stream_triad in '" + o.native + "'");
  Inputs in(o.n, 2, 1.5f);
  std::vector<float> out(size_t(std::max<int64_t>(o.n, 1)));
  const unsigned all = std::max(1u, std::thread::hardware_concurrency());
  const float *a = in.a(), *b = in.b();
  float *d = out.data();
  const int64_t n = o.n;
  std::vector<Column> cols = {
      {"copy_1", [=] { copy(a, d, n, 1); }},
      {"copy_all", [=] { copy(a, d, n, all); }},
      {"triad_1", [=] { triad(a, b, 1.5f, d, n, 1); }},
      {"triad_all", [=] { triad(a, b, 1.5f, d, n, all); }}};
  auto times = timeInterleaved(cols, o.reps);
  triad(a, b, 1.5f, d, n, all); // the columns ran in shuffled orders
  for (int64_t i = 0; i < n; ++i)
    if (out[i] != a[i] + 1.5f * b[i])
      return fail("stream_triad computed a wrong value");
  std::cout.precision(9);
  std::cout << "{\"n\": " << n << ", \"threads\": " << all << ", ";
  printTimes(cols, times);
  std::cout << "}\n";
  return 0;
}

int compileMode(const Options &o) {
  const std::string body = "(a: f32[], b: f32[], c: f32[], alpha: f32) -> "
                           "f32[] = relu(alpha * a * b + c)";
  std::cout.precision(9);
  std::cout << "{";
  for (int level : {0, 3}) {
    EngineOptions eo;
    eo.optLevel = static_cast<OptLevel>(level);
    eo.cache = false; // no on-disk object cache: every compile is cold
    auto created = Engine::create(eo);
    if (!created)
      return fail("JIT: " + render(created.diagnostics()));
    Engine *engine = created->get();
    std::vector<double> cold;
    for (int r = 0; r < o.reps + 1; ++r) {
      // A new kernel name each time, so the engine's in-memory cache misses.
      const std::string src = "kernel fma_relu_" + std::to_string(r) + body;
      const double t0 = nowMs();
      auto cr = compile(*engine, src);
      const double ms = nowMs() - t0;
      if (!cr.ok())
        return fail(render(cr.diagnostics()));
      if (r > 0)
        cold.push_back(ms); // the first also warms up the engine
    }
    std::cout << (level ? ", " : "") << "\"cold_O" << level << "\": [";
    for (size_t k = 0; k < cold.size(); ++k)
      std::cout << (k ? ", " : "") << cold[k];
    std::cout << "]";
    if (level != 3)
      continue;
    // The same source again: parse + check + the engine's in-memory cache hit.
    const std::string src = "kernel fma_relu_0" + body;
    std::vector<Column> cols = {
        {"cached", [&] { (void)compile(*engine, src); }}};
    auto times = timeInterleaved(cols, o.reps);
    std::cout << ", ";
    printTimes(cols, times);
  }
  std::cout << "}\n";
  return 0;
}

} // namespace kiln::bench
