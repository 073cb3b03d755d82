// VectorMathTest: the vector math table the core gives each CPU, and the
// width the host's tensor kernels call libmvec at.
//
// AVX-512 CPUs get libmvec's 'e' variants (16 f32 / 8 f64 lanes) on top of
// LLVM's SSE and AVX2 rows, less the few that map to Kiln's own routines
// (core/VecMath.def); other CPUs exactly LLVM's rows plus tanh. Every 'e'
// row must name a function this machine's libmvec exports.
#include "kiln/core/Target.h"
#include "kiln/core/VecMath.h"
#include "kiln/core/VectorLibrary.h"
#include "kiln/tensor/Syntax.h"
#include "kiln/tensor/Tensor.h"

#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/Analysis/TargetTransformInfo.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <iostream>
#include <string>

using namespace kiln;

namespace {

/// One row of lib/core/LibmvecAvx512.def, read with this test's macros.
struct Row {
  const char *name, *params;
  bool intrinsic;
};
const Row Rows[] = {
#define LIBMVEC_E(NAME, PARAMS) {#NAME, PARAMS, false},
#define LIBMVEC_E_INTRINSIC(NAME, PARAMS) {#NAME, PARAMS, true},
#include "LibmvecAvx512.def"
};

std::unique_ptr<llvm::TargetMachine>
machine(const std::string &cpu,
        const std::string &triple = "x86_64-pc-linux-gnu") {
  auto spec = core::targetFromTriple(triple, cpu);
  if (!spec) {
    llvm::consumeError(spec.takeError());
    return nullptr;
  }
  auto tm = core::createTargetMachine(*spec, OptLevel::O3);
  if (!tm) {
    llvm::consumeError(tm.takeError());
    return nullptr;
  }
  return std::move(*tm);
}

/// What `scalar` becomes at `lanes` lanes for `tm` ("" when nothing).
std::string vectorName(const llvm::TargetMachine &tm, const std::string &scalar,
                       unsigned lanes,
                       core::VectorLibrary lib = core::VectorLibrary::Libmvec) {
  llvm::TargetLibraryInfoImpl tlii(tm.getTargetTriple());
  core::addVectorLibrary(tlii, tm, lib);
  return tlii
      .getVectorizedFunction(scalar, llvm::ElementCount::getFixed(lanes), false)
      .str();
}

TEST(VectorMath, Avx512CpusGetEveryLibmvecEVariant) {
  // The rows name functions of x86-64 glibc's libmvec: look them up there
  // when this is such a host.
  std::string host = core::hostTarget().triple;
  void *libmvec = nullptr;
  if (host.rfind("x86_64", 0) == 0 && host.find("linux") != std::string::npos) {
    libmvec = dlopen("libmvec.so.1", RTLD_NOW);
    ASSERT_NE(libmvec, nullptr) << dlerror();
  } else {
    std::cout << "note: host " << host << " has no x86-64 libmvec; the rows "
              << "are checked against the table only\n";
  }
  for (const char *cpu : {"znver4", "znver5", "skylake-avx512", "x86-64-v4"}) {
    auto tm = machine(cpu);
    ASSERT_TRUE(tm) << cpu;
    EXPECT_TRUE(core::hasAvx512VectorMath(*tm)) << cpu;
    for (const Row &r : Rows) {
      std::string f = r.name, p = r.params;
      std::string f32 = "_ZGVeN16" + p + "_" + f + "f",
                  f64 = "_ZGVeN8" + p + "_" + f;
      // Kiln's own routines replace libmvec's for some (core/VecMath.def).
      std::string want32 = core::isKilnVectorMath(f + "f", 16)
                               ? "kiln_vm_" + f + "_f32x16"
                               : f32;
      std::string want64 =
          core::isKilnVectorMath(f, 8) ? "kiln_vm_" + f + "_f64x8" : f64;
      EXPECT_EQ(vectorName(*tm, f + "f", 16), want32) << cpu;
      EXPECT_EQ(vectorName(*tm, f, 8), want64) << cpu;
      if (r.intrinsic) {
        EXPECT_EQ(vectorName(*tm, "llvm." + f + ".f32", 16), want32) << cpu;
        EXPECT_EQ(vectorName(*tm, "llvm." + f + ".f64", 8), want64) << cpu;
      }
      if (libmvec) {
        EXPECT_NE(dlsym(libmvec, f32.c_str()), nullptr) << f32;
        EXPECT_NE(dlsym(libmvec, f64.c_str()), nullptr) << f64;
      }
    }
    // The narrower variants stay (the vectorized epilogue uses them).
    EXPECT_EQ(vectorName(*tm, "tanhf", 8), "_ZGVdN8v_tanhf") << cpu;
    EXPECT_EQ(vectorName(*tm, "llvm.pow.f64", 4), "_ZGVdN4vv_pow") << cpu;
  }
}

TEST(VectorMath, Avx512CpusGetKilnsRoutinesWhereLibmvecIsSlower) {
  // One name per scalar function and width: the table's lookup would pick
  // either of two rows.
  auto tm = machine("znver5");
  ASSERT_TRUE(tm);
  EXPECT_EQ(vectorName(*tm, "llvm.exp.f64", 8), "kiln_vm_exp_f64x8");
  EXPECT_EQ(vectorName(*tm, "log", 8), "kiln_vm_log_f64x8");
  EXPECT_EQ(vectorName(*tm, "tanh", 8), "kiln_vm_tanh_f64x8");
  EXPECT_EQ(vectorName(*tm, "llvm.pow.f64", 8), "kiln_vm_pow_f64x8");
  EXPECT_EQ(vectorName(*tm, "powf", 16), "kiln_vm_pow_f32x16");
  EXPECT_EQ(vectorName(*tm, "llvm.exp.f32", 16), "_ZGVeN16v_expf");
  EXPECT_EQ(vectorName(*tm, "sin", 8), "_ZGVeN8v_sin");
  EXPECT_TRUE(core::usesKilnVectorMath(*tm, core::VectorLibrary::Libmvec));
  EXPECT_FALSE(core::usesKilnVectorMath(*tm, core::VectorLibrary::None));
  auto avx2 = machine("haswell");
  ASSERT_TRUE(avx2);
  EXPECT_FALSE(core::usesKilnVectorMath(*avx2, core::VectorLibrary::Libmvec));
  EXPECT_EQ(vectorName(*avx2, "llvm.pow.f64", 4), "_ZGVdN4vv_pow");
}

TEST(VectorMath, OtherCpusGetTheSseAndAvx2RowsOnly) {
  for (const char *cpu : {"x86-64", "x86-64-v3", "haswell", "znver3"}) {
    auto tm = machine(cpu);
    ASSERT_TRUE(tm) << cpu;
    EXPECT_FALSE(core::hasAvx512VectorMath(*tm)) << cpu;
    EXPECT_EQ(vectorName(*tm, "tanhf", 16), "") << cpu;
    EXPECT_EQ(vectorName(*tm, "llvm.exp.f32", 16), "") << cpu;
    EXPECT_EQ(vectorName(*tm, "sin", 8), "") << cpu;
    EXPECT_EQ(vectorName(*tm, "asinf", 8), "") << cpu; // not in LLVM's rows
    EXPECT_EQ(vectorName(*tm, "tanhf", 8), "_ZGVdN8v_tanhf") << cpu;
    EXPECT_EQ(vectorName(*tm, "tanh", 2), "_ZGVbN2v_tanh") << cpu;
    EXPECT_EQ(vectorName(*tm, "llvm.exp.f64", 4), "_ZGVdN4v_exp") << cpu;
  }
}

TEST(VectorMath, NoLibmvecOffLinuxX86OrWhenNotAsked) {
  auto arm = machine("generic", "aarch64-unknown-linux-gnu");
  ASSERT_TRUE(arm);
  EXPECT_FALSE(core::hasAvx512VectorMath(*arm));
  EXPECT_EQ(vectorName(*arm, "expf", 4), "");
  auto zen = machine("znver5");
  ASSERT_TRUE(zen);
  EXPECT_EQ(vectorName(*zen, "expf", 16, core::VectorLibrary::None), "");
  EXPECT_EQ(vectorName(*zen, "expf", 8, core::VectorLibrary::None), "");
}

/// The attribute prepareForVectorLibrary leaves on a defined function `f`.
std::string framePointer(const std::string &cpu, core::VectorLibrary lib,
                         const char *preset = nullptr) {
  auto tm = machine(cpu);
  if (!tm)
    return "no machine";
  llvm::LLVMContext context;
  llvm::Module module("fp", context);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(context), false);
  auto *f = llvm::Function::Create(type, llvm::Function::ExternalLinkage, "f",
                                   module);
  llvm::BasicBlock::Create(context, "entry", f);
  llvm::ReturnInst::Create(context, &f->getEntryBlock());
  auto *decl = llvm::Function::Create(type, llvm::Function::ExternalLinkage,
                                      "g", module);
  if (preset)
    f->addFnAttr("frame-pointer", preset);
  core::prepareForVectorLibrary(module, *tm, lib);
  EXPECT_FALSE(decl->hasFnAttribute("frame-pointer"));
  return f->getFnAttribute("frame-pointer").getValueAsString().str();
}

TEST(VectorMath, Avx512CallersKeepRbpAsTheFramePointer) {
  auto mvec = core::VectorLibrary::Libmvec;
  EXPECT_EQ(framePointer("znver5", mvec), "all");
  EXPECT_EQ(framePointer("znver5", mvec, "none"), "none"); // set: kept
  EXPECT_EQ(framePointer("znver5", core::VectorLibrary::None), "");
  EXPECT_EQ(framePointer("x86-64-v3", mvec), "");
  EXPECT_EQ(framePointer("x86-64", mvec), "");
}

/// The vector register width LLVM's cost model uses for `tm` (256 on the
/// Intel AVX-512 CPUs it tunes for 256-bit vectors, 512 on Zen 4/5).
unsigned vectorBits(llvm::TargetMachine &tm) {
  llvm::LLVMContext context;
  llvm::Module module("width", context);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(context), false);
  auto *f = llvm::Function::Create(type, llvm::Function::ExternalLinkage, "f",
                                   module);
  return unsigned(
      tm.getTargetTransformInfo(*f)
          .getRegisterBitWidth(llvm::TargetTransformInfo::RGK_FixedWidthVector)
          .getFixedValue());
}

std::string hostAsm(const std::string &source) {
  tensor::ParseResult r = tensor::parseProgram(source);
  EXPECT_TRUE(r.ok());
  if (!r.ok())
    return "";
  auto text = tensor::emitText(r.program.kernels[0], "asm");
  return text ? *text : "";
}

TEST(VectorMath, HostKernelsCallTheWidestVariantTheCostModelUses) {
  core::TargetSpec host = core::hostTarget();
  auto tm = core::createTargetMachine(host, OptLevel::O3);
  ASSERT_TRUE(bool(tm));
  if (!core::hasAvx512VectorMath(**tm))
    GTEST_SKIP() << "the host CPU (" << host.cpu << ", " << host.triple
                 << ") has no AVX-512F: its kernels call libmvec's AVX2/SSE "
                    "variants, which e2e.tensor.vecmath checks";
  std::string t = hostAsm("kernel k(a: f32[]) -> f32[] = tanh(a)");
  std::string e = hostAsm("kernel k(a: f32[]) -> f32[] = exp(a)");
  std::string s = hostAsm("kernel k(a: f64[]) -> f64[] = sin(a)");
  std::string p = hostAsm("kernel k(a: f64[], b: f64[]) -> f64[] = pow(a, b)");
  if (vectorBits(**tm) < 512) {
    std::cout << "note: LLVM prefers 256-bit vectors on " << host.cpu
              << ": kernels call the AVX2 variants\n";
    EXPECT_NE(t.find("_ZGVdN8v_tanhf"), std::string::npos) << t;
    EXPECT_EQ(t.find("_ZGVe"), std::string::npos) << t;
    return;
  }
  EXPECT_NE(t.find("_ZGVeN16v_tanhf"), std::string::npos) << t;
  EXPECT_NE(e.find("_ZGVeN16v_expf"), std::string::npos) << e;
  EXPECT_NE(s.find("_ZGVeN8v_sin"), std::string::npos) << s;
  // Kiln's routine is inlined into the kernel (its fast-path test is a
  // kortest), not called.
  EXPECT_EQ(p.find("kiln_vm_"), std::string::npos) << p;
  EXPECT_NE(p.find("kortest"), std::string::npos) << p;
  EXPECT_EQ(p.find("_ZGVeN8vv_pow"), std::string::npos) << p;
}

} // namespace
