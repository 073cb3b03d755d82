/* Checks argc/argv passing: prints argc and each argv[1..] (runner passes
 * "alpha" "beta 2"). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static unsigned checksum(const char *s) {
  unsigned h = 5381u;
  for (; *s; ++s)
    h = h * 33u + (unsigned char)*s;
  return h;
}

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  size_t total = 0;
  for (int i = 1; i < argc; ++i) {
    size_t len = strlen(argv[i]);
    total += len;
    printf("argv[%d]=[%s] len=%zu has_space=%d djb2=%u\n", i, argv[i], len,
           strchr(argv[i], ' ') != NULL, checksum(argv[i]));
    printf("  upper=");
    for (const char *p = argv[i]; *p; ++p)
      putchar(toupper((unsigned char)*p));
    putchar('\n');
  }
  printf("argv[argc] is NULL: %d\n", argv[argc] == NULL);
  printf("argv[0] non-empty: %d\n", argv[0] != NULL && argv[0][0] != '\0');
  printf("total=%zu\n", total);
  return argc == 3 ? 0 : 1;
}
