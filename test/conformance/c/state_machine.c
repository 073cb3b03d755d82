/* Checks control flow: a switch-driven tokenizer state machine plus goto-based
 * error/cleanup paths. */
#include <ctype.h>
#include <stdio.h>

enum state { S_START, S_NUMBER, S_IDENT, S_OP, S_DONE };

static int tokenize(const char *src) {
  enum state st = S_START;
  const char *p = src, *tok = src;
  int ntok = 0;
  for (;;) {
    char c = *p;
    switch (st) {
    case S_START:
      if (c == '\0') {
        st = S_DONE;
        break;
      }
      if (c == ' ') {
        ++p;
        break;
      }
      tok = p;
      if (isdigit((unsigned char)c))
        st = S_NUMBER;
      else if (isalpha((unsigned char)c) || c == '_')
        st = S_IDENT;
      else
        st = S_OP;
      break;
    case S_NUMBER:
      if (isdigit((unsigned char)c)) {
        ++p;
        break;
      }
      printf("  NUM(%.*s)\n", (int)(p - tok), tok);
      ++ntok;
      st = S_START;
      break;
    case S_IDENT:
      if (isalnum((unsigned char)c) || c == '_') {
        ++p;
        break;
      }
      printf("  ID(%.*s)\n", (int)(p - tok), tok);
      ++ntok;
      st = S_START;
      break;
    case S_OP:
      ++p;
      switch (c) {
      case '+':
      case '-':
      case '*':
      case '/': printf("  OP(%c)\n", c); break;
      case '(':
      case ')': printf("  PAREN(%c)\n", c); break;
      default: printf("  BAD(%c)\n", c); return -1;
      }
      ++ntok;
      st = S_START;
      break;
    case S_DONE: return ntok;
    }
  }
}

static int parse_digits(const char *s, int *out) {
  int v = 0, n = 0;
  if (!*s)
    goto empty;
again:
  if (*s == '\0')
    goto done;
  if (!isdigit((unsigned char)*s))
    goto bad;
  v = v * 10 + (*s - '0');
  ++s;
  ++n;
  goto again;
done:
  *out = v;
  return n;
bad:
  printf("  bad digit '%c' after %d digits\n", *s, n);
  return -1;
empty:
  printf("  empty input\n");
  return 0;
}

int main(void) {
  const char *inputs[] = {"x1 = 42", "foo_bar + 12*(y - 7)", "a$b", ""};
  for (int i = 0; i < 4; ++i) {
    printf("input \"%s\":\n", inputs[i]);
    printf("  -> %d tokens\n", tokenize(inputs[i]));
  }
  const char *nums[] = {"12345", "12x4", "", "007"};
  for (int i = 0; i < 4; ++i) {
    int v = -1;
    int r = parse_digits(nums[i], &v);
    printf("parse \"%s\" -> r=%d v=%d\n", nums[i], r, v);
  }
  return 0;
}
