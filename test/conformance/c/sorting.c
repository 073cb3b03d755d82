/* Checks sorting: qsort with a function-pointer comparator and a hand-written
 * merge sort. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 64

static int cmp_int_desc(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x < y) - (x > y);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void merge_sort(int *a, int *tmp, int lo, int hi) {
  if (hi - lo < 2)
    return;
  int mid = lo + (hi - lo) / 2;
  merge_sort(a, tmp, lo, mid);
  merge_sort(a, tmp, mid, hi);
  int i = lo, j = mid, k = lo;
  while (i < mid && j < hi)
    tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
  while (i < mid)
    tmp[k++] = a[i++];
  while (j < hi)
    tmp[k++] = a[j++];
  memcpy(a + lo, tmp + lo, (size_t)(hi - lo) * sizeof *a);
}

static void print_arr(const char *label, const int *a, int n) {
  printf("%s:", label);
  for (int i = 0; i < n; ++i)
    printf(" %d", a[i]);
  printf("\n");
}

int main(void) {
  int a[N], b[N], tmp[N];
  unsigned seed = 12345u;
  for (int i = 0; i < N; ++i) {
    seed = seed * 1103515245u + 12345u; /* fixed LCG, no libc rand */
    a[i] = (int)((seed >> 16) % 1000) - 500;
    b[i] = a[i];
  }
  print_arr("input", a, N);
  int (*cmp)(const void *, const void *) = cmp_int_desc;
  qsort(a, N, sizeof a[0], cmp);
  print_arr("qsort desc", a, N);
  merge_sort(b, tmp, 0, N);
  print_arr("merge asc", b, N);
  int ok = 1;
  for (int i = 0; i < N; ++i)
    ok &= a[i] == b[N - 1 - i];
  printf("consistent: %d\n", ok);
  const char *words[] = {"pear",   "apple",   "fig", "banana",
                         "cherry", "apricot", "date"};
  size_t nw = sizeof words / sizeof words[0];
  qsort(words, nw, sizeof words[0], cmp_str);
  for (size_t i = 0; i < nw; ++i)
    printf("%zu:%s\n", i, words[i]);
  return 0;
}
