/* Checks static/global variables with initializers: arrays, pointers, strings,
 * function-local statics. */
#include <stdio.h>

int counter = 10;
static const int table[8] = {1, 1, 2, 3, 5, 8, 13, 21};
static const char *names[] = {"zero", "one", "two", "three"};
static double weights[4] = {0.5, 0.25, [3] = 0.125};
static int *ptr_into_table = (int *)&table[5];
static char greeting[] = "hello, globals";
struct config {
  const char *name;
  int level;
  double scale;
};
static struct config configs[] = {
    {"low", 1, 0.1}, {"mid", 5, 1.5}, {"high", 9, 12.25}};
static int zeroed[16];
long long big_global = -1234567890123LL;

static int next_id(void) {
  static int id = 100;
  return id++;
}

static int calls(void) {
  static int n;
  counter += 2;
  return ++n;
}

int main(void) {
  int sum = 0;
  for (int i = 0; i < 8; ++i)
    sum += table[i];
  printf("table sum=%d *ptr=%d\n", sum, *ptr_into_table);
  for (int i = 0; i < 4; ++i)
    printf("%s:%.17g ", names[i], weights[i]);
  printf("\n");
  greeting[0] = 'H';
  printf("%s (%zu bytes)\n", greeting, sizeof greeting);
  for (unsigned i = 0; i < sizeof configs / sizeof configs[0]; ++i)
    printf("cfg %s level=%d scale=%.17g\n", configs[i].name, configs[i].level,
           configs[i].scale);
  int nz = 0;
  for (int i = 0; i < 16; ++i)
    nz += zeroed[i] != 0;
  printf("nonzero in zeroed=%d\n", nz);
  for (int i = 0; i < 3; ++i)
    printf("id=%d ", next_id());
  printf("\n");
  int c = 0;
  for (int i = 0; i < 5; ++i)
    c = calls();
  printf("calls=%d counter=%d big=%lld\n", c, counter, big_global);
  configs[1].level += 10;
  printf("mutated mid level=%d\n", configs[1].level);
  return 0;
}
