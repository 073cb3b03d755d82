/* Checks 64-bit integer arithmetic: mixed signed/unsigned, division, shifts, no
 * overflow UB. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) {
  uint64_t r = 0;
  a %= m;
  while (b) {
    if (b & 1)
      r = (r + a) % m;
    a = (a * 2) % m;
    b >>= 1;
  }
  return r;
}

static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m) {
  uint64_t r = 1;
  for (b %= m; e; e >>= 1, b = mulmod(b, b, m))
    if (e & 1)
      r = mulmod(r, b, m);
  return r;
}

static unsigned popcount64(uint64_t x) {
  unsigned c = 0;
  for (; x; x &= x - 1)
    ++c;
  return c;
}

int main(void) {
  int64_t a = INT64_C(9000000000000000000), b = -INT64_C(123456789012345);
  uint64_t ua = UINT64_MAX, ub = UINT64_C(0x8000000000000000);
  printf("a/b=%" PRId64 " a%%b=%" PRId64 " b/7=%" PRId64 " b%%7=%" PRId64 "\n",
         a / b, a % b, b / 7, b % 7);
  printf("ua=%" PRIu64 " ua+1=%" PRIu64 " ub>>63=%" PRIu64 " ua/3=%" PRIu64
         "\n",
         ua, ua + 1, ub >> 63, ua / 3);
  printf("unsigned wrap: %" PRIu64 "\n", (uint64_t)0 - 5u);
  int32_t neg = -1;
  uint32_t u32 = 1;
  printf("mixed: -1 < 1u is %d; (int64)-1 < (uint32)1 is %d\n",
         (unsigned)neg < u32, (int64_t)neg < u32);
  printf("sign ext: %" PRId64 " zero ext: %" PRIu64 "\n",
         (int64_t)(int32_t)0xFFFFFFF0u, (uint64_t)(uint32_t)-16);
  printf("arith shift: %" PRId64 " logical: %" PRIx64 "\n", b >> 3,
         (uint64_t)b >> 3);
  printf("shl: %" PRIx64 "\n", UINT64_C(0x0123456789abcdef) << 20);
  printf("powmod(2,1e18,1e9+7)=%" PRIu64 "\n",
         powmod(2, UINT64_C(1000000000000000000), 1000000007));
  printf("powmod(3,%" PRIu64 ",2^61-1)=%" PRIu64 "\n", ua,
         powmod(3, ua, (UINT64_C(1) << 61) - 1));
  printf("popcount: %u %u %u\n", popcount64(0), popcount64(ua),
         popcount64(UINT64_C(0xF0F0F0F0F0F0F0F0)));
  uint64_t h = UINT64_C(14695981039346656037);
  const char *s = "conformance";
  for (const char *p = s; *p; ++p) {
    h ^= (unsigned char)*p;
    h *= UINT64_C(1099511628211);
  }
  printf("fnv1a=%016" PRIx64 "\n", h);
  int64_t fact = 1;
  for (int i = 1; i <= 20; ++i)
    fact *= i;
  printf("20!=%" PRId64 " INT64_MIN=%" PRId64 " -(INT64_MIN+1)=%" PRId64 "\n",
         fact, INT64_MIN, -(INT64_MIN + 1));
  int16_t sh = (int16_t)-30000;
  uint8_t by = 200;
  printf("promotions: %d %d %u\n", sh * 2, by + by,
         (unsigned)(uint8_t)(by + by));
  return 0;
}
