/* trap.c: runtime errors, unwound to the nearest guarded call (JIT hosts)
 * or reported and turned into exit status 1 (AOT executables). */
#include "kiln/runtime/Abi.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct guard {
  jmp_buf env;
  kiln_rt_trap_info info;
  struct guard *outer;
} guard;

static _Thread_local guard *current_guard;

static void copy_text(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src ? src : "");
}

void kiln_rt_trap(const char *message, const char *file, int32_t line,
                  int32_t column) {
  guard *g = current_guard;
  if (g) {
    copy_text(g->info.message, sizeof g->info.message, message);
    copy_text(g->info.file, sizeof g->info.file, file);
    g->info.line = line;
    g->info.column = column;
    longjmp(g->env, 1);
  }
  fflush(stdout);
  if (file && *file && line > 0)
    fprintf(stderr, "%s:%d:%d: runtime error: %s\n", file, line,
            column > 0 ? column : 1, message);
  else
    fprintf(stderr, "runtime error: %s\n", message);
  exit(1);
}

int kiln_rt_call_guarded(void (*fn)(void *), void *ctx,
                         kiln_rt_trap_info *info) {
  guard g;
  int32_t depth = kiln_rt_depth;
  memset(&g.info, 0, sizeof g.info);
  g.outer = current_guard;
  current_guard = &g;
  if (setjmp(g.env) == 0) {
    fn(ctx);
    current_guard = g.outer;
    return 0;
  }
  current_guard = g.outer;
  kiln_rt_depth = depth; /* the frames the trap skipped never returned */
  if (info)
    *info = g.info;
  return 1;
}
