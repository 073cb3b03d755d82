# nbody: as bench/relay/nbody.relay (float arithmetic in the same order).
from math import sqrt


def energy(pos, vel, mass, n):
    e = 0.0
    for i in range(n):
        vx = vel[3*i]; vy = vel[3*i+1]; vz = vel[3*i+2]
        e = e + 0.5 * mass[i] * (vx*vx + vy*vy + vz*vz)
        for j in range(i + 1, n):
            dx = pos[3*i] - pos[3*j]
            dy = pos[3*i+1] - pos[3*j+1]
            dz = pos[3*i+2] - pos[3*j+2]
            e = e - mass[i] * mass[j] / sqrt(dx*dx + dy*dy + dz*dz)
    return e


def advance(pos, vel, mass, n, dt):
    for i in range(n):
        for j in range(i + 1, n):
            dx = pos[3*i] - pos[3*j]
            dy = pos[3*i+1] - pos[3*j+1]
            dz = pos[3*i+2] - pos[3*j+2]
            d2 = dx*dx + dy*dy + dz*dz
            mag = dt / (d2 * sqrt(d2))
            vel[3*i] = vel[3*i] - dx * mass[j] * mag
            vel[3*i+1] = vel[3*i+1] - dy * mass[j] * mag
            vel[3*i+2] = vel[3*i+2] - dz * mass[j] * mag
            vel[3*j] = vel[3*j] + dx * mass[i] * mag
            vel[3*j+1] = vel[3*j+1] + dy * mass[i] * mag
            vel[3*j+2] = vel[3*j+2] + dz * mass[i] * mag
    for i in range(3*n):
        pos[i] = pos[i] + dt * vel[i]


def fmt(x):
    if x == int(x) and abs(x) < 2**53:
        return "%d" % x
    return repr(float(x))


pos = [0.0, 0.0, 0.0, 4.84, -1.16, -0.10, 8.34, 4.12, -0.40, 12.89, -15.11, -0.22, 15.37, -25.91, 0.17]
vel = [0.0, 0.0, 0.0, 0.606, 2.81, -0.02, -1.01, 1.82, 0.008, 1.08, 0.868, -0.01, 0.979, 0.594, -0.034]
mass = [39.47, 0.037, 0.011, 0.0017, 0.002]
steps = 50000  # bench:size
print(fmt(energy(pos, vel, mass, 5)))
for step in range(steps):
    advance(pos, vel, mass, 5, 0.01)
print(fmt(energy(pos, vel, mass, 5)))
