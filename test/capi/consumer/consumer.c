/* consumer.c: the smallest program against an installed libkiln.so —
 * compile an IR function, call it, say which library version ran it. Built
 * by install_test.sh with find_package(Kiln) and with pkg-config. */
#include <kiln/kiln.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  const char *ir = "define i32 @twice(i32 %x) {\n"
                   "  %y = mul i32 %x, 2\n"
                   "  ret i32 %y\n"
                   "}\n";
  kiln_engine *engine = NULL;
  kiln_unit *unit = NULL;
  int (*twice)(int) = NULL;
  kiln_error *error;
  if ((error = kiln_engine_new(NULL, &engine)) ||
      (error = kiln_unit_add_ir(engine, "twice.ll", ir, strlen(ir), &unit)) ||
      (error = kiln_unit_lookup(unit, "twice", (void **)&twice))) {
    fprintf(stderr, "%s\n", kiln_error_rendered(error));
    kiln_error_free(error);
    return 1;
  }
  printf("twice(21) = %d with libkiln %s\n", twice(21), kiln_version());
  kiln_unit_free(unit);
  kiln_engine_free(engine);
  return 0;
}
