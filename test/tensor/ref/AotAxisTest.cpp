// AotAxisTest: axis-reduction kernels in an AOT library (buildSharedLibrary,
// dlopen'ed) against the JIT — bit for bit, since both run the same plan on
// the same C runner — and against the eager reference; the call errors
// word for word; and the JIT's staged runner on 1-4 threads, bit for bit.
#include "RefTestUtil.h"
#include "TestEngine.h"

#include "kiln/tensor/Tensor.h"

#include <dlfcn.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>

using namespace kiln::tensor;
using kiln::Status;
using namespace kiln::tensor::test;

namespace {

const char *const kSource = R"(
kernel softmax(x: f32[]) -> f32[] =
  exp(x - max(x, axis=-1, keepdims)) / sum(exp(x - max(x, axis=-1, keepdims)), axis=-1, keepdims)
kernel layernorm(x: f32[], eps: f32) -> f32[] =
  (x - mean(x, axis=-1, keepdims)) / sqrt(mean((x - mean(x, axis=-1, keepdims)) * (x - mean(x, axis=-1, keepdims)), axis=-1, keepdims) + eps)
kernel amax(x: f32[]) -> i64[] = argmax(x, axis=1)
kernel amin0(x: f64[]) -> i64[] = argmin(x, axis=0, keepdims)
kernel colsum(x: f32[]) -> f32[] = sum(x, axis=0)
kernel colmean(x: i32[]) -> f64[] = mean(x, axis=0)
kernel rowsum_plus(x: f64[], y: f64[]) -> f64[] = sum(x, axis=1) + y
kernel total(x: f64[]) -> f64 = sum(x - mean(x, axis=0, keepdims))
kernel rowexp(x: f32[]) -> f32[] = sum(exp(x - max(x, axis=-1, keepdims)), axis=-1)
kernel sum0last(x: f64[]) -> f64[] = sum(x, axis=(0, -1), keepdims)
kernel center12(x: f32[]) -> f32[] = x - max(x, axis=(1, 2), keepdims)
)";

/// kiln_tensor_array of the generated header.
struct CArray {
  void *data;
  int32_t dtype, rank;
  int64_t shape[4], strides[4];
};

CArray cArray(const ArrayView &v) {
  CArray a{v.data, int32_t(v.dtype), v.rank, {}, {}};
  for (int d = 0; d < 4; ++d)
    a.shape[d] = v.shape[d], a.strides[d] = v.strides[d];
  return a;
}

/// The AOT library of kSource in a temporary directory, loaded.
struct Library {
  std::filesystem::path dir;
  void *handle = nullptr;
  Library() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "kiln-aot-axis-XXXXXX")
            .string();
    if (!mkdtemp(tmpl.data()))
      return;
    dir = tmpl;
    ParseResult p = parseProgram(kSource);
    EXPECT_TRUE(p.ok());
    Status built = buildSharedLibrary(p.program, (dir / "libaxis.so").string(),
                                      (dir / "axis.h").string());
    EXPECT_TRUE(built) << message(built);
    if (built)
      handle = dlopen((dir / "libaxis.so").c_str(), RTLD_NOW | RTLD_LOCAL);
    EXPECT_TRUE(handle) << dlerror();
  }
  ~Library() {
    if (handle)
      dlclose(handle);
    if (!dir.empty())
      std::filesystem::remove_all(dir);
  }
  template <class F> F fn(const char *name) {
    return reinterpret_cast<F>(handle ? dlsym(handle, name) : nullptr);
  }
  std::string lastError() {
    return fn<const char *(*)()>("axis_last_error")();
  }
};

Library &library() {
  static Library lib;
  return lib;
}

using Fn1 = int (*)(const CArray *, CArray *);

template <class T> std::vector<T> randoms(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-3, 3);
  std::vector<T> v(n);
  for (T &x : v)
    x = T(u(gen));
  return v;
}

/// The JIT's result of `name` on `args` into a fresh buffer like `out`.
template <class R>
std::vector<R> jitRun(const std::string &name, const std::vector<Arg> &args,
                      ArrayView out, unsigned threads = 1) {
  static auto engine = makeEngine(4, 1024);
  static auto program = compile(*engine, kSource);
  std::vector<R> data(size_t(out.size()) + 1, R(-7));
  out.data = data.data();
  EXPECT_TRUE(program.ok());
  Status ran = program->find(name)->run(args, &out, nullptr, threads);
  EXPECT_TRUE(ran) << message(ran);
  return data;
}

/// AOT equals the JIT bit for bit; both are within `tol` of the reference.
template <class R>
void expectSame(const std::string &name, const std::vector<R> &aot,
                const std::vector<Arg> &args, ArrayView out, double tol) {
  std::vector<R> jit = jitRun<R>(name, args, out);
  ASSERT_EQ(aot.size(), jit.size());
  EXPECT_EQ(0, std::memcmp(aot.data(), jit.data(), aot.size() * sizeof(R)))
      << name << ": AOT and JIT differ";
  std::vector<R> ref(aot.size(), R(-7));
  out.data = ref.data();
  std::string err = evalEager(kernelOf(kSource, name), args, &out, nullptr);
  ASSERT_EQ(err, "");
  for (size_t i = 0; i < ref.size(); ++i)
    ASSERT_LE(std::fabs(double(aot[i]) - double(ref[i])), tol) << name << i;
}

TEST(TensorAotAxis, SoftmaxRowsAndStridedRows) {
  auto lib = library().fn<Fn1>("softmax");
  ASSERT_TRUE(lib);
  std::vector<float> x = randoms<float>(37 * 1000, 1);
  ArrayView xv = ArrayView::contiguous(x.data(), DType::F32, {37, 1000});
  std::vector<float> y(37 * 1000 + 1, -7);
  ArrayView yv = ArrayView::contiguous(y.data(), DType::F32, {37, 1000});
  CArray cx = cArray(xv), cy = cArray(yv);
  ASSERT_EQ(lib(&cx, &cy), 0) << library().lastError();
  expectSame<float>("softmax", y, {Arg::of(xv)}, yv, 1e-6);
  // Every other column of every other row: strided rows.
  ArrayView sv = xv;
  sv.shape[0] = 19, sv.shape[1] = 500, sv.strides[0] = 2000,
  sv.strides[1] = 2;
  std::vector<float> z(19 * 500 + 1, -7);
  ArrayView zv = ArrayView::contiguous(z.data(), DType::F32, {19, 500});
  CArray cs = cArray(sv), cz = cArray(zv);
  ASSERT_EQ(lib(&cs, &cz), 0) << library().lastError();
  expectSame<float>("softmax", z, {Arg::of(sv)}, zv, 1e-6);
}

TEST(TensorAotAxis, LayernormWithAScalarParameter) {
  auto lib = library().fn<int (*)(const CArray *, float, CArray *)>(
      "layernorm");
  ASSERT_TRUE(lib);
  std::vector<float> x = randoms<float>(64 * 513, 2);
  ArrayView xv = ArrayView::contiguous(x.data(), DType::F32, {64, 513});
  std::vector<float> y(64 * 513 + 1, -7);
  ArrayView yv = ArrayView::contiguous(y.data(), DType::F32, {64, 513});
  CArray cx = cArray(xv), cy = cArray(yv);
  ASSERT_EQ(lib(&cx, 1e-5f, &cy), 0) << library().lastError();
  expectSame<float>("layernorm", y, {Arg::of(xv), Arg::of(Scalar::f32(1e-5f))},
                    yv, 1e-4);
}

TEST(TensorAotAxis, ArgmaxAndArgminIndices) {
  std::vector<float> x = randoms<float>(50 * 77, 3);
  x[5 * 77 + 9] = NAN; // the first NaN wins
  ArrayView xv = ArrayView::contiguous(x.data(), DType::F32, {50, 77});
  std::vector<int64_t> i(51, -7);
  ArrayView iv = ArrayView::contiguous(i.data(), DType::I64, {50});
  CArray cx = cArray(xv), ci = cArray(iv);
  ASSERT_EQ(library().fn<Fn1>("amax")(&cx, &ci), 0);
  EXPECT_EQ(i[5], 9);
  expectSame<int64_t>("amax", i, {Arg::of(xv)}, iv, 0);
  std::vector<double> d = randoms<double>(40 * 33, 4);
  ArrayView dv = ArrayView::contiguous(d.data(), DType::F64, {40, 33});
  std::vector<int64_t> j(34, -7);
  ArrayView jv = ArrayView::contiguous(j.data(), DType::I64, {1, 33});
  CArray cd = cArray(dv), cj = cArray(jv);
  ASSERT_EQ(library().fn<Fn1>("amin0")(&cd, &cj), 0);
  expectSame<int64_t>("amin0", j, {Arg::of(dv)}, jv, 0);
}

TEST(TensorAotAxis, ColumnSumsContiguousTransposedAndIntegerMeans) {
  auto lib = library().fn<Fn1>("colsum");
  std::vector<float> x = randoms<float>(300 * 5003, 5);
  ArrayView xv = ArrayView::contiguous(x.data(), DType::F32, {300, 5003});
  std::vector<float> s(5004, -7);
  ArrayView sv = ArrayView::contiguous(s.data(), DType::F32, {5003});
  CArray cx = cArray(xv), cs = cArray(sv);
  ASSERT_EQ(lib(&cx, &cs), 0) << library().lastError();
  expectSame<float>("colsum", s, {Arg::of(xv)}, sv, 1e-3);
  ArrayView tv = xv; // the transpose: [5003, 300], column sums of length 5003
  tv.shape[0] = 5003, tv.shape[1] = 300, tv.strides[0] = 1,
  tv.strides[1] = 5003;
  std::vector<float> t(301, -7);
  ArrayView ov = ArrayView::contiguous(t.data(), DType::F32, {300});
  CArray ct = cArray(tv), co = cArray(ov);
  ASSERT_EQ(lib(&ct, &co), 0) << library().lastError();
  expectSame<float>("colsum", t, {Arg::of(tv)}, ov, 1e-3);
  std::vector<int32_t> n(7 * 4 * 9);
  for (size_t k = 0; k < n.size(); ++k)
    n[k] = int32_t(k * 7919 % 1001) - 500;
  ArrayView nv = ArrayView::contiguous(n.data(), DType::I32, {7, 4, 9});
  std::vector<double> m(37, -7);
  ArrayView mv = ArrayView::contiguous(m.data(), DType::F64, {4, 9});
  CArray cn = cArray(nv), cm = cArray(mv);
  ASSERT_EQ(library().fn<Fn1>("colmean")(&cn, &cm), 0);
  expectSame<double>("colmean", m, {Arg::of(nv)}, mv, 1e-12);
}

TEST(TensorAotAxis, ScalarResultAndEmptyArguments) {
  auto lib = library().fn<int (*)(const CArray *, double *)>("total");
  std::vector<double> x = randoms<double>(30 * 20, 6);
  ArrayView xv = ArrayView::contiguous(x.data(), DType::F64, {30, 20});
  CArray cx = cArray(xv);
  double aot = -7;
  ASSERT_EQ(lib(&cx, &aot), 0) << library().lastError();
  static auto engine = makeEngine(1, 1 << 20);
  auto total = compile(*engine, kernelOf(kSource, "total"));
  ASSERT_TRUE(total);
  Scalar jit;
  ASSERT_TRUE((*total)->run({Arg::of(xv)}, nullptr, &jit));
  EXPECT_EQ(aot, jit.f);
  EXPECT_LT(std::fabs(aot), 1e-9);
  // Empty rows: sums are 0, the result is empty where rows are.
  ArrayView ev = ArrayView::contiguous(x.data(), DType::F32, {0, 5});
  std::vector<float> s(6, -7);
  ArrayView sv = ArrayView::contiguous(s.data(), DType::F32, {5});
  CArray ce = cArray(ev), cs = cArray(sv);
  ASSERT_EQ(library().fn<Fn1>("colsum")(&ce, &cs), 0);
  EXPECT_EQ(s, (std::vector<float>{0, 0, 0, 0, 0, -7}));
}

TEST(TensorAotAxis, SeveralAxesAtOnce) {
  std::vector<double> x = randoms<double>(5 * 6 * 7, 8);
  ArrayView xv = ArrayView::contiguous(x.data(), DType::F64, {5, 6, 7});
  std::vector<double> s(7, -7);
  ArrayView sv = ArrayView::contiguous(s.data(), DType::F64, {1, 6, 1});
  CArray cx = cArray(xv), cs = cArray(sv);
  ASSERT_EQ(library().fn<Fn1>("sum0last")(&cx, &cs), 0) << library().lastError();
  expectSame<double>("sum0last", s, {Arg::of(xv)}, sv, 1e-12);
  std::vector<float> y = randoms<float>(4 * 9 * 11, 9);
  ArrayView yv = ArrayView::contiguous(y.data(), DType::F32, {11, 9, 4});
  yv.strides[0] = 1, yv.strides[1] = 11, yv.strides[2] = 99; // transposed
  std::vector<float> z(11 * 9 * 4 + 1, -7);
  ArrayView zv = ArrayView::contiguous(z.data(), DType::F32, {11, 9, 4});
  CArray cy = cArray(yv), cz = cArray(zv);
  ASSERT_EQ(library().fn<Fn1>("center12")(&cy, &cz), 0) << library().lastError();
  expectSame<float>("center12", z, {Arg::of(yv)}, zv, 0);
}

/// The AOT library and the JIT reject `args` with the same sentence.
void expectSameError(const std::string &name, const std::vector<Arg> &args,
                     ArrayView *out, int code) {
  static auto engine = makeEngine(1, 1 << 20);
  auto k = compile(*engine, kernelOf(kSource, name));
  ASSERT_TRUE(k);
  std::string jit = message((*k)->run(args, out, nullptr));
  std::vector<CArray> c;
  for (const Arg &a : args)
    c.push_back(cArray(a.array));
  CArray co = cArray(*out);
  int rc = args.size() == 1
               ? library().fn<Fn1>(name.c_str())(&c[0], &co)
               : library().fn<int (*)(const CArray *, const CArray *,
                                      CArray *)>(name.c_str())(&c[0], &c[1],
                                                               &co);
  EXPECT_EQ(rc, code);
  EXPECT_EQ(library().lastError(), jit);
  EXPECT_FALSE(jit.empty());
}

TEST(TensorAotAxis, CallErrorsMatchTheJit) {
  double d[64] = {};
  auto view = [&](DType t, std::vector<int64_t> s) {
    return ArrayView::contiguous(d, t, s);
  };
  ArrayView out = view(DType::F64, {3});
  // Out of range, operands that do not broadcast, the output's shape.
  expectSameError("rowsum_plus",
                  {Arg::of(view(DType::F64, {3})), Arg::of(view(DType::F64, {3}))},
                  &out, 1);
  expectSameError("rowsum_plus",
                  {Arg::of(view(DType::F64, {3, 4})), Arg::of(view(DType::F64, {2}))},
                  &out, 1);
  ArrayView out4 = view(DType::F64, {4});
  expectSameError("rowsum_plus",
                  {Arg::of(view(DType::F64, {3, 4})), Arg::of(view(DType::F64, {3}))},
                  &out4, 1);
  ArrayView idx = view(DType::I64, {3});
  expectSameError("amax", {Arg::of(view(DType::F32, {3, 0}))}, &idx, 1);
  ArrayView wrong = view(DType::F32, {3});
  expectSameError("amax", {Arg::of(view(DType::F32, {3, 2}))}, &wrong, 1);
  ArrayView one = view(DType::F64, {1});
  expectSameError("sum0last", {Arg::of(view(DType::F64, {4}))}, &one, 1);
}

/// The JIT's `name` on 1, 2, 3 and 4 threads: the same bytes each time.
template <class R>
void expectThreadFree(const std::string &name, const std::vector<Arg> &args,
                      const ArrayView &out) {
  std::vector<R> one = jitRun<R>(name, args, out, 1);
  for (unsigned t = 2; t <= 4; ++t) {
    std::vector<R> many = jitRun<R>(name, args, out, t);
    EXPECT_EQ(0, std::memcmp(one.data(), many.data(), one.size() * sizeof(R)))
        << name << " on " << t << " threads";
  }
}

TEST(TensorAotAxis, JitReductionsAreTheSameOnEveryThreadCount) {
  // Rows split over the pool (softmax's row sums, argmax), one long row
  // split by the driver, and column tiles: each temporary is computed the
  // same way whatever the thread count. (The final elementwise pass follows
  // the elementwise rule: exp's last bit may depend on where an element
  // falls, so the row sums are checked rather than softmax itself.)
  std::vector<float> x = randoms<float>(301 * 2000, 7);
  ArrayView xv = ArrayView::contiguous(x.data(), DType::F32, {301, 2000});
  ArrayView rows = ArrayView::contiguous(nullptr, DType::F32, {301});
  expectThreadFree<float>("rowexp", {Arg::of(xv)}, rows);
  expectThreadFree<float>("layernorm",
                          {Arg::of(xv), Arg::of(Scalar::f32(1e-5f))}, xv);
  ArrayView wide = ArrayView::contiguous(x.data(), DType::F32, {20, 30100});
  expectThreadFree<float>("colsum", {Arg::of(wide)},
                          ArrayView::contiguous(nullptr, DType::F32, {30100}));
  ArrayView tall = ArrayView::contiguous(x.data(), DType::F32, {60200, 10});
  expectThreadFree<float>("rowexp", {Arg::of(tall)},
                          ArrayView::contiguous(nullptr, DType::F32, {60200}));
  expectThreadFree<int64_t>("amax", {Arg::of(tall)},
                            ArrayView::contiguous(nullptr, DType::I64, {60200}));
  ArrayView row = ArrayView::contiguous(x.data(), DType::F32, {1, 602000});
  expectThreadFree<float>("rowexp", {Arg::of(row)},
                          ArrayView::contiguous(nullptr, DType::F32, {1}));
}

} // namespace
