/* faust_check.h: the check macro the Faust C API tests share (plain C99).
 *
 * Unlike relay_tensor_check.h, a failed EXPECT counts and goes on, so one run
 * of a case reports every broken check; main returns `failures != 0`. It
 * needs no Kiln header: the drop-in test includes only llvm-dsp-c.h.
 */
#ifndef KILN_TEST_CAPI_FAUST_CHECK_H
#define KILN_TEST_CAPI_FAUST_CHECK_H

#include <stdio.h>

static int failures;

#define EXPECT(cond)                                                           \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond);         \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

#endif /* KILN_TEST_CAPI_FAUST_CHECK_H */
