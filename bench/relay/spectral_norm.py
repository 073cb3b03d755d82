# spectral_norm: as bench/relay/spectral_norm.relay (float arithmetic in the
# same order; indices are Python ints, converted exactly).
from math import sqrt


def a(i, j):
    return 1 / ((i + j) * (i + j + 1) / 2 + i + 1)


def mul_av(v, out, n):
    for i in range(n):
        s = 0
        for j in range(n):
            s = s + a(i, j) * v[j]
        out[i] = s


def mul_atv(v, out, n):
    for i in range(n):
        s = 0
        for j in range(n):
            s = s + a(j, i) * v[j]
        out[i] = s


def mul_atav(v, out, tmp, n):
    mul_av(v, tmp, n)
    mul_atv(tmp, out, n)


def zeros(n):
    z = []
    for i in range(n):
        z.append(0)
    return z


def fmt(x):
    if x == int(x) and abs(x) < 2**53:
        return "%d" % x
    return repr(float(x))


n = 200  # bench:size
u = zeros(n); v = zeros(n); tmp = zeros(n)
for i in range(n):
    u[i] = 1
for i in range(10):
    mul_atav(u, v, tmp, n)
    mul_atav(v, u, tmp, n)
vbv = 0; vv = 0
for i in range(n):
    vbv = vbv + u[i] * v[i]
    vv = vv + v[i] * v[i]
print(fmt(sqrt(vbv / vv)))
