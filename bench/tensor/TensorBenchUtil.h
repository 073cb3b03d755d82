// TensorBenchUtil: the plumbing of tensor_bench — options, shared-library
// loading, the deterministic inputs (the same counter hash as
// numpy_bench.py), interleaved timing, result checks and JSON output.
#pragma once

#include "kiln/tensor/Syntax.h"
#include "kiln/tensor/Tensor.h"
#include "tensor/reference/Blocked.h"
#include "tensor/reference/Eager.h"

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace kiln::bench {

struct Options {
  std::string mode, kernel, tk, native, aot;
  int64_t n = 1000;
  int reps = 5;
  int seed = 0; ///< --seed: seeds the column orders (see timeInterleaved)
};

/// "" or the misuse message.
std::string parseOptions(int argc, char **argv, Options &o);
int fail(const std::string
             &message); ///< prints `tensor_bench: error: ...`, returns 1
bool readText(const std::string &path, std::string &text);

/// A dlopen'ed shared library (empty path: none).
class Library {
public:
  explicit Library(const std::string &path);
  ~Library();
  void *sym(const std::string &name) const;

private:
  void *Handle = nullptr;
};

/// Element i of input `seed`: splitmix64((seed << 40) ^ i) >> 40, scaled to
/// [-2, 2) — exact in f32, and cheap to generate in NumPy too.
float inputValue(uint64_t seed, uint64_t i);

/// The inputs a, b, c (as many as the kernel has) and its scalar.
struct Inputs {
  int64_t n;
  float scalar;
  std::vector<std::vector<float>> arrays;
  Inputs(int64_t n, int count, float scalar);
  const float *a() const {
    return arrays.size() > 0 ? arrays[0].data() : nullptr;
  }
  const float *b() const {
    return arrays.size() > 1 ? arrays[1].data() : nullptr;
  }
  const float *c() const {
    return arrays.size() > 2 ? arrays[2].data() : nullptr;
  }
  std::vector<tensor::Arg> args(); ///< in kernel parameter order
  double dotScale() const;         ///< sum |a_i * b_i| (a dot's error scale)
};

using Callable = std::function<void()>;
struct Column {
  std::string name;
  Callable call;
};

/// The AOT library's entry for kernel k (null when the library lacks it).
Callable aotColumn(Library &lib, const std::string &k, Inputs &in, float *out,
                   float *result);

/// Checks a column's output against the eager reference: "ok ..." or why not.
struct Checker {
  bool reduce;
  int64_t n;
  const float *want;
  float wantResult;
  double scale;
  std::string operator()(const float *got, float result) const;
};

/// reps rounds of every column, each sample after one untimed call; each
/// round in its own order (a shuffle seeded by seed + r), so no column
/// always follows the same one. Per-call ms per column.
std::vector<std::vector<double>> timeInterleaved(std::vector<Column> &cols,
                                                 int reps, int seed = 0);

void printJson(std::ostream &os, const Options &o, int bytesPerElem,
               const std::vector<Column> &cols,
               const std::vector<std::vector<double>> &times,
               const std::vector<std::string> &verdicts, const float *want,
               float wantResult, bool reduce, double scale);

int streamMode(const Options &o);
int compileMode(const Options &o);

} // namespace kiln::bench
