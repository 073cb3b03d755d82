// tensor_xcheck: runs kernels written by numpy_random.py through the JIT
// (O0; O3 with 1 and 2 threads) and both reference executors, and writes
// every column's result as raw little-endian binary for the script to
// compare with NumPy.
//
// Usage: tensor_xcheck CASE_DIR...   Each CASE_DIR holds kernel.tk,
// manifest.txt and the input binaries; the driver writes out_<column>.bin,
// or err_<column>.txt when a column rejects the call. One process for all
// cases keeps the random test fast (one engine per optimisation level).
#include "DiagText.h"
#include "kiln/tensor/Syntax.h"
#include "kiln/tensor/Tensor.h"
#include "tensor/reference/Blocked.h"
#include "tensor/reference/Eager.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>

using namespace kiln::tensor;
using kiln::tensor::test::message;

namespace {

bool parseDType(const std::string &s, DType &t) {
  static const std::pair<const char *, DType> names[] = {{"bool", DType::Bool},
                                                         {"i32", DType::I32},
                                                         {"i64", DType::I64},
                                                         {"f32", DType::F32},
                                                         {"f64", DType::F64}};
  for (auto &[n, d] : names)
    if (s == n)
      return t = d, true;
  return false;
}

std::string readFile(const std::string &path, bool &ok) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  ok = bool(in);
  return ss.str();
}

void writeFile(const std::string &path, const void *data, size_t bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char *>(data), std::streamsize(bytes));
}

/// One case: the kernel, its arguments (pointing into `storage`) and the
/// result's shape.
struct Case {
  std::string dir, source, kernelName;
  std::vector<Arg> args;
  std::vector<std::string> storage;
  bool resultIsArray = false;
  DType resultType = DType::F64;
  std::vector<int64_t> resultShape;
};

/// Reads manifest.txt (format in numpy_random.py's write_case).
std::string load(Case &c) {
  bool ok = false;
  c.source = readFile(c.dir + "/kernel.tk", ok);
  if (!ok)
    return "cannot read kernel.tk";
  std::ifstream m(c.dir + "/manifest.txt");
  std::string line;
  c.storage.reserve(16);
  while (std::getline(m, line)) {
    std::istringstream in(line);
    std::string what, type;
    in >> what;
    if (what == "kernel") {
      in >> c.kernelName;
      continue;
    }
    in >> type;
    if (what == "result") {
      std::string dt;
      in >> dt;
      if (!parseDType(dt, c.resultType))
        return "bad result dtype";
      c.resultIsArray = type == "array";
      int rank = 0;
      if (c.resultIsArray)
        in >> rank;
      c.resultShape.resize(size_t(rank));
      for (auto &d : c.resultShape)
        in >> d;
      continue;
    }
    DType t;
    if (!parseDType(type, t))
      return "bad dtype in: " + line;
    if (what == "scalar") {
      std::string text; // floats as C99 hex, integers in decimal
      in >> text;
      const double v = std::strtod(text.c_str(), nullptr);
      const long long i = std::strtoll(text.c_str(), nullptr, 10);
      c.args.push_back(Arg::of(t == DType::F32   ? Scalar::f32(float(v))
                               : t == DType::F64 ? Scalar::f64(v)
                               : t == DType::I32 ? Scalar::i32(int32_t(i))
                                                 : Scalar::i64(i)));
      continue;
    }
    ArrayView v;
    v.dtype = t;
    in >> v.rank;
    if (v.rank < 0 || v.rank > kMaxRank)
      return "bad rank in: " + line;
    for (int d = 0; d < v.rank; ++d)
      in >> v.shape[d];
    for (int d = 0; d < v.rank; ++d)
      in >> v.strides[d];
    int64_t offset = 0, count = 0;
    std::string file;
    in >> offset >> file >> count;
    if (c.storage.size() == c.storage.capacity())
      return "too many arrays";
    c.storage.push_back(readFile(c.dir + "/" + file, ok));
    if (!ok ||
        int64_t(c.storage.back().size()) != count * int64_t(dtypeSize(t)))
      return "bad input file " + file;
    c.storage.back().resize(c.storage.back().size() +
                            8); // empty arrays: a valid pointer
    v.data = c.storage.back().data() + offset * int64_t(dtypeSize(t));
    c.args.push_back(Arg::of(v));
  }
  return c.kernelName.empty() ? "manifest has no kernel line" : "";
}

using Runner =
    std::function<std::string(const std::vector<Arg> &, ArrayView *, Scalar *)>;

/// Runs one column into a fresh 0xA5-filled buffer and writes the result.
void column(const Case &c, const std::string &name, const Runner &run) {
  int64_t n = 1;
  for (int64_t d : c.resultShape)
    n *= d;
  const size_t bytes = size_t(n) * dtypeSize(c.resultType);
  std::vector<unsigned char> buf(bytes + 8, 0xA5);
  ArrayView out =
      ArrayView::contiguous(buf.data(), c.resultType, c.resultShape);
  Scalar result;
  std::string err = run(c.args, c.resultIsArray ? &out : nullptr, &result);
  if (!err.empty()) {
    writeFile(c.dir + "/err_" + name + ".txt", err.data(), err.size());
    return;
  }
  if (c.resultIsArray) {
    writeFile(c.dir + "/out_" + name + ".bin", buf.data(), bytes);
  } else if (result.dtype == DType::F32) {
    float f = float(result.f);
    writeFile(c.dir + "/out_" + name + ".bin", &f, sizeof f);
  } else if (result.dtype == DType::F64) {
    writeFile(c.dir + "/out_" + name + ".bin", &result.f, sizeof result.f);
  } else if (result.dtype == DType::I32) {
    int32_t i = int32_t(result.i);
    writeFile(c.dir + "/out_" + name + ".bin", &i, sizeof i);
  } else {
    writeFile(c.dir + "/out_" + name + ".bin", &result.i, sizeof result.i);
  }
}

std::unique_ptr<Engine> engine(int opt) {
  EngineOptions o;
  o.optLevel = static_cast<kiln::OptLevel>(opt);
  o.threads = 2;
  o.parallelThreshold = 256; // split even the test's small arrays
  o.cache = false;
  auto e = Engine::create(o);
  if (!e)
    std::cerr << "tensor_xcheck: cannot create the JIT engine: " << message(e)
              << "\n";
  return e ? std::move(*e) : nullptr;
}

void runCase(Case &c, Engine &o0, Engine &o3) {
  if (std::string err = load(c); !err.empty()) {
    for (const char *col :
         {"eager", "blocked", "jit_O0", "jit_O3_t1", "jit_O3_t2"})
      writeFile(c.dir + "/err_" + col + ".txt", err.data(), err.size());
    return;
  }
  ParseResult parsed = parseProgram(c.source);
  const Kernel *k = parsed.ok() ? parsed.program.find(c.kernelName) : nullptr;
  std::string diag =
      test::renderDiags(parsed.errors, c.dir + "/kernel.tk", c.source);
  auto refCol = [&](const std::string &name, auto eval) {
    column(c, name, [&](const std::vector<Arg> &a, ArrayView *out, Scalar *r) {
      return k ? eval(*k, a, out, r) : diag;
    });
  };
  refCol("eager", evalEager);
  refCol("blocked", evalBlocked);
  auto cr0 = compile(o0, c.source, {c.dir + "/kernel.tk"});
  auto cr3 = compile(o3, c.source, {c.dir + "/kernel.tk"});
  auto jitCol = [&](const std::string &name,
                    const kiln::Expected<CompiledProgram> &cr,
                    unsigned threads) {
    auto ck = cr.ok() ? cr->find(c.kernelName) : nullptr;
    column(c, name, [&](const std::vector<Arg> &a, ArrayView *out, Scalar *r) {
      if (!ck)
        return cr.ok() ? std::string("kernel not found")
                       : kiln::render(cr.diagnostics());
      return message(ck->run(a, out, r, threads));
    });
  };
  jitCol("jit_O0", cr0, 1);
  jitCol("jit_O3_t1", cr3, 1);
  jitCol("jit_O3_t2", cr3, 2);
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::cerr << "usage: tensor_xcheck CASE_DIR...\n";
    return 2;
  }
  auto o0 = engine(0), o3 = engine(3);
  if (!o0 || !o3)
    return 1;
  for (int i = 1; i < argc; ++i) {
    Case c;
    c.dir = argv[i];
    runCase(c, *o0, *o3);
  }
  return 0;
}
