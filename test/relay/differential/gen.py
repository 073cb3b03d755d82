#!/usr/bin/env python3
"""gen: random well-typed Relay programs for differential testing.

Each program defines a few functions (each may call only earlier ones, so
there is no unbounded recursion), uses numbers, bools and arrays, loops with
small constant bounds (including `while` loops that step a variable toward
a bound, sometimes from a fraction, -0 or a huge value, or toward NaN, so
that compiled code takes both its integer-counter and its general version),
and prints as it goes. Runtime errors (an index that
is not an integer, say) are allowed: every mode must report the same one.
Most programs also contain loop nests shaped for on-stack replacement (see
osr_nest), at the top level and in a function that the top level calls.
Usage: gen.py SEED  -> the program on stdout.
"""
import random
import sys

def iterations(start, bound, step, op):
    """How many times `while w OP bound { w = w + step }` runs (in doubles,
    as Relay does), or 13 when that is more than 12."""
    w, step = float(start), float(step)
    b = float("nan") if bound == "0/0" else float(bound)
    test = {"<": w.__class__.__lt__, "<=": w.__class__.__le__,
            ">": w.__class__.__gt__, ">=": w.__class__.__ge__}[op]
    n = 0
    while test(w, b) and n <= 12:
        w, n = w + step, n + 1
    return n


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.funcs = []  # (name, arity, returns_array)

    def num(self):
        r = self.r
        choice = r.random()
        if choice < 0.5:
            return str(r.randint(-9, 20))
        if choice < 0.8:
            return f"{r.uniform(-10, 10):.3f}"
        return r.choice(["0.1", "0.5", "1e3", "2.5e-3", "1e16", "-0"])

    def expr(self, scope, depth):
        r = self.r
        nums = [v for v, t in scope if t in ("n", "r")]  # "r": read-only
        arrs = [v for v, t in scope if t == "a"]
        if depth <= 0 or r.random() < 0.25:
            if nums and r.random() < 0.7:
                return r.choice(nums)
            return self.num()
        k = r.random()
        if k < 0.45:
            op = r.choice(["+", "-", "*", "/", "%", "+", "*"])
            return f"({self.expr(scope, depth-1)} {op} {self.expr(scope, depth-1)})"
        if k < 0.55:
            return f"-{self.expr(scope, depth-1)}"
        if k < 0.70:
            f1 = r.choice(["sqrt", "abs", "floor", "ceil", "sin", "cos", "exp", "log"])
            if r.random() < 0.3:
                f2 = r.choice(["min", "max", "pow"])
                return f"{f2}({self.expr(scope, depth-1)}, {self.expr(scope, depth-1)})"
            return f"{f1}({self.expr(scope, depth-1)})"
        if k < 0.82 and arrs:
            a = r.choice(arrs)
            if r.random() < 0.3:
                return f"len({a})"
            idx = self.expr(scope, depth-1)
            if r.random() < 0.9:  # mostly valid indices
                idx = f"floor(abs({idx})) % len({a})"
            return f"{a}[{idx}]"
        callable_ = [f for f in self.funcs if not f[2]]
        if k < 0.95 and callable_:
            name, arity, _ = r.choice(callable_)
            args = ", ".join(self.expr(scope, depth-1) for _ in range(arity))
            return f"{name}({args})"
        return self.expr(scope, depth-1)

    def cond(self, scope, depth):
        r = self.r
        op = r.choice(["<", "<=", ">", ">=", "==", "!="])
        c = f"{self.expr(scope, depth)} {op} {self.expr(scope, depth)}"
        if r.random() < 0.3:
            c2 = f"{self.expr(scope, depth)} < {self.expr(scope, depth)}"
            c = f"({c}) {r.choice(['&&', '||'])} {'!' if r.random() < 0.3 else ''}({c2})"
        return c

    def block(self, scope, depth, indent, loop_depth, in_fn, iterating=()):
        r = self.r
        lines = []
        scope = list(scope)
        for _ in range(r.randint(1, 4)):
            pad = "    " * indent
            k = r.random()
            nums = [v for v, t in scope if t == "n"]
            arrs = [v for v, t in scope if t == "a"]
            if k < 0.25:
                v = f"v{len(scope)}_{indent}"
                if r.random() < 0.2:
                    elems = ", ".join(self.num() for _ in range(r.randint(1, 4)))
                    lines.append(f"{pad}let {v} = [{elems}]")
                    scope.append((v, "a"))
                else:
                    lines.append(f"{pad}let {v} = {self.expr(scope, 3)}")
                    scope.append((v, "n"))
            elif k < 0.40 and nums:
                lines.append(f"{pad}{r.choice(nums)} = {self.expr(scope, 3)}")
            elif k < 0.50 and arrs:
                a = r.choice(arrs)
                # Never grow an array a for-each is walking: it would not end.
                if r.random() < 0.5 and a not in iterating:
                    lines.append(f"{pad}{a}.push({self.expr(scope, 2)})")
                else:
                    lines.append(f"{pad}{a}[floor(abs({self.expr(scope, 2)})) % len({a})] = {self.expr(scope, 2)}")
            elif k < 0.62 and depth > 0:
                lines.append(f"{pad}if {self.cond(scope, 2)} {{")
                lines += self.block(scope, depth - 1, indent + 1, loop_depth, in_fn, iterating)
                if r.random() < 0.5:
                    lines.append(f"{pad}}} else {{")
                    lines += self.block(scope, depth - 1, indent + 1, loop_depth, in_fn, iterating)
                lines.append(f"{pad}}}")
            elif k < 0.72 and depth > 0:
                i = f"i{indent}"
                # Literal and len() bounds compile to one integer loop; any
                # other expression to the checked, versioned pair.
                start, end = r.randint(-2, 2), r.randint(0, 6)
                roll = r.random()
                if roll < 0.25 and arrs:
                    end = f"len({r.choice(arrs)}){r.choice(['', ' - 1', ' + 1'])}"
                elif roll < 0.45:
                    start = f"max(min({self.expr(scope, 1)}, 2), -3)"
                elif roll < 0.6:
                    end = f"min({self.expr(scope, 1)}, 6)"
                lines.append(f"{pad}for {i} in {start}..{end} {{")
                lines += self.block(scope + [(i, "n")], depth - 1, indent + 1, loop_depth + 1, in_fn,
                                    iterating)
                lines.append(f"{pad}}}")
            elif k < 0.77 and depth > 0 and arrs:
                x = f"x{indent}"
                walked = r.choice(arrs)
                lines.append(f"{pad}for {x} in {walked} {{")
                lines += self.block(scope + [(x, "n")], depth - 1, indent + 1, loop_depth + 1, in_fn,
                                    tuple(iterating) + (walked,))
                lines.append(f"{pad}}}")
            elif k < 0.80 and depth > 0:
                lines += self.stepped_while(scope, depth, indent, loop_depth, in_fn, iterating)
            elif k < 0.82 and loop_depth > 0:
                lines.append(f"{pad}if {self.cond(scope, 1)} {{ {r.choice(['break', 'continue'])} }}")
            elif k < 0.86 and in_fn:
                lines.append(f"{pad}if {self.cond(scope, 1)} {{ return {self.expr(scope, 2)} }}")
            else:
                args = [self.expr(scope, 2) for _ in range(r.randint(1, 3))]
                if arrs and r.random() < 0.3:
                    args.append(r.choice(arrs))
                if r.random() < 0.2:
                    args.insert(0, '"value:"')
                if r.random() < 0.2:
                    args.append(self.cond(scope, 1))
                lines.append(f"{pad}print({', '.join(args)})")
        return lines

    def stepped_while(self, scope, depth, indent, loop_depth, in_fn, iterating):
        """`while w OP bound { w = w + step; ... }`: the step comes first, so
        a `continue` in the body cannot stop the loop from advancing, and w
        is read-only in the body; every loop ends within a few iterations."""
        r = self.r
        pad = "    " * indent
        w = f"w{indent}"
        while True:  # draw until the loop ends within a few iterations
            up = r.random() < 0.6
            start = r.choice(["0", "1", "2", "-1", "-3", "0.5", "-0", "2147483647", "1e16"])
            bound = r.choice(["5", "8", "3.5", "-0", "0/0", "2147483650"] if up else
                             ["-4", "0", "-2.5", "-0", "0/0", "-2147483650"])
            step = r.choice(["1", "2", "3", "0.5", "1.5", "1e9"])
            op = r.choice(["<", "<="] if up else [">", ">="])
            if iterations(start, bound, step if up else "-" + step, op) <= 12:
                break
        stepped = f"{w} + {step}" if up else r.choice([f"{w} - {step}", f"{w} + -{step}"])
        cond = f"{w} {op} {bound}"
        if r.random() < 0.3:  # the same test, mirrored
            cond = f"{bound} {dict(zip('<>', '><'))[op[0]] + op[1:]} {w}"
        lines = [f"{pad}let {w} = {start}", f"{pad}while {cond} {{",
                 f"{pad}    {w} = {stepped}"]
        lines += self.block(scope + [(w, "r")], depth - 1, indent + 1, loop_depth + 1, in_fn,
                            iterating)
        lines.append(f"{pad}}}")
        return lines

    def osr_nest(self, scope, indent, in_fn):
        """A loop nest for the OSR leg (run_differential.sh forces OSR after
        1 to 7 loop iterations): 1 to 3 levels of range, while and for-each
        loops with enough iterations that some header of every depth is
        passed after the threshold, `break`/`continue` in every level,
        statements after the inner loop (the rest of the outer iteration),
        an array pushed to before, inside and after the nest, and sometimes
        a trap after it."""
        r = self.r
        pad = "    " * indent
        acc = f"acc{indent}"
        lines = [f"{pad}let {acc} = [{self.num()}]", f"{pad}{acc}.push({self.expr(scope, 2)})"]
        scope = scope + [(acc, "a")]
        closers = []
        for d in range(r.randint(1, 3)):
            p = pad + "    " * d
            v = f"o{indent}_{d}"
            kind = r.random()
            if kind < 0.5:
                lines.append(f"{p}for {v} in {r.randint(-1, 1)}..{r.randint(2, 6)} {{")
                scope = scope + [(v, "n")]
            elif kind < 0.75:
                lines += [f"{p}let {v} = 0", f"{p}while {v} < {r.randint(2, 6)} {{",
                          f"{p}    {v} = {v} + 1"]
                scope = scope + [(v, "r")]
            else:
                elems = ", ".join(self.num() for _ in range(r.randint(2, 5)))
                lines.append(f"{p}for {v} in [{elems}] {{")
                scope = scope + [(v, "n")]
            inner = p + "    "
            if r.random() < 0.6:
                lines.append(f"{inner}{acc}.push({v})")
            if r.random() < 0.5:
                lines.append(f"{inner}if {self.cond(scope, 1)} {{ {r.choice(['break', 'continue'])} }}")
            if r.random() < 0.4:
                lines += self.block(scope, 1, indent + d + 1, d + 1, in_fn)
            after = [f"{inner}{acc}.push({self.expr(scope, 2)})"]
            if r.random() < 0.4:
                after.append(f"{inner}if {self.cond(scope, 1)} {{ {r.choice(['break', 'continue'])} }}")
            if r.random() < 0.3:
                after.append(f"{inner}print({v}, len({acc}))")
            closers.append(after + [f"{p}}}"])
        for c in reversed(closers):
            lines += c
        lines.append(f"{pad}{acc}.push(len({acc}))")
        lines.append(f"{pad}print(len({acc}), {acc}[len({acc}) - 1], {acc}[0])")
        if r.random() < 0.2:
            lines.append(f"{pad}print({acc}[len({acc}) + {r.randint(0, 2)}])")
        return lines

    def program(self):
        r = self.r
        out = []
        hot = None
        for f in range(r.randint(1, 4)):
            arity = r.randint(0, 3)
            params = [(f"p{k}", "n") for k in range(arity)]
            name = f"f{f}"
            body = self.block(params, 3, 1, 0, True)
            if hot is None and r.random() < 0.5:
                body += self.osr_nest(params, 1, True)
                hot = (name, arity)
            out.append(f"fn {name}({', '.join(p for p, _ in params)}) {{")
            out += body
            out.append(f"    return {self.expr(params, 3)}")
            out.append("}")
            self.funcs.append((name, arity, False))
        out += self.block([], 3, 0, 0, False)
        if hot:
            out.append(f"print({hot[0]}({', '.join(self.num() for _ in range(hot[1]))}))")
        if r.random() < 0.8:
            out += self.osr_nest([], 0, False)
        return "\n".join(out) + "\n"

if __name__ == "__main__":
    sys.stdout.write(Gen(int(sys.argv[1])).program())
