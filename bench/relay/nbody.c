// nbody: as bench/relay/nbody.relay, in doubles and in the same order.
#include "relay_print.h"

static double energy(const double *pos, const double *vel, const double *mass,
                     double n) {
  double e = 0;
  for (double i = 0; i < n; i++) {
    int a = (int)i;
    double vx = vel[3 * a], vy = vel[3 * a + 1], vz = vel[3 * a + 2];
    e = e + 0.5 * mass[a] * (vx * vx + vy * vy + vz * vz);
    for (double j = i + 1; j < n; j++) {
      int b = (int)j;
      double dx = pos[3 * a] - pos[3 * b];
      double dy = pos[3 * a + 1] - pos[3 * b + 1];
      double dz = pos[3 * a + 2] - pos[3 * b + 2];
      e = e - mass[a] * mass[b] / sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

static void advance(double *pos, double *vel, const double *mass, double n,
                    double dt) {
  for (double i = 0; i < n; i++) {
    int a = (int)i;
    for (double j = i + 1; j < n; j++) {
      int b = (int)j;
      double dx = pos[3 * a] - pos[3 * b];
      double dy = pos[3 * a + 1] - pos[3 * b + 1];
      double dz = pos[3 * a + 2] - pos[3 * b + 2];
      double d2 = dx * dx + dy * dy + dz * dz;
      double mag = dt / (d2 * sqrt(d2));
      vel[3 * a] = vel[3 * a] - dx * mass[b] * mag;
      vel[3 * a + 1] = vel[3 * a + 1] - dy * mass[b] * mag;
      vel[3 * a + 2] = vel[3 * a + 2] - dz * mass[b] * mag;
      vel[3 * b] = vel[3 * b] + dx * mass[a] * mag;
      vel[3 * b + 1] = vel[3 * b + 1] + dy * mass[a] * mag;
      vel[3 * b + 2] = vel[3 * b + 2] + dz * mass[a] * mag;
    }
  }
  for (int k = 0; k < 3 * (int)n; k++)
    pos[k] = pos[k] + dt * vel[k];
}

int main(void) {
  double pos[] = {0,     0,     0,      4.84,  -1.16, -0.10,  8.34, 4.12,
                  -0.40, 12.89, -15.11, -0.22, 15.37, -25.91, 0.17};
  double vel[] = {0,     0,    0,     0.606, 2.81,  -0.02, -1.01, 1.82,
                  0.008, 1.08, 0.868, -0.01, 0.979, 0.594, -0.034};
  double mass[] = {39.47, 0.037, 0.011, 0.0017, 0.002};
  double steps = 50000; // bench:size
  RELAY_PRINT(energy(pos, vel, mass, 5));
  for (double step = 0; step < steps; step++)
    advance(pos, vel, mass, 5, 0.01);
  RELAY_PRINT(energy(pos, vel, mass, 5));
  return 0;
}
