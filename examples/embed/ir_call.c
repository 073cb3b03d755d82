/* ir_call.c: Kiln as a JIT for LLVM IR, from C (docs/c-api.md, "Core").
 *
 * Compiles a function written in LLVM IR that calls back into this program
 * (a host function with user data) and into libm, calls it through a
 * function pointer, shows what a located error looks like, and emits the
 * same IR as AArch64 assembly — a machine this one need not be.
 */
#include "kiln/kiln.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* norm(v, n): the Euclidean norm of n doubles, each first passed through
 * the host's `weigh` (which counts its calls in user data). */
static const char *const kNorm =
    "declare double @weigh(double)\n"
    "declare double @sqrt(double)\n"
    "define double @norm(ptr %v, i64 %n) {\n"
    "entry:\n"
    "  br label %loop\n"
    "loop:\n"
    "  %i = phi i64 [ 0, %entry ], [ %i1, %loop ]\n"
    "  %sum = phi double [ 0.0, %entry ], [ %sum1, %loop ]\n"
    "  %p = getelementptr double, ptr %v, i64 %i\n"
    "  %x = load double, ptr %p\n"
    "  %w = call double @weigh(double %x)\n"
    "  %sq = fmul double %w, %w\n"
    "  %sum1 = fadd double %sum, %sq\n"
    "  %i1 = add i64 %i, 1\n"
    "  %done = icmp eq i64 %i1, %n\n"
    "  br i1 %done, label %exit, label %loop\n"
    "exit:\n"
    "  %r = call double @sqrt(double %sum1)\n"
    "  ret double %r\n"
    "}\n";

static const char *const kBroken = "define i64 @f() {\n"
                                   "  ret i64 %nope\n"
                                   "}\n";

/* A host function: user data first, then the arguments IR passes. */
static double weigh(void *user_data, double x) {
  ++*(int64_t *)user_data;
  return x;
}

/* Prints an error the way a host would, then frees it. Returns 1. */
static int report(kiln_error *error) {
  fprintf(stderr, "%s error: %s\n",
          kiln_error_code_name(kiln_error_get_code(error)),
          kiln_error_rendered(error));
  kiln_error_free(error);
  return 1;
}

/* The same IR as assembly for a 64-bit Arm Linux machine. */
static int emit_for_arm(void) {
  kiln_engine_options options = KILN_ENGINE_OPTIONS_INIT;
  kiln_engine *arm = NULL;
  kiln_buffer *assembly = NULL;
  kiln_error *error;
  options.target = "aarch64-linux-gnu:cortex-a72";
  if ((error = kiln_engine_new(&options, &arm)) ||
      (error = kiln_engine_emit(arm, "norm.ll", kNorm, strlen(kNorm),
                                KILN_EMIT_ASSEMBLY, &assembly)))
    return report(error);
  printf("%s: norm calls weigh with '%s'\n", kiln_engine_target(arm),
         strstr(kiln_buffer_data(assembly), "bl\tweigh") ? "bl" : "?");
  kiln_buffer_free(assembly);
  kiln_engine_free(arm);
  return 0;
}

int main(void) {
  kiln_engine *engine = NULL;
  kiln_unit *unit = NULL, *broken = NULL;
  kiln_error *error;
  double (*norm)(const double *, int64_t) = NULL;
  double v[4] = {1, 2, 4, 10};
  int64_t calls = 0;

  if ((error = kiln_engine_new(NULL, &engine)))
    return report(error);
  if ((error = kiln_engine_define_function(engine, "weigh", "double (double)",
                                           (void *)weigh, &calls)) ||
      (error =
           kiln_unit_add_ir(engine, "norm.ll", kNorm, strlen(kNorm), &unit)) ||
      (error = kiln_unit_lookup(unit, "norm", (void **)&norm)))
    return report(error);
  printf("norm = %g after %lld host calls\n", norm(v, 4), (long long)calls);

  /* Bad IR is an error with a location, never a crash. */
  error =
      kiln_unit_add_ir(engine, "broken.ll", kBroken, strlen(kBroken), &broken);
  printf("%s at %s:%u:%u: %s\n",
         kiln_error_code_name(kiln_error_get_code(error)),
         kiln_error_file_at(error, 0), kiln_error_line_at(error, 0),
         kiln_error_column_at(error, 0), kiln_error_message(error));
  kiln_error_free(error);

  kiln_unit_free(unit); /* its code and memory go; `norm` is now invalid */
  kiln_engine_free(engine);
  return emit_for_arm();
}
