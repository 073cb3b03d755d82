/* symbols.c: name -> address table the JIT defines in each engine, so JIT
 * code finds the runtime without the host exporting dynamic symbols. */
#include "kiln/runtime/Abi.h"

#define KILN_SYM(f)                                                            \
  { #f, (void *)&f }

static const kiln_rt_symbol table[] = {
    KILN_SYM(kiln_rt_format_f64),     KILN_SYM(kiln_rt_print_f64),
    KILN_SYM(kiln_rt_print_i64),      KILN_SYM(kiln_rt_print_bool),
    KILN_SYM(kiln_rt_print_str),      KILN_SYM(kiln_rt_print_space),
    KILN_SYM(kiln_rt_print_newline),  KILN_SYM(kiln_rt_print_bytes),
    KILN_SYM(kiln_rt_trap),           KILN_SYM(kiln_rt_call_guarded),
    KILN_SYM(kiln_rt_array_new),      KILN_SYM(kiln_rt_array_free),
    KILN_SYM(kiln_rt_array_push),     KILN_SYM(kiln_rt_array_get),
    KILN_SYM(kiln_rt_array_set),      KILN_SYM(kiln_rt_index_message),
    KILN_SYM(kiln_rt_index_trap),     KILN_SYM(kiln_rt_print_array),
    KILN_SYM(kiln_rt_arena_mark),     KILN_SYM(kiln_rt_arena_release),
    KILN_SYM(kiln_rt_depth),          KILN_SYM(kiln_rt_max_depth),
    KILN_SYM(kiln_rt_stack_overflow), KILN_SYM(kiln_rt_interrupted),
    KILN_SYM(kiln_rt_timeout_trap),   KILN_SYM(kiln_rt_watchdog_start),
    KILN_SYM(kiln_rt_watchdog_stop),  KILN_SYM(kiln_rt_timeout_message),
    KILN_SYM(kiln_rt_parse_timeout),  KILN_SYM(kiln_rt_main),
    KILN_SYM(kiln_rt_stack_low),      KILN_SYM(kiln_rt_stack_window),
    KILN_SYM(kiln_rt_stack_exhausted),
};

const kiln_rt_symbol *kiln_rt_symbols(size_t *count) {
  *count = sizeof table / sizeof table[0];
  return table;
}
