/* AotScratch: the kept packing buffers of an AOT library (AotScratch.h) —
 * a few slots under one mutex, freed when the library is unloaded. */
#include "AotScratch.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

/* At most this many buffers and bytes are kept: one buffer per worker of
 * a product on a machine of up to kSlots threads, a few MiB each. */
enum { kSlots = 16 };
static const size_t kMostKept = (size_t)64 << 20;

typedef struct {
  void *p;
  size_t size;
} Slot;

static Slot slots[kSlots];
static size_t kept; /* bytes in slots */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* A buffer starts kHeader bytes into its allocation, whose first word is
 * the size it was allocated with: a kept buffer taken by a smaller request
 * comes back with that request's size, and was kept at it (a 40 MiB buffer
 * counted as 2 MiB against kMostKept, never reused for a large request). */
enum { kHeader = 64 };

static void *allocate(size_t size) {
  void *p = NULL;
  if (size > SIZE_MAX - kHeader || posix_memalign(&p, 64, size + kHeader))
    return NULL;
  *(size_t *)p = size;
  return (char *)p + kHeader;
}

static size_t capacity(void *p) { return *(size_t *)((char *)p - kHeader); }

static void release(void *p) {
  if (p)
    free((char *)p - kHeader);
}

void *kt_scratch_take(size_t size) {
  Slot best = {NULL, 0};
  int i, at = -1;
  pthread_mutex_lock(&lock);
  for (i = 0; i < kSlots; ++i) /* the smallest kept buffer that fits */
    if (slots[i].p && slots[i].size >= size &&
        (at < 0 || slots[i].size < slots[at].size))
      at = i;
  if (at >= 0) {
    best = slots[at];
    kept -= best.size;
    slots[at].p = NULL, slots[at].size = 0;
  }
  pthread_mutex_unlock(&lock);
  return best.p ? best.p : allocate(size ? size : 1);
}

/* The slot to keep a buffer of `size` in: an empty one, else the smallest
 * kept one when it is smaller (its buffer is freed); -1 for none. */
static int slotFor(size_t size, void **evicted) {
  int i, small = -1;
  for (i = 0; i < kSlots; ++i) {
    if (!slots[i].p)
      return i;
    if (small < 0 || slots[i].size < slots[small].size)
      small = i;
  }
  if (slots[small].size >= size)
    return -1;
  *evicted = slots[small].p;
  kept -= slots[small].size;
  slots[small].p = NULL, slots[small].size = 0;
  return small;
}

void kt_scratch_give(void *p, size_t size) {
  void *evicted = NULL;
  int at = -1;
  if (!p)
    return;
  size = capacity(p); /* at least the size it was taken with */
  pthread_mutex_lock(&lock);
  if (size <= kMostKept)
    at = slotFor(size, &evicted);
  if (at >= 0 && kept + size <= kMostKept) {
    slots[at].p = p, slots[at].size = size;
    kept += size;
    p = NULL;
  }
  pthread_mutex_unlock(&lock);
  release(evicted);
  release(p);
}

__attribute__((destructor)) static void releaseKept(void) {
  int i;
  for (i = 0; i < kSlots; ++i)
    release(slots[i].p), slots[i].p = NULL;
  kept = 0;
}
