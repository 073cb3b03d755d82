"""int_kernels: random well-typed i32/i64 kernels for numpy_random.py.

NumPy's integer division, remainder and overflow rules differ from the
kernel language's (C truncation, x/0 = 0, wrap-around), so these kernels are
checked against the eager reference only — exactly — with the JIT (O0, O3,
1 and 2 threads) and the blocked reference as the other columns. Inputs mix
small values with 0, -1, INT_MIN and INT_MAX so that wrap-around, division
by zero and INT_MIN / -1 all occur.
"""
import numpy as np

LIMITS = {"i32": (-2**31, 2**31 - 1), "i64": (-2**63, 2**63 - 1)}


def int_values(nprng, dtype, shape):
    lo, hi = LIMITS[dtype]
    T = np.int32 if dtype == "i32" else np.int64
    v = nprng.integers(-60, 60, size=shape, dtype=T)
    special = np.array([0, -1, 1, lo, hi, lo + 1, hi - 1], dtype=T)
    pick = nprng.random(size=shape) < 0.12
    v[pick] = nprng.choice(special, size=int(pick.sum()))
    return v


class IntGen:
    """Kernel text only; the eager reference is the expected result."""

    def __init__(self, rng, dtype, params, arrays):
        self.rng, self.dtype, self.params, self.arrays = rng, dtype, list(params), arrays

    def lit(self):
        return str(self.rng.choice([0, 1, 2, 3, 7, 100, 65537, 2147483647]))

    def expr(self, d):
        r = self.rng
        if d <= 0 or r.random() < 0.2:
            return r.choice(self.params)
        kind = r.choice(["arith"] * 4 + ["div"] * 2 + ["unary", "minmax", "clamp", "where", "cast"])
        a, b = self.expr(d - 1), self.expr(d - 1)
        if r.random() < 0.25:
            b = self.lit()
        if kind == "arith":
            return f"({a} {r.choice('+-*')} {b})"
        if kind == "div":
            return f"({a} {r.choice('/%')} {b})"
        if kind == "unary":
            return r.choice([f"(-{a})", f"abs({a})", f"relu({a})"])
        if kind == "minmax":
            return f"{r.choice(['min', 'max'])}({a}, {b})"
        if kind == "clamp":
            lo = r.choice([-100, -7, 0, 3])
            return f"clamp({a}, {lo}, {lo + r.choice([1, 10, 1000])})"
        if kind == "where":
            c = f"{a} {r.choice(['<', '<=', '>', '>=', '==', '!='])} {self.expr(d - 1)}"
            if r.random() < 0.3:
                c = f"!({c}) || {b} > 0"
            return f"where({c}, {a}, {b})"
        T = self.dtype
        return r.choice([f"{T}(f64({a}) * 0.375)", f"{T}(f32({a}) / 3)",
                         f"{T}(i64({a}) * 3000000000)", f"{T}(i32({a}) + 1)"])

    def body(self, reduce):
        if not reduce:
            return self.expr(self.rng.randint(1, 4))
        terms = []
        for _ in range(self.rng.randint(1, 3)):
            for _ in range(50):
                e = self.expr(self.rng.randint(0, 3))
                if any(p in self.arrays for p in _names(e)):
                    break
            terms.append(f"{self.rng.choice(['sum', 'prod', 'min', 'max'])}({e})")
        text = terms[0]
        for t in terms[1:]:
            text = f"({text} {self.rng.choice('+-*')} {t})"
        return text


def _names(text):
    import re
    return set(re.findall(r"\b[a-z]\b", text))
