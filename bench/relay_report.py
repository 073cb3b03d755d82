#!/usr/bin/env python3
"""relay_report: runs the Relay programs of bench/relay/ in every Kiln mode
next to hand-written C, CPython and Lua versions of the same computation,
then rewrites the "relay" section of docs/PERFORMANCE.md.

Every number is measured in this one run. Each round runs every variant of a
program once (A B C ... A B C ...), so machine drift hits all of them alike;
medians are reported with min-max. Every process's stdout is compared with
the C program's stdout of the same round, so a fast wrong answer cannot enter
the table: a variant that ever prints something else (or fails) is shown as
failed instead of timed.

Two inputs per program:
  small  every column (interpreter, JIT, auto, AOT, C, CPython, Lua);
  large  the compiled columns only (JIT, auto, AOT, C), long enough that
         start-up and compilation do not dominate the comparison with C.
Sizes are set by rewriting the `NAME = VALUE` assignments on the line marked
`bench:size` in each of NAME.{relay,c,py,lua}.
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, time

sys.dont_write_bytecode = True  # no bench/__pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from core_report import fmt, machine_header, phase_table, sh, write_section  # noqa: E402

# name, what is computed (with {size} placeholders), small input, large input
PROGRAMS = [
    ("fib", "fib({n}), naive double recursion", {"n": 30}, {"n": 37}),
    ("mandelbrot", "{width}×{height} grid, ≤ 100 iterations per cell",
     {"width": 400, "height": 300}, {"width": 3200, "height": 2400}),
    ("nbody", "5 bodies, {steps} steps", {"steps": 50000}, {"steps": 5000000}),
    ("spectral_norm", "n = {n}, 10 power iterations", {"n": 200}, {"n": 3000}),
    ("sieve", "primes below {n}", {"n": 2000000}, {"n": 20000000}),
]
SOURCES = ("relay", "c", "py", "lua")
REPS, WARMUP = 7, 1
TIMEOUT_S = 300
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"
LUA = "lua5.4"
# Kiln phases that make up compilation (`kiln run --time`); "run" is the rest.
COMPILE_PHASES = ("parse", "irgen", "optimize", "codegen", "link")

ROOT = None  # repository root (--root)
SMALL_COLS = ["interp", "jit", "auto", "aot", "c", "cpython", "lua"]
LARGE_COLS = ["jit", "auto", "aot", "c"]
LABEL = {
    "interp": "Kiln `--mode=interp`",
    "jit": "Kiln `--mode=jit -O2` (wall)",
    "auto": "Kiln `--mode=auto -O2` (wall)",
    "aot": "Kiln AOT `kiln build -O2` executable",
    "c": "C, `clang-19 -O2`",
    "cpython": "CPython",
    "lua": "Lua 5.4",
}


def sized(src, dst, sizes):
    """Copies src to dst with the `bench:size` assignments set to sizes."""
    lines = open(src).read().split("\n")
    done = set()
    for k, line in enumerate(lines):
        if "bench:size" not in line:
            continue
        for name, value in sizes.items():
            line, n = re.subn(rf"\b({name}\s*=\s*)\d+", rf"\g<1>{value}", line)
            if n:
                done.add(name)
        lines[k] = line
    if done != set(sizes):
        raise RuntimeError(f"{src}: no `bench:size` line sets {sorted(set(sizes) - done)}")
    with open(dst, "w") as f:
        f.write("\n".join(lines))


def timed(cmd, env):
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return (time.perf_counter() - t0) * 1e3, None
    return (time.perf_counter() - t0) * 1e3, p


class Cell:
    """Timings of one variant of one program at one size."""

    def __init__(self):
        self.wall, self.compile, self.run, self.build = [], [], [], []
        self.failure = None  # first problem seen; the cell is then not timed

    def fail(self, why):
        self.failure = self.failure or why


def check(cell, p, expected, what):
    """True when process p exited 0 and printed exactly `expected`."""
    if p is None:
        cell.fail(f"{what}: no result within {TIMEOUT_S} s")
        return False
    if p.returncode != 0:
        cell.fail(f"{what}: exit status {p.returncode}: {p.stderr.strip()[-300:]!r}")
        return False
    if p.stdout != expected:
        cell.fail(f"{what}: printed {p.stdout.strip()[:200]!r}, C printed {expected.strip()[:200]!r}")
        return False
    return True


def measure_tier(name, sizes, cols, kiln, w, env, tag):
    """Interleaved rounds of every column of one program at one size."""
    base = f"{w}/{name}_{tag}"
    for ext in SOURCES:
        sized(f"{ROOT}/bench/relay/{name}.{ext}", f"{base}.{ext}", sizes)
    cells = {c: Cell() for c in cols}
    runs = {
        "interp": [kiln, "run", "--mode=interp", "--time", f"{base}.relay"],
        "jit": [kiln, "run", "--mode=jit", "-O2", "--no-cache", "--time", f"{base}.relay"],
        "auto": [kiln, "run", "--mode=auto", "-O2", "--no-cache", f"{base}.relay"],
        "aot": [f"{base}-aot"],
        "c": [f"{base}-c"],
        "cpython": [PYTHON, f"{base}.py"],
        "lua": [LUA, f"{base}.lua"],
    }
    expected = None
    for i in range(WARMUP + REPS):
        keep = i >= WARMUP
        # Builds (timed separately from runs).
        ms, p = timed(["clang-19", "-O2", f"{base}.c", "-o", f"{base}-c", "-lm"], env)
        if p is None or p.returncode != 0:
            raise RuntimeError(f"clang-19 failed on {base}.c: {p and p.stderr}")
        if keep:
            cells["c"].build.append(ms)
        if "aot" in cells:
            if os.path.exists(f"{base}-aot"):
                os.remove(f"{base}-aot")
            ms, p = timed([kiln, "build", f"{base}.relay", "-O2", "-o", f"{base}-aot"], env)
            if p is None or p.returncode != 0:
                cells["aot"].fail(f"`kiln build -O2` failed: {p and p.stderr.strip()[-300:]!r}")
            elif keep:
                cells["aot"].build.append(ms)
        # The reference first, then every other column, one run each.
        ms, p = timed(runs["c"], env)
        if p is None or p.returncode != 0:
            raise RuntimeError(f"C reference {base}-c failed: {p and p.stderr}")
        if expected is None:
            expected = p.stdout
        if p.stdout != expected:
            raise RuntimeError(f"C reference {base}-c is not deterministic: {p.stdout!r} vs {expected!r}")
        if keep:
            cells["c"].wall.append(ms)
        for col in cols:
            if col == "c" or cells[col].failure:
                continue
            ms, p = timed(runs[col], env)
            if not check(cells[col], p, expected, " ".join(os.path.basename(a) for a in runs[col])):
                continue
            if "--time" in runs[col]:
                ph = phase_table(p.stderr)
                if "run" not in ph:
                    cells[col].fail(f"no `run` row in the --time table: {p.stderr!r}")
                    continue
                if keep:
                    cells[col].run.append(ph["run"])
                    cells[col].compile.append(sum(ph.get(k, 0.0) for k in COMPILE_PHASES))
            if keep:
                cells[col].wall.append(ms)
    for col, cell in cells.items():
        if cell.failure:
            print(f"  {name} {tag} {col}: FAILED: {cell.failure}", file=sys.stderr)
    return cells, expected


def med(xs):
    return statistics.median(xs) if xs else None


def ratio(a, b, digits=2):
    if a is None or b is None:
        return "—"
    return f"{a / b:.{digits}f}×"


def cell_text(cell, attr="wall"):
    if cell is None:
        return "—"
    if cell.failure:
        return "**failed** (see notes)"
    xs = getattr(cell, attr)
    return fmt(xs, 1 if statistics.median(xs) >= 10 else 2) if xs else "—"


def shown(output):
    """A program's output for the prose: one code span per line."""
    return " / ".join(f"`{line}`" for line in output.strip().split("\n"))


def describe(desc, sizes):
    return desc.format(**{k: f"{v:,}".replace(",", " ") if v >= 10000 else v
                          for k, v in sizes.items()})


def compile_latency(build):
    """Median ms per Relay function from typed AST to callable (router unit)."""
    out = sh([f"{build}/bin/relay_compile_bench", "--benchmark_repetitions=7",
              "--benchmark_format=json", "--benchmark_min_time=0.2"])
    runs, phases = {}, {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") == "iteration":
            name = b["run_name"].split("/", 1)[1]
            runs.setdefault(name, []).append(b["real_time"])
            for phase in ("optimize", "codegen"):
                if f"{phase}_ms" in b:
                    phases.setdefault((name, phase), []).append(b[f"{phase}_ms"])
    return runs, phases


NUMBA_FIB = """import sys, time
import numba

@numba.njit
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

fib(2.0)  # compile before timing
t0 = time.perf_counter()
r = fib(float(sys.argv[1]))
ms = (time.perf_counter() - t0) * 1e3
print("%d" % r)
print(f"run {ms:.3f}", file=sys.stderr)
"""


def guard_cost(kilns, work, rounds=REPS):
    """JIT `run` phase (ms) of every program at its large size with and without
    the guards, for each kiln in `kilns` ({label: path}), and fib's C process
    and numba run, all interleaved. Returns {(label, program, guarded): [ms]},
    {"c": [ms], "numba": [ms] (empty without numba)}, fib's n. Every run of a
    program must print what the first printed (C's output for fib)."""
    paths = {}
    for name, _, _, large in PROGRAMS:
        paths[name] = f"{work}/guards_{name}.relay"
        sized(f"{ROOT}/bench/relay/{name}.relay", paths[name], large)
    n = dict((p[0], p[3]) for p in PROGRAMS)["fib"]["n"]
    sized(f"{ROOT}/bench/relay/fib.c", f"{work}/guards_fib.c", {"n": n})
    shutil.copy(f"{ROOT}/bench/relay/relay_print.h", f"{work}/relay_print.h")
    sh(["clang-19", "-O2", f"{work}/guards_fib.c", "-o", f"{work}/guards_fib-c", "-lm"])
    with open(f"{work}/guards_fib_numba.py", "w") as f:
        f.write(NUMBA_FIB)
    has_numba = subprocess.run([PYTHON, "-c", "import numba"], capture_output=True).returncode == 0
    res = {(k, p, g): [] for k in kilns for p in paths for g in (True, False)}
    refs = {"c": [], "numba": []}
    expected = {}

    def run(cmd, what):
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
        if p.returncode != 0 or expected.setdefault(what, p.stdout) != p.stdout:
            raise RuntimeError(f"{' '.join(cmd)}: status {p.returncode}, printed {p.stdout[:200]!r}, "
                               f"expected {expected.get(what, '')[:200]!r}: {p.stderr[-300:]!r}")
        return p

    for _ in range(rounds):
        t0 = time.perf_counter()
        run([f"{work}/guards_fib-c"], "fib")
        refs["c"].append((time.perf_counter() - t0) * 1e3)
        if has_numba:
            p = run([PYTHON, f"{work}/guards_fib_numba.py", str(n)], "fib")
            refs["numba"].append(phase_table(p.stderr)["run"])
        for prog, path in paths.items():
            for label, kiln in kilns.items():
                for g in (True, False):
                    cmd = [kiln, "run", "--mode=jit", "-O2", "--no-cache", "--time", path]
                    p = run(cmd + ([] if g else ["--no-guards"]), prog)
                    res[(label, prog, g)].append(phase_table(p.stderr)["run"])
    return res, refs, n


def guard_lines(res, refs, n, label=""):
    """The "What the guards cost" table and fib's comparison, as Markdown lines."""
    lines = ["| program (large input) | guarded | `--no-guards` | guarded ÷ unguarded |",
             "|---|---|---|---|"]
    progs = [p for (k, p, g) in res if k == label and g]
    for prog in progs:
        on, off = res[(label, prog, True)], res[(label, prog, False)]
        lines.append(f"| {prog} | {fmt(on)} | {fmt(off)} | "
                     f"{statistics.median(on) / statistics.median(off):.2f} |")
    fib = statistics.median(res[(label, "fib", True)])
    lines += ["", f"fib({n}), guarded JIT `run` phase against C and numba:", "",
              "| | ms | Kiln JIT ÷ this |", "|---|---|---|",
              f"| Kiln `--mode=jit -O2`, `run` phase | {fmt(res[(label, 'fib', True)])} | 1.00 |",
              f"| C, `clang-19 -O2`, whole process | {fmt(refs['c'])} | "
              f"{fib / statistics.median(refs['c']):.2f} |"]
    if refs["numba"]:
        lines.append(f"| numba `@njit` (`{PYTHON}`), run only | {fmt(refs['numba'])} | "
                     f"{fib / statistics.median(refs['numba']):.2f} |")
    else:
        lines.append("| numba `@njit` | not installed | — |")
    return lines


# The hot loop moved to the top level (bench/relay/NAME_toplevel.relay), the
# shape on-stack replacement serves; sizes as the program's own.
OSR_VARIANTS = {"fib": ("fib_toplevel", {"reps": 120}, {"reps": 3600})}
TINY = 15  # fib(TINY) and examples/relay/*: auto must stay within 2 ms of interp


def osr_programs():
    """(label, source, large sizes) for every program and its top-level variant."""
    out = []
    for name, _, small, large in PROGRAMS:
        out.append((name, name, large))
        var, _, vlarge = OSR_VARIANTS.get(name, (f"{name}_toplevel", small, large))
        out.append((var, var, vlarge))
    return out


def osr_cost(kiln, work, rounds=REPS):
    """Wall ms of `--mode=jit` and `--mode=auto` (both -O2 --no-cache) on
    every program and top-level variant at its large size, and of
    `--mode=interp` and `--mode=auto` on the tiny programs, all interleaved.
    Every run must print what the first run of its program printed.
    Returns ({(label, mode): [ms]}, [labels], {(tiny, mode): [ms]}, [tiny])."""
    big = []
    for label, src, sizes in osr_programs():
        path = f"{work}/osr_{label}.relay"
        sized(f"{ROOT}/bench/relay/{src}.relay", path, sizes)
        big.append((label, path))
    tiny = [(f"fib({TINY})", f"{work}/osr_tiny_fib.relay")]
    sized(f"{ROOT}/bench/relay/fib.relay", tiny[0][1], {"n": TINY})
    ex = f"{ROOT}/examples/relay"
    tiny += [(f"examples/relay/{f}", f"{ex}/{f}") for f in sorted(os.listdir(ex)) if f.endswith(".relay")]
    res, expected = {}, {}

    def run(label, path, mode):
        cmd = [kiln, "run", f"--mode={mode}", "-O2", "--no-cache", path]
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
        ms = (time.perf_counter() - t0) * 1e3
        if p.returncode != 0 or expected.setdefault(label, p.stdout) != p.stdout:
            raise RuntimeError(f"{' '.join(cmd)}: status {p.returncode}, printed {p.stdout[:200]!r}, "
                               f"expected {expected.get(label, '')[:200]!r}: {p.stderr[-300:]!r}")
        res.setdefault((label, mode), []).append(ms)

    for _ in range(rounds):
        for label, path in big:
            for mode in ("jit", "auto"):
                run(label, path, mode)
        for label, path in tiny:
            for mode in ("interp", "auto"):
                run(label, path, mode)
    return res, [b[0] for b in big], [t[0] for t in tiny]


def osr_lines(res, big, tiny):
    """The "On-stack replacement" tables, as Markdown lines."""
    lines = ["| program (large input) | `--mode=jit` | `--mode=auto` | auto ÷ jit |",
             "|---|---|---|---|"]
    for label in big:
        j, a = res[(label, "jit")], res[(label, "auto")]
        lines.append(f"| {label} | {fmt(j)} | {fmt(a)} | "
                     f"{statistics.median(a) / statistics.median(j):.2f} |")
    lines += ["", "| tiny program | `--mode=interp` | `--mode=auto` | auto − interp, ms |",
              "|---|---|---|---|"]
    for label in tiny:
        i, a = res[(label, "interp")], res[(label, "auto")]
        lines.append(f"| {label} | {fmt(i, 2)} | {fmt(a, 2)} | "
                     f"{statistics.median(a) - statistics.median(i):+.2f} |")
    return lines


def osr_verdicts(res, big, tiny):
    q = {l: statistics.median(res[(l, "auto")]) / statistics.median(res[(l, "jit")]) for l in big}
    d = {l: statistics.median(res[(l, "auto")]) - statistics.median(res[(l, "interp")]) for l in tiny}
    return [
        (all(v <= 1.25 for v in q.values()),
         "auto within 1.25× of the JIT (wall, large input, programs and top-level variants): " +
         ", ".join(f"{l} {v:.2f}×" for l, v in q.items()) + "."),
        (all(v <= 2.0 for v in d.values()),
         "auto at most 2 ms slower than the interpreter on tiny programs (wall): worst " +
         max(d, key=d.get) + f" {max(d.values()):+.2f} ms."),
    ]


def osr_section(ores, obig, otiny, host_cpu):
    """The "On-stack replacement" subsection (heading, what was run, tables)."""
    lines = ["### On-stack replacement\n",
             f"Auto mode (the default) against the whole-program JIT on every program and on "
             f"a variant with its hot loop at the top level (bench/relay/NAME_toplevel.relay), "
             f"large input, and against the interpreter on tiny programs; whole-process wall "
             f"ms, {REPS} interleaved rounds, `-O2 --no-cache`; LLVM {host_cpu}. Auto mode "
             "interprets until code is hot, then compiles in the background and switches "
             "running loops to it (docs/relay.md, \"On-stack replacement\").\n"]
    return lines + osr_lines(ores, obig, otiny)


def write_osr_section(path, lines):
    """Puts the OSR subsection into the relay section of `path` in place of
    the one there, else before its "### Targets"."""
    text = open(path).read()
    section = "\n".join(lines) + "\n\n"
    old = re.search(r"### On-stack replacement\n.*?(?=\n### |\n<!-- bench:relay:end)", text, flags=re.S)
    if old:
        text = text[:old.start()] + section.rstrip("\n") + "\n" + text[old.end():]
    else:
        begin = text.index("<!-- bench:relay:begin")
        at = text.index("### Targets", begin)
        text = text[:at] + section + text[at:]
    with open(path, "w") as f:
        f.write(text)


def main():
    global ROOT
    ap = argparse.ArgumentParser()
    ap.add_argument("--build"); ap.add_argument("--work")
    ap.add_argument("--out"); ap.add_argument("--root")
    ap.add_argument("--only", help="comma-separated program names (for trying the script; "
                                   "the generated section then covers only those)")
    ap.add_argument("--osr-only", action="store_true",
                    help="measure only the on-stack replacement tables and print them "
                         "(docs/PERFORMANCE.md is left alone)")
    ap.add_argument("--osr-section", action="store_true",
                    help="as --osr-only, and write the tables, with their verdicts, into the "
                         "relay section of docs/PERFORMANCE.md (its \"On-stack replacement\" "
                         "subsection; the rest of the section is left as generated)")
    a = ap.parse_args()
    ROOT = a.root
    kiln = f"{a.build}/bin/kiln"
    w = a.work
    if a.osr_only or a.osr_section:
        host_cpu = sh([kiln, "targets"]).splitlines()[0]
        load = os.getloadavg()[0]
        ores, obig, otiny = osr_cost(kiln, w)
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        lines = osr_section(ores, obig, otiny, host_cpu) + [
            "", f"Measured {when}; loadavg {load:.2f} before, {os.getloadavg()[0]:.2f} after "
            f"({os.cpu_count()} cores, shared). Targets:", ""]
        lines += [f"- **{'met' if good else 'not met'}** — {text}"
                  for good, text in osr_verdicts(ores, obig, otiny)]
        print("\n".join(lines))
        if a.osr_section:
            write_osr_section(a.out, lines)
        return
    env = dict(os.environ, KILN_CACHE_DIR=f"{w}/cache")
    # The sized copies of the programs live in the work folder, beside
    # their shared number-printing helpers.
    shutil.copy(f"{ROOT}/bench/relay/relay_print.h", f"{w}/relay_print.h")
    shutil.copy(f"{ROOT}/bench/relay/relay_print.lua", f"{w}/relay_print.lua")
    programs = [p for p in PROGRAMS if not a.only or p[0] in a.only.split(",")]
    t_start = time.perf_counter()

    results = {}
    for name, desc, small, large in programs:
        print(f"{name}: {describe(desc, small)}, all columns (interleaved)...", file=sys.stderr)
        s = measure_tier(name, small, SMALL_COLS, kiln, w, env, "small")
        print(f"{name}: {describe(desc, large)}, compiled columns (interleaved)...", file=sys.stderr)
        l = measure_tier(name, large, LARGE_COLS, kiln, w, env, "large")
        results[name] = (s, l)
    elapsed = time.perf_counter() - t_start

    py_version = sh([PYTHON, "--version"]).strip()
    lua_version = " ".join(sh([LUA, "-v"]).split()[:2])
    LABEL["cpython"] = f"{py_version} (`{PYTHON}`)"
    LABEL["lua"] = f"{lua_version} (`{LUA}`)"

    def ok(cell):
        return cell is not None and not cell.failure

    def m(cell, attr="wall"):
        return med(getattr(cell, attr)) if ok(cell) else None

    lines = []
    notes = []
    lines.append("<!-- bench:relay:begin (generated by `scripts/bench relay`; do not edit) -->")
    lines.append("## Relay programs\n")
    lines.append(machine_header(ROOT) + f" References: {py_version} (`{PYTHON}`), {lua_version}.\n")
    lines.append(f"Medians of {REPS} interleaved rounds after {WARMUP} warm-up round, with min–max "
                 "in parentheses; wall-clock milliseconds of the whole process unless a row says "
                 f"otherwise. Machine load: loadavg {os.getloadavg()[0]:.2f} at the end of the run "
                 f"(2 cores, shared); the whole run took {elapsed / 60:.1f} min.\n")
    lines.append(
        "Programs: bench/relay/NAME.relay, with NAME.c (hand-written C in doubles, the same "
        "operations in the same order), NAME.py and NAME.lua (the same loops; Python and Lua "
        "keep integral values such as counters and indices in their native integers, every "
        "floating-point operation is the same double operation in the same order). Each is "
        "run at two sizes: **small**, where every column runs, and **large** (compiled columns "
        "only), long enough that start-up and compilation do not dominate; every compared "
        "column is always on the same input. Every process's output was compared with the "
        "C program's output in the same round (byte-identical, including the shortest "
        "round-trip printing of doubles); a variant that ever differs or fails is shown as "
        "failed, never timed.\n")
    lines.append(
        "Kiln JIT and auto run with `--no-cache` (a cold compile every run). *JIT compile* = "
        "the parse + irgen + optimise + codegen + link rows of `kiln run --time`; *JIT run* "
        "= its `run` row (native code only; likewise *interp run*, which excludes parsing). "
        "Auto mode compiles hot functions on a background thread while the interpreter "
        "runs, so only its wall time is meaningful. AOT and C executables are built once "
        "per round; their build time is its own row, never part of the run. "
        f"Interpreter columns stay well under 10 s per run, so every column has {REPS} runs.\n")

    for name, desc, small, large in programs:
        (sc, sexp), (lc, lexp) = results[name]
        lines.append(f"### {name}\n")
        lines.append(f"Small: {describe(desc, small)} — prints {shown(sexp)}. "
                     f"Large: {describe(desc, large)} — prints {shown(lexp)}.\n")
        lines.append("| variant | small: ms | small: ÷ C | large: ms | large: ÷ C |")
        lines.append("|---|---|---|---|---|")
        sC, lC = m(sc["c"]), m(lc["c"])

        def row(label, s_cell, l_cell, attr="wall", vs_c=True):
            sr = ratio(m(s_cell, attr), sC) if vs_c and ok(s_cell) else "—"
            lr = ratio(m(l_cell, attr), lC) if vs_c and ok(l_cell) else "—"
            lines.append(f"| {label} | {cell_text(s_cell, attr)} | {sr} | "
                         f"{cell_text(l_cell, attr)} | {lr} |")

        row(LABEL["interp"], sc["interp"], None)
        row("↳ interp `run` phase", sc["interp"], None, "run", vs_c=False)
        row(LABEL["jit"], sc["jit"], lc["jit"])
        row("↳ JIT compile (parse … link)", sc["jit"], lc["jit"], "compile", vs_c=False)
        row("↳ JIT `run` phase", sc["jit"], lc["jit"], "run")
        row(LABEL["auto"], sc["auto"], lc["auto"])
        row(LABEL["aot"], sc["aot"], lc["aot"])
        row("↳ AOT build (`kiln build -O2`, not in the run)", sc["aot"], lc["aot"], "build", vs_c=False)
        row(LABEL["c"], sc["c"], lc["c"])
        row("↳ C build (`clang-19 -O2`, not in the run)", sc["c"], lc["c"], "build", vs_c=False)
        row(LABEL["cpython"], sc["cpython"], None)
        row(LABEL["lua"], sc["lua"], None)
        lines.append("")
        for tag, cells in (("small", sc), ("large", lc)):
            for col, cell in cells.items():
                if cell.failure:
                    notes.append(f"{name} ({tag}), {LABEL[col]}: {cell.failure}")

    # Summary ratios and targets.
    lines.append("### Summary\n")
    lines.append("Ratios of medians. *JIT ÷ C* uses the JIT's `run` phase (compilation is its "
                 "own column) against the C executable's wall time, on the large input; "
                 "*AOT ÷ C* is executable against executable, large input; *auto ÷ JIT* is "
                 "whole-process wall against wall, large input. *interp ÷ CPython* "
                 "and *interp ÷ Lua* compare whole-process wall times on the small input. "
                 "*JIT speed-up* is interp `run` ÷ JIT `run` on the small input (in parentheses: "
                 "whole-process wall ÷ wall, compile included).\n")
    lines.append("| program | JIT ÷ C | AOT ÷ C | auto ÷ JIT | interp ÷ CPython | interp ÷ Lua | "
                 "JIT speed-up over interp | JIT compile ms (small) |")
    lines.append("|---|---|---|---|---|---|---|---|")
    summary = {}
    for name, desc, small, large in programs:
        (sc, _), (lc, _) = results[name]
        r = {
            "jit_c": (m(lc["jit"], "run"), m(lc["c"])),
            "aot_c": (m(lc["aot"]), m(lc["c"])),
            "auto_jit": (m(lc["auto"]), m(lc["jit"])),
            "interp_py": (m(sc["interp"]), m(sc["cpython"])),
            "interp_lua": (m(sc["interp"]), m(sc["lua"])),
            "speedup": (m(sc["interp"], "run"), m(sc["jit"], "run")),
            "speedup_wall": (m(sc["interp"]), m(sc["jit"])),
            "compile": m(sc["jit"], "compile"),
        }
        summary[name] = r
        sp = ratio(*r["speedup"], digits=1)
        if sp != "—":
            sp += f" ({ratio(*r['speedup_wall'], digits=1)})"
        comp = f"{r['compile']:.1f}" if r["compile"] is not None else "—"
        lines.append(f"| {name} | {ratio(*r['jit_c'])} | {ratio(*r['aot_c'])} | "
                     f"{ratio(*r['auto_jit'])} | {ratio(*r['interp_py'])} | {ratio(*r['interp_lua'])} | {sp} | {comp} |")
    lines.append("")

    def q(pair):
        a_, b_ = pair
        return None if a_ is None or b_ is None else a_ / b_

    def verdict(good, text):
        if good is None:
            return f"- **not measured** — {text}"
        return f"- **{'met' if good else 'not met'}** — {text}"

    lat, lat_phases = compile_latency(a.build)
    lines.append("### One function to native code\n")
    lines.append("What the router pays to move one function to native code: irgen of that "
                 "function alone + optimise + codegen + JIT link until callable "
                 "(bench/relay_compile_bench.cpp, Google Benchmark, 7 repetitions, no cache).\n")
    lines.append("| function | ms | of which optimise | of which codegen |")
    lines.append("|---|---|---|---|")
    for name, xs in lat.items():
        split = [statistics.median(lat_phases[(name, p)]) if lat_phases.get((name, p)) else None
                 for p in ("optimize", "codegen")]
        lines.append(f"| `{name}` | {fmt(xs)} | " +
                     " | ".join("—" if v is None else f"{v:.2f}" for v in split) + " |")
    lines.append("")
    gres, grefs, gn = guard_cost({"": kiln}, a.work)
    lines.append("### What the guards cost\n")
    host_cpu = sh([kiln, "targets"]).splitlines()[0]
    lines.append(f"JIT `run` phase (ms) with the depth and timeout checks and without them "
                 f"(`--no-guards`, for measurement only), {REPS} interleaved rounds, "
                 f"`--no-cache`; LLVM {host_cpu}. The depth travels as a hidden argument "
                 "(docs/relay.md, \"Guards\").\n")
    lines += guard_lines(gres, grefs, gn)
    lines.append("")

    ores, obig, otiny = osr_cost(kiln, a.work)
    lines += osr_section(ores, obig, otiny, host_cpu)
    lines.append("")
    lines.append("### Targets\n")
    for key, what in (("jit_c", "JIT"), ("aot_c", "AOT")):
        vals = {n: q(r[key]) for n, r in summary.items()}
        missing = [n for n, v in vals.items() if v is None]
        worst = [f"{n} {v:.2f}×" for n, v in vals.items() if v is not None]
        good = None if missing else all(v <= 1.25 for v in vals.values())
        extra = f"; not measured: {', '.join(missing)}" if missing else ""
        lines.append(verdict(good, f"{what} within 1.25× of C on every program (large input): "
                                   f"{', '.join(worst)}{extra}."))
    vals = {n: q(summary[n]["interp_py"]) for n in ("fib", "mandelbrot") if n in summary}
    if vals:
        good = None if None in vals.values() else all(v <= 0.7 for v in vals.values())
        lines.append(verdict(good, "interpreter ≤ 0.7× CPython on fib and mandelbrot: " +
                             ", ".join(f"{n} {v:.2f}×" if v is not None else f"{n} —"
                                       for n, v in vals.items()) + " (interp ÷ CPython wall)."))
    gq = {p: statistics.median(gres[("", p, True)]) / statistics.median(gres[("", p, False)])
          for (k, p, g) in gres if g}
    for good, text in osr_verdicts(ores, obig, otiny):
        lines.append(verdict(good, text))
    lines.append(verdict(all(v <= 1.10 for v in gq.values()),
                         "guards cost ≤ 10 % (guarded ÷ `--no-guards` ≤ 1.10, JIT run, large input): " +
                         ", ".join(f"{p} {v:.2f}" for p, v in gq.items()) + "."))
    fib_on = statistics.median(gres[("", "fib", True)])
    vs_c = fib_on / statistics.median(grefs["c"])
    vs_numba = fib_on / statistics.median(grefs["numba"]) if grefs["numba"] else None
    lines.append(verdict(None if vs_numba is None else vs_c <= 1.10 and vs_numba < 1.0,
                         f"fib({gn}) guarded JIT run ≤ 1.10× C and faster than numba's run: "
                         f"{vs_c:.2f}× C" + (f", {vs_numba:.2f}× numba." if vs_numba else
                                             "; numba not installed.")))
    if "fib" in summary:
        c = summary["fib"]["compile"]
        o2 = {k.split("/")[0]: statistics.median(v) for k, v in lat.items()
              if k.endswith("/O2") and v}
        lines.append(verdict(None if not o2 else max(o2.values()) <= 5.0,
                             "compile latency of one function at O2 ≤ 5 ms: " +
                             (", ".join(f"`{n}` {ms:.2f} ms" for n, ms in o2.items())
                              if o2 else "—") +
                             " to callable (most of it LLVM's O2 pipeline and instruction "
                             "selection, see the table above)" +
                             (f"; the whole fib program (`fib`, top-level code, entry wrappers) "
                              f"takes {c:.1f} ms in `kiln run --mode=jit -O2 --time`."
                              if c is not None else ".")))
    lines.append("")
    if notes:
        lines.append("### Failures\n")
        for n_ in notes:
            lines.append(f"- {n_}")
        lines.append("")
    while not lines[-1]:
        lines.pop()
    lines.append("<!-- bench:relay:end -->")
    section = "\n".join(lines) + "\n"

    write_section(a.out, "relay", section)
    print(section)
    if notes:
        print(f"relay_report: {len(notes)} variant(s) failed; see the Failures list", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
