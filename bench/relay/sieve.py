# sieve: as bench/relay/sieve.relay (a list of flags grown by append; the
# same loops, with Python ints).


def sieve(n):
    flags = []
    for i in range(n):
        flags.append(1)
    flags[0] = 0
    flags[1] = 0
    p = 2
    while p * p < n:
        if flags[p] == 1:
            m = p * p
            while m < n:
                flags[m] = 0; m = m + p
        p = p + 1
    return flags


def fmt(x):
    if x == int(x) and abs(x) < 2**53:
        return "%d" % x
    return repr(float(x))


n = 2000000  # bench:size
flags = sieve(n)
count = 0; total = 0
for i in range(n):
    if flags[i] == 1:
        count = count + 1; total = total + i
print(fmt(count), fmt(total))
