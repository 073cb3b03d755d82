# fib: naive doubly recursive Fibonacci, as bench/relay/fib.relay.


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def fmt(x):
    if x == int(x) and abs(x) < 2**53:
        return "%d" % x
    return repr(float(x))


n = 30  # bench:size
print(fmt(fib(n)))
