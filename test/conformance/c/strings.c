/* Checks string handling: strlen, strcmp, strncpy, strcat, strchr, strstr,
 * snprintf, strtok. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  const char *s = "The quick brown fox jumps over the lazy dog";
  printf("len=%zu\n", strlen(s));
  printf("cmp: %d %d %d\n", strcmp("abc", "abd") < 0, strcmp("b", "a") > 0,
         strcmp("x", "x"));
  printf("strchr q at %ld, strrchr o at %ld\n", (long)(strchr(s, 'q') - s),
         (long)(strrchr(s, 'o') - s));
  printf("strstr fox: %s\n", strstr(s, "fox"));

  char buf[128];
  strncpy(buf, s, 9);
  buf[9] = '\0';
  strcat(buf, "!!");
  printf("buf=[%s]\n", buf);

  char out[32];
  int n =
      snprintf(out, sizeof out, "%s|%5d|%-4x|%08.3f", "pad", 42, 255, 3.14159);
  printf("snprintf n=%d out=[%s]\n", n, out);
  n = snprintf(out, 8, "truncated-%d", 123456); /* deliberate truncation */
  printf("snprintf trunc n=%d out=[%s]\n", n, out);

  char csv[] = "alpha,beta;;gamma, delta,,epsilon";
  int idx = 0;
  for (char *tok = strtok(csv, ",;"); tok; tok = strtok(NULL, ",;"))
    printf("tok%d=[%s]\n", idx++, tok);

  char up[64];
  size_t i;
  for (i = 0; s[i] && i < sizeof up - 1; ++i)
    up[i] = (char)toupper((unsigned char)s[i]);
  up[i] = '\0';
  printf("upper=%s\n", up);

  int counts[26] = {0};
  for (const char *p = s; *p; ++p)
    if (isalpha((unsigned char)*p))
      counts[tolower((unsigned char)*p) - 'a']++;
  int pangram = 1;
  for (int k = 0; k < 26; ++k)
    pangram &= counts[k] > 0;
  printf("pangram=%d o=%d e=%d\n", pangram, counts['o' - 'a'],
         counts['e' - 'a']);

  char rev[64];
  size_t len = strlen(s);
  for (i = 0; i < len; ++i)
    rev[i] = s[len - 1 - i];
  rev[len] = '\0';
  printf("rev=%s\n", rev);
  return 0;
}
