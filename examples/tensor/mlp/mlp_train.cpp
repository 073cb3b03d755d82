// mlp_train: trains the two-layer perceptron of mlp.tk with plain SGD
// through Kiln's JIT, or times its forward+backward step.
//
// The data and the initial weights come from files (raw little-endian f32,
// written by train.py or bench/tensor/mlp_bench.py), so the NumPy and
// PyTorch versions start from exactly the same numbers.
//
//   mlp_train train GRAPH.tk DIR STEPS LR   -> DIR/kiln_loss.txt
//   mlp_train bench GRAPH.tk DIR REPS       -> one line per call: nanoseconds
//   mlp_train grads GRAPH.tk DIR            -> DIR/kiln_loss.txt and
//                                              DIR/kiln_d{w1,b1,w2,b2}.f32,
//                                              and the planned kernels on
//                                              stdout
//
// DIR holds shapes.txt ("N I H O"), x.f32 [N,I], t.f32 [N,O], w1.f32 [I,H],
// b1.f32 [H], w2.f32 [H,O], b2.f32 [O].
#include "kiln/tensor/Graph.h"
#include "kiln/tensor/Tensor.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace kiln::tensor;

namespace {

struct Array {
  std::vector<float> data;
  std::vector<int64_t> shape;
  Arg arg() {
    return Arg::of(ArrayView::contiguous(data.data(), DType::F32, shape));
  }
};

bool load(const std::string &path, std::vector<int64_t> shape, Array &out) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  out = {std::vector<float>(n), shape};
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char *>(out.data.data()), n * sizeof(float));
  return static_cast<bool>(in);
}

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// x, t, w1, b1, w2, b2 from `dir`.
bool loadAll(const std::string &dir, std::vector<Array> &a) {
  int64_t n, i, h, o;
  std::ifstream shapes(dir + "/shapes.txt");
  if (!(shapes >> n >> i >> h >> o))
    return false;
  const char *names[] = {"x", "t", "w1", "b1", "w2", "b2"};
  std::vector<std::vector<int64_t>> dims = {{n, i}, {n, o}, {i, h},
                                            {h},    {h, o}, {o}};
  a.resize(6);
  for (int k = 0; k < 6; ++k)
    if (!load(dir + "/" + names[k] + ".f32", dims[k], a[k]))
      return false;
  return true;
}

int fail(const kiln::Diagnostics &d) {
  std::cerr << kiln::render(d, false);
  return 1;
}

int train(CompiledGraph &g, std::vector<Array> &a, const std::string &dir,
          int steps, float lr) {
  std::ofstream losses(dir + "/kiln_loss.txt");
  std::vector<Arg> out;
  for (int s = 0; s < steps; ++s) {
    std::vector<Arg> in;
    for (Array &x : a)
      in.push_back(x.arg());
    in.push_back(Arg::of(Scalar::f32(lr)));
    if (auto r = g.run(in, out); !r)
      return fail(r.diagnostics());
    char line[64];
    std::snprintf(line, sizeof line, "%.9g\n", out[0].scalar.asDouble());
    losses << line;
    for (int k = 0; k < 4; ++k) // the updated weights become the inputs
      std::memcpy(a[2 + k].data.data(), out[1 + k].array.data,
                  a[2 + k].data.size() * sizeof(float));
  }
  std::printf("trained %d steps, final loss %.6g, %llu plan(s)\n", steps,
              out[0].scalar.asDouble(),
              static_cast<unsigned long long>(g.stats().plans));
  return 0;
}

int bench(CompiledGraph &g, std::vector<Array> &a, int reps) {
  std::vector<Arg> in, out;
  for (Array &x : a)
    in.push_back(x.arg());
  for (int r = 0; r < reps + 3; ++r) { // 3 untimed: planning, warm caches
    auto t0 = std::chrono::steady_clock::now();
    if (auto s = g.run(in, out); !s)
      return fail(s.diagnostics());
    auto t1 = std::chrono::steady_clock::now();
    if (r >= 3)
      std::printf("%lld\n", static_cast<long long>(
                                std::chrono::nanoseconds(t1 - t0).count()));
  }
  return 0;
}

/// The loss and the four gradients of graph `grads`, written to `dir`.
int grads(CompiledGraph &g, std::vector<Array> &a, const std::string &dir) {
  std::vector<Arg> in, out;
  for (Array &x : a)
    in.push_back(x.arg());
  if (auto s = g.run(in, out); !s)
    return fail(s.diagnostics());
  for (const std::string &k : g.plannedKernels())
    std::printf("%s\n", k.c_str());
  char loss[64];
  std::snprintf(loss, sizeof loss, "%.9g\n", out[0].scalar.f);
  std::ofstream(dir + "/kiln_loss.txt") << loss;
  const char *names[] = {"dw1", "db1", "dw2", "db2"};
  for (int k = 0; k < 4; ++k) {
    std::ofstream f(dir + "/kiln_" + names[k] + ".f32", std::ios::binary);
    f.write(static_cast<const char *>(out[1 + k].array.data),
            out[1 + k].array.size() * sizeof(float));
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (!((mode == "train" && argc == 6) || (mode == "bench" && argc == 5) ||
        (mode == "grads" && argc == 4))) {
    std::cerr << "usage: mlp_train train GRAPH.tk DIR STEPS LR\n"
                 "       mlp_train bench GRAPH.tk DIR REPS\n"
                 "       mlp_train grads GRAPH.tk DIR\n";
    return 2;
  }
  std::vector<Array> a;
  if (!loadAll(argv[3], a)) {
    std::cerr << "mlp_train: cannot read the data in " << argv[3] << "\n";
    return 1;
  }
  EngineOptions options;
  options.threads = 1;
  auto engine = Engine::create(options);
  if (!engine)
    return fail(engine.diagnostics());
  std::string source = readFile(argv[2]);
  auto g = compileGraph(**engine, source, mode == "train" ? "step" : "grads",
                        argv[2]);
  if (!g)
    return fail(g.diagnostics());
  if (mode == "train")
    return train(**g, a, argv[3], std::atoi(argv[4]),
                 static_cast<float>(std::atof(argv[5])));
  if (mode == "grads")
    return grads(**g, a, argv[3]);
  return bench(**g, a, std::atoi(argv[4]));
}
