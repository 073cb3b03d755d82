// CodegenTest: what the fused loop compiles to — vector instructions on an
// AVX2 host, libmvec calls for transcendentals, one loop without
// temporaries — and the text emission used by `--emit`.
#include "DiagText.h"
#include "kiln/core/Target.h"
#include "kiln/tensor/Syntax.h"
#include "kiln/tensor/Tensor.h"

#include <gtest/gtest.h>

using namespace kiln::tensor;
using kiln::tensor::test::message;
using kiln::tensor::test::renderDiags;

namespace {

/// True when `text` contains `prefix` + one of the vector widths + `suffix`
/// (the vectorizer picks the width: 8 or 16 floats with AVX-512, ...).
bool hasVector(const std::string &text, const std::string &prefix,
               const std::string &suffix) {
  for (const char *width : {"4", "8", "16"})
    if (text.find(prefix + width + suffix) != std::string::npos)
      return true;
  return false;
}

bool hostHasAvx2() {
  return kiln::core::hostTarget().features.find("+avx2") != std::string::npos;
}

std::string emitted(const std::string &source, const char *kind,
                    int level = 3) {
  ParseResult r = parseProgram(source);
  EXPECT_TRUE(r.ok()) << renderDiags(r.errors, "t.tk", source);
  if (!r.ok())
    return "";
  auto text =
      emitText(r.program.kernels[0], kind, static_cast<kiln::OptLevel>(level));
  EXPECT_EQ(message(text), "");
  return text ? *text : "";
}

TEST(TensorCodegen, FusedLoopUsesVectorInstructionsOnAvx2) {
  if (!hostHasAvx2())
    GTEST_SKIP() << "the host CPU has no AVX2 (features: "
                 << kiln::core::hostTarget().features << ")";
  std::string f32 =
      emitted("kernel k(a: f32[], b: f32[], c: f32[]) -> f32[] = a*b+c", "ll");
  EXPECT_TRUE(hasVector(f32, "<", " x float>")) << f32;
  std::string f64 =
      emitted("kernel k(a: f64[], b: f64[], c: f64[]) -> f64[] = a*b+c", "ll");
  EXPECT_TRUE(hasVector(f64, "<", " x double>")) << f64;
  std::string dot =
      emitted("kernel k(a: f64[], b: f64[]) -> f64 = sum(a*b)", "ll");
  EXPECT_TRUE(hasVector(dot, "fadd reassoc <", " x double>")) << dot;
  std::string asmText =
      emitted("kernel k(a: f32[], b: f32[], c: f32[]) -> f32[] = a*b+c", "asm");
  EXPECT_TRUE(asmText.find("ymm") != std::string::npos ||
              asmText.find("zmm") != std::string::npos)
      << asmText;
}

TEST(TensorCodegen, NoFmaContractionOrReassociationOutsideReductions) {
  std::string ll =
      emitted("kernel k(a: f32[], b: f32[], c: f32[]) -> f32[] = a*b+c", "ll");
  EXPECT_EQ(ll.find("llvm.fma"), std::string::npos);
  EXPECT_EQ(ll.find("fmuladd"), std::string::npos);
  EXPECT_EQ(ll.find("reassoc"), std::string::npos);
  EXPECT_EQ(ll.find("fast"), std::string::npos);
}

TEST(TensorCodegen, TranscendentalsCallLibmvec) {
  if (!hostHasAvx2())
    GTEST_SKIP() << "libmvec's AVX2 variants need an AVX2 host";
  std::string t = emitted("kernel k(a: f32[]) -> f32[] = tanh(a)", "ll");
  EXPECT_TRUE(hasVector(t, "_ZGVdN", "v_tanhf")) << t;
  std::string e =
      emitted("kernel k(a: f64[]) -> f64[] = exp(a) + tanh(a)", "ll");
  EXPECT_TRUE(hasVector(e, "_ZGVdN", "v_exp(")) << e;
  EXPECT_TRUE(hasVector(e, "_ZGVdN", "v_tanh(")) << e;
  std::string s =
      emitted("kernel k(a: f32[], b: f32[]) -> f32[] = sigmoid(a) * b", "ll");
  EXPECT_TRUE(hasVector(s, "_ZGVdN", "v_expf")) << s;
}

/// The flat loop's iterations are independent (the call check allows an
/// output to alias only an identical input), which the IR says with
/// `llvm.loop.parallel_accesses`: the vectorizer then emits no run-time
/// alias checks (code size, compile time), and the scalar remainder is not
/// unrolled. The strided loop has no such promise.
TEST(TensorCodegen, FlatLoopHasNoAliasChecksOrUnrolledRemainder) {
  std::string ll =
      emitted("kernel k(a: f32[], b: f32[], c: f32[]) -> f32[] = a*b+c", "ll");
  std::string flat = ll.substr(0, ll.find("@kiln_tk_k_strided("));
  EXPECT_NE(flat.find("!llvm.access.group"), std::string::npos) << flat;
  EXPECT_EQ(flat.find("vector.memcheck"), std::string::npos) << flat;
  EXPECT_NE(ll.find("llvm.loop.parallel_accesses"), std::string::npos);
  EXPECT_NE(ll.find("llvm.loop.unroll.disable"), std::string::npos);
  if (hostHasAvx2())
    EXPECT_TRUE(hasVector(flat, "store <", " x float>")) << flat;
}

TEST(TensorCodegen, OneLoopNoTemporaries) {
  std::string ll =
      emitted("kernel k(a: f32[], b: f32[], c: f32[], s: f32) -> f32[] = "
              "relu(s * a * b + c)",
              "ll", 0);
  EXPECT_EQ(ll.find("alloca"), std::string::npos);
  EXPECT_EQ(ll.find("malloc"), std::string::npos);
  EXPECT_NE(ll.find("void @kiln_tk_k_flat("), std::string::npos);
  EXPECT_NE(ll.find("void @kiln_tk_k_strided("), std::string::npos);
}

TEST(TensorCodegen, EmitTextRejectsUnknownKinds) {
  ParseResult r = parseProgram("kernel k(a: f32[]) -> f32[] = a");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(message(emitText(r.program.kernels[0], "exe")),
            "unknown text kind 'exe' (use ll or asm)");
}

} // namespace
