/* Checks heap management: malloc/realloc/free with a singly linked list and a
 * growable array. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
  int value;
  char *label;
  struct node *next;
};

static struct node *push(struct node *head, int v) {
  struct node *n = malloc(sizeof *n);
  if (!n)
    exit(2);
  n->value = v;
  n->label = malloc(16);
  if (!n->label)
    exit(2);
  snprintf(n->label, 16, "n%d", v);
  n->next = head;
  return n;
}

static struct node *reverse(struct node *h) {
  struct node *prev = NULL;
  while (h) {
    struct node *nx = h->next;
    h->next = prev;
    prev = h;
    h = nx;
  }
  return prev;
}

static struct node *remove_if_div(struct node *h, int d, int *removed) {
  struct node **pp = &h;
  while (*pp) {
    if ((*pp)->value % d == 0) {
      struct node *dead = *pp;
      *pp = dead->next;
      free(dead->label);
      free(dead);
      ++*removed;
    } else
      pp = &(*pp)->next;
  }
  return h;
}

int main(void) {
  struct node *list = NULL;
  for (int i = 1; i <= 20; ++i)
    list = push(list, i * i % 37);
  list = reverse(list);
  int removed = 0;
  list = remove_if_div(list, 3, &removed);
  printf("removed=%d list:", removed);
  for (struct node *n = list; n; n = n->next)
    printf(" %s", n->label);
  printf("\n");

  size_t cap = 1, len = 0;
  long *arr = malloc(cap * sizeof *arr);
  for (struct node *n = list; n; n = n->next) {
    if (len == cap) {
      cap *= 2;
      long *grown = realloc(arr, cap * sizeof *arr);
      if (!grown) {
        free(arr);
        return 2;
      }
      arr = grown;
    }
    arr[len++] = (long)n->value * 1000;
  }
  long total = 0;
  for (size_t i = 0; i < len; ++i)
    total += arr[i];
  printf("len=%zu cap=%zu total=%ld\n", len, cap, total);
  free(arr);

  char *str = calloc(1, 1);
  for (int i = 0; i < 5; ++i) {
    size_t l = strlen(str);
    str = realloc(str, l + 4);
    if (!str)
      return 2;
    snprintf(str + l, 4, "%d,", i * 11);
  }
  printf("built=%s\n", str);
  free(str);
  while (list) {
    struct node *nx = list->next;
    free(list->label);
    free(list);
    list = nx;
  }
  printf("freed\n");
  return 0;
}
