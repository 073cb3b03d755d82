/* Checks structs and unions: nested structs, by-value passing/returning, arrays
 * of structs, union punning. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct vec3 {
  double x, y, z;
};
struct particle {
  char name[8];
  struct vec3 pos, vel;
  int id;
};
struct packed_small {
  char c;
  short s;
  int i;
  long long ll;
};

union bits {
  double d;
  uint64_t u;
  unsigned char b[8];
};
union tagval {
  int i;
  float f;
};
struct tagged {
  enum { T_INT, T_FLOAT } tag;
  union tagval v;
};

static struct vec3 add(struct vec3 a, struct vec3 b) {
  struct vec3 r = {a.x + b.x, a.y + b.y, a.z + b.z};
  return r;
}
static struct vec3 scale(struct vec3 a, double k) {
  return (struct vec3){a.x * k, a.y * k, a.z * k};
}
static double dot(const struct vec3 *a, const struct vec3 *b) {
  return a->x * b->x + a->y * b->y + a->z * b->z;
}

static void show(const struct tagged *t) {
  if (t->tag == T_INT)
    printf("int %d\n", t->v.i);
  else
    printf("float %.9g\n", (double)t->v.f);
}

int main(void) {
  struct particle ps[3] = {
      {"a", {0, 0, 0}, {1, 2, 3}, 1},
      {"bee", {1.5, -2, 0.25}, {0.5, 0.5, 0.5}, 2},
      {.name = "c", .id = 3, .vel = {.z = -1}},
  };
  for (int step = 0; step < 4; ++step)
    for (int i = 0; i < 3; ++i)
      ps[i].pos = add(ps[i].pos, scale(ps[i].vel, 0.5));
  for (int i = 0; i < 3; ++i)
    printf("%s#%d pos=(%.17g, %.17g, %.17g) |p|^2=%.17g\n", ps[i].name,
           ps[i].id, ps[i].pos.x, ps[i].pos.y, ps[i].pos.z,
           dot(&ps[i].pos, &ps[i].pos));
  struct particle copy = ps[1];
  copy.id = 99;
  strcpy(copy.name, "copy");
  printf("orig %s#%d copy %s#%d\n", ps[1].name, ps[1].id, copy.name, copy.id);

  printf("sizeof vec3=%zu particle=%zu small=%zu\n", sizeof(struct vec3),
         sizeof(struct particle), sizeof(struct packed_small));
  struct packed_small sm = {'x', -300, 70000, -5000000000LL};
  printf("small: %c %d %d %lld\n", sm.c, sm.s, sm.i, sm.ll);

  union bits u;
  u.d = 1.0;
  printf("1.0 bits=%016llx\n", (unsigned long long)u.u);
  u.d = -0.1;
  printf("-0.1 bits=%016llx lowbyte=%02x\n", (unsigned long long)u.u, u.b[0]);
  u.u = 0x400921fb54442d18ULL;
  printf("pi from bits=%.17g\n", u.d);

  struct tagged ts[2] = {{T_INT, {.i = -42}}, {T_FLOAT, {.f = 2.75f}}};
  for (int i = 0; i < 2; ++i)
    show(&ts[i]);
  return 0;
}
