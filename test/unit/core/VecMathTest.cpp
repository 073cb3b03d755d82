// VecMathTest: Kiln's vector math routines (core/VecMath) against glibc's
// libm, lane by lane, at several widths and for several x86-64 CPUs.
//
// Each routine is generated at a small and a large width, JIT-compiled with
// the CPU's target attributes (SSE4.2 without FMA, AVX2 for Haswell and
// Zen 3, the host's), run over random and edge inputs — ±0, ±inf, NaN,
// subnormals, the overflow and underflow edges, huge and tiny values,
// negative bases with integer and non-integer exponents — and compared
// with libm in ulps: non-finite results and zeros (with their sign) must
// match exactly.
#include "TestUtil.h"

#include "kiln/core/Target.h"
#include "kiln/core/VecMath.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Target/TargetMachine.h"

#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>
#include <random>
#include <vector>

using namespace kiln;

namespace {

template <typename T> using Kernel = void(const T *, const T *, T *, int64_t);

/// run(x, y, out, n): out[i..i+W) = fn(x[i..], y[i..]) for i = 0, W, ...
/// (n a multiple of W), compiled for `cpu`'s features.
/// A CPU to compile for: its spec (with its features spelled out, as
/// function attributes need them) and whether it has FMA.
struct Cpu {
  core::TargetSpec spec;
  core::VecMathCpu features;
};

template <typename T>
llvm::orc::ThreadSafeModule routineModule(core::VecMathFn fn, unsigned lanes,
                                          const Cpu &cpu) {
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("vecmath", *context);
  llvm::Type *elem = sizeof(T) == 8 ? llvm::Type::getDoubleTy(*context)
                                    : llvm::Type::getFloatTy(*context);
  auto *vt = llvm::FixedVectorType::get(elem, lanes);
  llvm::Function *r =
      core::defineVecMath(*module, fn, vt, "routine", cpu.features);
  llvm::IRBuilder<> b(*context);
  auto *ptr = b.getPtrTy();
  auto *type = llvm::FunctionType::get(
      b.getVoidTy(), {ptr, ptr, ptr, b.getInt64Ty()}, false);
  auto *run = llvm::Function::Create(type, llvm::Function::ExternalLinkage,
                                     "run", *module);
  auto *entry = llvm::BasicBlock::Create(*context, "entry", run);
  auto *loop = llvm::BasicBlock::Create(*context, "loop", run);
  auto *done = llvm::BasicBlock::Create(*context, "done", run);
  b.SetInsertPoint(entry);
  b.CreateCondBr(b.CreateICmpEQ(run->getArg(3), b.getInt64(0)), done, loop);
  b.SetInsertPoint(loop);
  llvm::PHINode *i = b.CreatePHI(b.getInt64Ty(), 2);
  i->addIncoming(b.getInt64(0), entry);
  auto at = [&](unsigned arg) {
    return b.CreateGEP(elem, run->getArg(arg), i);
  };
  llvm::Align align(sizeof(T)); // std::vector's, not the vector type's
  std::vector<llvm::Value *> args{b.CreateAlignedLoad(vt, at(0), align)};
  if (fn == core::VecMathFn::Pow)
    args.push_back(b.CreateAlignedLoad(vt, at(1), align));
  b.CreateAlignedStore(b.CreateCall(r, args), at(2), align);
  llvm::Value *next = b.CreateAdd(i, b.getInt64(lanes));
  i->addIncoming(next, loop);
  b.CreateCondBr(b.CreateICmpEQ(next, run->getArg(3)), done, loop);
  b.SetInsertPoint(done);
  b.CreateRetVoid();
  for (llvm::Function *f : {r, run}) {
    f->addFnAttr("target-cpu", cpu.spec.cpu);
    if (!cpu.spec.features.empty())
      f->addFnAttr("target-features", cpu.spec.features);
  }
  return llvm::orc::ThreadSafeModule(std::move(module), std::move(context));
}

/// Distance from `got` to `want` in units of the last place of `want`.
template <typename T> double ulps(T got, T want) {
  T ulp = std::nextafter(std::fabs(want), std::numeric_limits<T>::infinity()) -
          std::fabs(want);
  if (!std::isfinite(ulp))
    ulp = std::fabs(want) - std::nextafter(std::fabs(want), T(0));
  return std::fabs(double(got) - double(want)) / double(ulp);
}

template <typename T> bool sameBits(T a, T b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

/// Random and edge inputs for `fn` (y used by pow only).
template <typename T> struct Inputs {
  std::vector<T> x, y;
};

template <typename T> Inputs<T> inputs(core::VecMathFn fn) {
  using L = std::numeric_limits<T>;
  std::mt19937_64 rng(12345);
  std::uniform_real_distribution<double> u(0, 1);
  Inputs<T> in;
  auto add = [&](double x, double y = 0) {
    in.x.push_back(T(x));
    in.y.push_back(T(y));
  };
  std::vector<double> edges{0.0, -0.0, L::infinity(), -L::infinity(),
                            L::quiet_NaN(), L::denorm_min(), -L::denorm_min(),
                            L::min(), L::max(), -L::max(), 1, -1, 0.5, 2,
                            L::epsilon(), 1 + L::epsilon(), 1 - L::epsilon()};
  switch (fn) {
  case core::VecMathFn::Exp:
    for (double e : edges)
      add(e);
    for (double e : {709.782712893384, 709.7827128933841, -708.39641853226408,
                     -745.13321910194111, -745.1332191019412, 88.72, -87.33,
                     -103.97, 1e-300, -1e-300})
      add(e);
    for (int k = 0; k < 200000; ++k)
      add(k % 4 ? (u(rng) - 0.5) * 1500 : (u(rng) - 0.5) * std::pow(10, -20 * u(rng)));
    break;
  case core::VecMathFn::Log:
    for (double e : edges)
      add(e);
    for (int k = 0; k < 200000; ++k) {
      int e2 = int(u(rng) * (L::max_exponent - L::min_exponent + L::digits)) +
               L::min_exponent - L::digits;
      add(k % 4 ? std::ldexp(1 + u(rng), e2) : 1 + (u(rng) - 0.5) * std::pow(10, -15 * u(rng)));
    }
    break;
  case core::VecMathFn::Tanh:
    for (double e : edges)
      add(e);
    for (double e : {22.0, -22.0, 19.1, 0.55, -0.55, 1e-300, 3e-8})
      add(e);
    for (int k = 0; k < 200000; ++k)
      add(k % 4 ? (u(rng) - 0.5) * 50 : (u(rng) - 0.5) * std::pow(10, -20 * u(rng)));
    break;
  case core::VecMathFn::Pow:
    edges.insert(edges.end(), {3, -3, -0.5, -2, 1.5, 1e300, -1e300, 0x1p52 + 1,
                               0x1p53, 0x1p53 + 2, 0x1p23 + 1, 0x1p24,
                               -0x1p52 - 1, 1075, -1075, 0x1p-1074, 150, -150});
    for (double x : edges)
      for (double y : edges)
        add(x, y);
    for (int k = 0; k < 200000; ++k) {
      double x = std::ldexp(0.5 + u(rng), int(u(rng) * 80) - 40);
      double y = (u(rng) - 0.5) * (k % 3 ? 60 : 2000);
      if (k % 5 == 0) // negative bases with integer exponents
        x = -x, y = std::round(y / 4);
      if (k % 7 == 0) // bases near 1, exponents reaching the overflow edge
        x = 1 + (u(rng) - 0.5) * 1e-3, y = (u(rng) - 0.5) * 2e6;
      add(x, y);
    }
    break;
  }
  return in;
}

template <typename T> T libm(core::VecMathFn fn, T x, T y) {
  switch (fn) {
  case core::VecMathFn::Exp: return std::exp(x);
  case core::VecMathFn::Log: return std::log(x);
  case core::VecMathFn::Tanh: return std::tanh(x);
  case core::VecMathFn::Pow: return std::pow(x, y);
  }
  return 0;
}

/// The largest ulp error of `fn` at `lanes` on `cpu`; fails the test on a
/// special value that differs.
template <typename T>
double maxUlps(core::VecMathFn fn, unsigned lanes, const Cpu &cpu) {
  auto jit = test::makeJit(OptLevel::O2);
  EXPECT_FALSE(jit->addModule(routineModule<T>(fn, lanes, cpu)));
  auto run = jit->lookupAs<Kernel<T>>("run");
  if (!run) {
    ADD_FAILURE() << test::errorText(run.takeError());
    return 1e9;
  }
  Inputs<T> in = inputs<T>(fn);
  while (in.x.size() % lanes)
    in.x.push_back(1), in.y.push_back(1);
  std::vector<T> out(in.x.size());
  (*run)(in.x.data(), in.y.data(), out.data(), int64_t(out.size()));
  double worst = 0;
  size_t at = 0;
  int reported = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    T want = libm(fn, in.x[i], in.y[i]), got = out[i];
    bool exact = !std::isfinite(want) || want == 0;
    if (exact ? !(sameBits(got, want) || (std::isnan(got) && std::isnan(want)))
              : !std::isfinite(got)) {
      if (reported++ < 5)
        ADD_FAILURE() << cpu.spec.cpu << " x" << lanes << ": f(" << in.x[i] << ", "
                      << in.y[i] << ") = " << got << ", libm " << want;
      continue;
    }
    if (!exact && ulps(got, want) > worst) {
      worst = ulps(got, want);
      at = i;
    }
  }
  if (worst > 0)
    std::cout << "  worst at f(" << in.x[at] << ", " << in.y[at]
              << ") = " << out[at] << ", libm " << libm(fn, in.x[at], in.y[at])
              << "\n";
  return worst;
}

/// The CPUs to compile for: SSE4.2 without FMA, AVX2 with FMA (Intel's and
/// AMD's tuning), the host.
std::vector<Cpu> cpus() {
  core::TargetSpec host = core::hostTarget();
  std::vector<std::string> names{host.cpu};
  if (host.triple.rfind("x86_64", 0) == 0)
    names.insert(names.end(), {"x86-64-v2", "haswell", "znver3"});
  std::vector<Cpu> list;
  for (const std::string &name : names) {
    auto spec = name == host.cpu ? llvm::Expected<core::TargetSpec>(host)
                                 : core::targetFromTriple(host.triple, name);
    auto tm = spec ? core::createTargetMachine(*spec, OptLevel::O2)
                   : llvm::Expected<std::unique_ptr<llvm::TargetMachine>>(
                         spec.takeError());
    if (!tm) {
      ADD_FAILURE() << test::errorText(tm.takeError());
      continue;
    }
    spec->features = (*tm)->getTargetFeatureString().str();
    const llvm::MCSubtargetInfo &sti = *(*tm)->getMCSubtargetInfo();
    list.push_back(
        {*spec, {sti.checkFeatures("+fma"), sti.checkFeatures("+avx512f")}});
  }
  return list;
}

void check(core::VecMathFn fn, double bound64, double bound32) {
  for (const Cpu &cpu : cpus()) {
    for (unsigned lanes : {2u, 8u}) {
      double e = maxUlps<double>(fn, lanes, cpu);
      std::cout << cpu.spec.cpu << " f64 x" << lanes << ": max " << e << " ulp\n";
      EXPECT_LE(e, bound64) << cpu.spec.cpu << " f64 x" << lanes;
    }
    for (unsigned lanes : {4u, 16u}) {
      double e = maxUlps<float>(fn, lanes, cpu);
      std::cout << cpu.spec.cpu << " f32 x" << lanes << ": max " << e << " ulp\n";
      EXPECT_LE(e, bound32) << cpu.spec.cpu << " f32 x" << lanes;
    }
  }
}

TEST(VecMath, ExpWithinUlpsOfLibm) { check(core::VecMathFn::Exp, 2, 1); }
TEST(VecMath, LogWithinUlpsOfLibm) { check(core::VecMathFn::Log, 2, 1); }
TEST(VecMath, TanhWithinUlpsOfLibm) { check(core::VecMathFn::Tanh, 3, 2); }
TEST(VecMath, PowWithinUlpsOfLibm) { check(core::VecMathFn::Pow, 2, 1); }

} // namespace
