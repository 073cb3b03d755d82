#!/usr/bin/env python3
"""tensor_report: measures the fused tensor kernels next to hand-written g++
loops, the eager and blocked reference executors and NumPy, and rewrites the
"tensor" section of docs/PERFORMANCE.md.

Kernels (bench/tensor/kernels.tk, f32): copy, triad `a + s*b`,
`relu(alpha*a*b + c)`, `tanh(a)`, `sigmoid(a)*b`, `sum(a*b)`; sizes 1e3, 1e5,
1e7 and 1e8 (when memory allows). Columns, all in one run: Kiln JIT on 1
thread and on all threads, Kiln AOT (`kiln tensor build`, loaded with
dlopen), the hand-written C++ loop (`g++ -O3 -march=native`), a scalar-libm
loop for tanh/sigmoid, the eager and the blocked reference, NumPy.

bench/tensor/tensor_bench runs the in-process columns interleaved (A B C ...
A B C ...) on the same inputs and checks each column's result once against
the eager reference; bench/tensor/numpy_bench.py runs NumPy on the same
inputs (the same counter hash) in its own process, alternating rounds with
tensor_bench, and its result is checked against the eager result's samples.
A STREAM-style copy/triad (g++, 1 thread and all threads) at each size gives
this machine's bandwidth, measured in the same run. GB/s counts the bytes
read plus written per element.
"""
import argparse, json, math, os, statistics, subprocess, sys, time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from core_report import machine_header, sh, write_section  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tensor"))
import matmul_report  # noqa: E402
import axis_report  # noqa: E402
import math_report  # noqa: E402
import mlp_bench  # noqa: E402

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"
GXX = ["g++", "-O3", "-march=native", "-ffp-contract=off"]
KERNELS = [("copy", "`a` (copy)"), ("triad", "`a + s*b`"), ("fma_relu", "`relu(alpha*a*b + c)`"),
           ("tanh_k", "`tanh(a)`"), ("sigmoid_mul", "`sigmoid(a)*b`"), ("dot", "`sum(a*b)`")]
MEMORY_BOUND = ("copy", "triad", "fma_relu")
COLS = ["jit1", "jitN", "aot", "native", "scalar_libm", "eager", "blocked", "numpy"]
LABEL = {"jit1": "JIT 1 thread", "jitN": "JIT all threads", "aot": "AOT", "native": "g++ loop",
         "scalar_libm": "scalar libm", "eager": "eager ref", "blocked": "blocked ref",
         "numpy": "NumPy"}


def med(xs):
    return statistics.median(xs) if xs else None


def run_json(cmd, timeout=3600):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[-500:]}")
    return json.loads(p.stdout)


def check_numpy(np_out, ref):
    """NumPy's samples/result against the eager reference's (tensor_bench)."""
    if ref["kernel"] == "dot":
        tol = 1e-6 * math.sqrt(max(ref["n"], 1)) * ref.get("scale", abs(ref["result"])) + 1e-6
        d = abs(np_out["result"] - ref["result"])
        return "ok" if d <= tol else f"MISMATCH: {np_out['result']} vs eager {ref['result']}"
    for k, (x, w) in enumerate(zip(np_out["sample"], ref["sample"])):
        if not abs(x - w) <= 1e-5 * abs(w) + 1e-6:
            return f"MISMATCH at sample {k}: {x} vs eager {w}"
    return "ok" if len(np_out["sample"]) == len(ref["sample"]) else "MISMATCH: sample count"


def measure(a, w, kernel, n, rounds, reps):
    """Alternating rounds of tensor_bench (all in-process columns) and NumPy."""
    times = {c: [] for c in COLS}
    verify, ref = {}, None
    for rnd in range(rounds):
        out = run_json([f"{a.build}/bin/tensor_bench", "run", "--kernel", kernel, "--n", str(n),
                        "--reps", str(reps), "--tk", f"{a.root}/bench/tensor/kernels.tk",
                        "--native", f"{w}/native.so", "--aot", f"{w}/kernels.so",
                        "--seed", str(rnd * reps)])
        ref = ref or out
        for col, r in out["columns"].items():
            times[col] += r["ms"]
            if not r["verify"].startswith("ok"):
                verify[col] = r["verify"]
            verify.setdefault(col, r["verify"])
        np_out = run_json([PYTHON, f"{a.root}/bench/tensor/numpy_bench.py", kernel, str(n), str(reps)])
        times["numpy"] += np_out["ms"]
        verify.setdefault("numpy", check_numpy(np_out, ref))
    return {"times": times, "verify": verify, "bpe": ref["bytes_per_elem"],
            "threads": ref["threads"]}


def stream(a, w, n, rounds, reps):
    t = {}
    for _ in range(rounds):
        out = run_json([f"{a.build}/bin/tensor_bench", "stream", "--n", str(n), "--reps", str(reps),
                        "--native", f"{w}/native.so"])
        for k, v in out.items():
            if isinstance(v, list):
                t.setdefault(k, []).extend(v)
    bpe = {"copy": 8, "triad": 12}
    return {k: bpe[k.split("_")[0]] * n / (med(v) * 1e-3) / 1e9 for k, v in t.items()
            if k.endswith("_1") or n >= 1_000_000}


def gbs(n, bpe, ms):
    return bpe * n / (ms * 1e-3) / 1e9 if ms else None


def size_text(n):
    return f"1e{int(round(math.log10(n)))}" if n >= 10 else str(n)


def fmt_cell(res, col, n):
    xs = res["times"].get(col)
    if not xs:
        return "—"
    ms = med(xs)
    bad = "" if res["verify"].get(col, "ok").startswith("ok") else " **wrong result**"
    g = gbs(n, res["bpe"], ms)
    return f"{g:.1f} ({ms:.3g} ms){bad}" if g >= 0.1 else f"{g:.2f} ({ms:.3g} ms){bad}"


def ratio(res, a_, b_):
    x, y = med(res["times"].get(a_, [])), med(res["times"].get(b_, []))
    return y / x if x and y else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build"); ap.add_argument("--work")
    ap.add_argument("--out"); ap.add_argument("--root")
    ap.add_argument("--sizes", default="1000,100000,10000000,100000000",
                    help="comma-separated element counts (for trying the script)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating tensor_bench/NumPy rounds")
    ap.add_argument("--reps", type=int, default=3, help="samples per column per round")
    ap.add_argument("--only", help="comma-separated kernel names")
    ap.add_argument("--matmul-only", action="store_true",
                    help="only the matmul section (bench/tensor/matmul_report.py)")
    ap.add_argument("--math-only", action="store_true",
                    help="only the math rows vs NumPy and numba (bench/tensor/math_report.py)")
    ap.add_argument("--axis-only", action="store_true",
                    help="only the axis-reduction rows (bench/tensor/axis_report.py)")
    ap.add_argument("--mlp-only", action="store_true",
                    help="only the MLP training step (bench/tensor/mlp_bench.py)")
    a = ap.parse_args()
    if a.matmul_only:
        return matmul_report.run(a)
    if a.axis_only:
        return print(axis_report.run(a))
    if a.math_only:
        return print(math_report.run(a))
    if a.mlp_only:
        return mlp_bench.run(a)
    w = a.work
    t_start = time.perf_counter()
    load_start = os.getloadavg()[0]
    sh(GXX + ["-shared", "-fPIC", f"{a.root}/bench/tensor/native_kernels.cpp", "-o", f"{w}/native.so"])
    t0 = time.perf_counter()
    p = subprocess.run([f"{a.build}/bin/kiln", "tensor", "build", f"{a.root}/bench/tensor/kernels.tk",
                        "-O3", "-o", f"{w}/kernels.so", "--header", f"{w}/kernels.h"],
                       capture_output=True, text=True)
    aot_build_ms = (time.perf_counter() - t0) * 1e3 if p.returncode == 0 else None
    if p.returncode != 0:  # the AOT column is then missing ("—"), and the section says why
        print(f"kiln tensor build failed: {p.stderr.strip()}", file=sys.stderr)
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES") / 1e9
    sizes, skipped = [], []
    for n in (int(x) for x in a.sizes.split(",")):
        # tensor_bench holds 5 arrays of n floats plus eager temporaries; NumPy runs after it.
        (sizes if n * 4 * 9 / 1e9 < 0.6 * mem_gb else skipped).append(n)
    kernels = [k for k in KERNELS if not a.only or k[0] in a.only.split(",")]
    results, streams, loads = {}, {}, [load_start]
    for n in sizes:
        print(f"n = {n}: STREAM copy/triad...", file=sys.stderr)
        streams[n] = stream(a, w, n, a.rounds, a.reps)
        for k, _ in kernels:
            loads.append(os.getloadavg()[0])
            print(f"n = {n}: {k} (interleaved columns, NumPy in alternating rounds)...", file=sys.stderr)
            results[(k, n)] = measure(a, w, k, n, a.rounds, a.reps)
    print("compile latency...", file=sys.stderr)
    lat = run_json([f"{a.build}/bin/tensor_bench", "compile", "--reps", "15"])
    elapsed = time.perf_counter() - t_start
    loads.append(os.getloadavg()[0])
    section = render(a, kernels, sizes, skipped, results, streams, lat, aot_build_ms, mem_gb,
                     elapsed, loads)
    write_section(a.out, "tensor", section)
    print(section)
    matmul_report.run(a)  # its own section: "Tensor matmul"
    print(axis_report.run(a))  # its own section: "Tensor axis reductions"
    print(math_report.run(a))  # its own section: "Tensor math"
    mlp_bench.run(a)  # its own section: "Tensor graphs: MLP training step"


def verdict(good, text):
    if good is None:
        return f"- **not measured** — {text}"
    return f"- **{'met' if good else 'not met'}** — {text}"


def render(a, kernels, sizes, skipped, results, streams, lat, aot_build_ms, mem_gb, elapsed,
           loads):
    np_version = sh([PYTHON, "-c", "import numpy; print(numpy.__version__)"]).strip()
    threads = next(iter(results.values()))["threads"] if results else os.cpu_count()
    L = ["<!-- bench:tensor:begin (generated by `scripts/bench tensor`; do not edit) -->",
         "## Tensor kernels\n",
         machine_header(a.root) + f" NumPy {np_version} (`{PYTHON}`).\n",
         f"f32 data, kernels in bench/tensor/kernels.tk. Each cell: GB/s (bytes read + written "
         f"per element × n ÷ time) and the median milliseconds per call, over {a.rounds} rounds × "
         f"{a.reps} samples; a sample is ≥ 5 ms of back-to-back calls after one untimed call. The "
         "in-process columns are interleaved within each round, in a new (seeded) order for "
         "every sample (the column right after the eager and blocked references, which "
         "free big temporaries, ran up to 15 % slow at 1e7) (bench/tensor/tensor_bench.cpp); NumPy "
         "(bench/tensor/numpy_bench.py) runs in its own process between rounds. "
         f"\"all threads\" = {threads} threads (the JIT's pool; STREAM with std::thread). "
         f"Hand-written loops and STREAM: bench/tensor/native_kernels.cpp built with "
         f"`{' '.join(GXX)}` (no FMA contraction, as in the kernel language). AOT: "
         "`kiln tensor build -O3`, called through its C entry points. What each column calls "
         "(one `std::function` per column, arguments built once): JIT — "
         "`CompiledKernel::run(const Arg *, count, out, result, threads)`, which checks every "
         "view, then runs the loop; AOT — the kernel's C function (`triad(&a, &b, s, &out)`), "
         "which checks the `kiln_tensor_array` views, then runs the loop; g++ loop — "
         "`native_triad(a, b, s, out, n)`, raw pointers and a count, no checks; eager/blocked "
         "— `evalEager`/`evalBlocked` with the JIT's arguments. The eager reference "
         "allocates its temporaries per call; tensor_bench sets glibc's mmap/trim thresholds so "
         "freed memory is reused between calls (the steady state NumPy's process reaches), and "
         "temporaries of ≥ 4 MB are marked for huge pages as NumPy marks its arrays. The "
         "references are portable C++ (the default x86-64 target, SSE2), the JIT and g++ use "
         "this CPU's vector units. Machine load (1-minute loadavg, 2 cores shared with other "
         f"jobs, sampled before each row): {min(loads):.2f}–{max(loads):.2f}"
         + (" — **noisy**: other jobs competed for the cores, so single cells can be off by "
            "a large factor; the ratios within a round are more reliable than absolute numbers"
            if max(loads) > 1.5 else "") + f". The run took {elapsed / 60:.1f} min.\n"]
    if skipped:
        L.append(f"Not measured (not enough free memory, {mem_gb:.1f} GB available): n = "
                 + ", ".join(size_text(n) for n in skipped) + ".\n")
    L += ["### Memory bandwidth (STREAM-style copy and triad, same run)\n",
          "| n | copy, 1 thread | copy, all threads | triad, 1 thread | triad, all threads |",
          "|---|---|---|---|---|"]
    for n in sizes:
        s = streams[n]
        show = lambda k: f"{s[k]:.1f} GB/s" if k in s else "—"
        L.append(f"| {size_text(n)} | {show('copy_1')} | {show('copy_all')} | "
                 f"{show('triad_1')} | {show('triad_all')} |")
    L.append("\nBelow 1e6 elements the all-threads STREAM loops are not shown: they start "
             "their threads per call, which costs more than the copy itself.\n")
    for n in sizes:
        L += [f"### n = {size_text(n)}: GB/s (ms per call)\n",
              "| kernel | " + " | ".join(LABEL[c] for c in COLS) + " |",
              "|---|" + "---|" * len(COLS)]
        for k, desc in kernels:
            r = results[(k, n)]
            L.append(f"| {desc} | " + " | ".join(fmt_cell(r, c, n) for c in COLS) + " |")
        L.append("")
    L += ratios_table(kernels, sizes, results, streams)
    cold3, cold0, cached = lat["cold_O3"], lat["cold_O0"], lat["cached"]
    L += ["### Compile latency\n",
          "`relu(alpha*a*b + c)`, in process on a live engine with the on-disk cache off; "
          "cold = parse + check + IR + optimise + codegen + JIT link until callable (a new "
          "kernel name each time); cached = compiling the same source again (parse + check + "
          f"the engine's in-memory cache hit). Medians of {len(cold3)} (min–max).\n",
          "| measurement | ms |", "|---|---|",
          f"| cold, O0 | {med(cold0):.2f} ({min(cold0):.2f}–{max(cold0):.2f}) |",
          f"| cold, O3 | {med(cold3):.2f} ({min(cold3):.2f}–{max(cold3):.2f}) |",
          f"| cached | {med(cached):.4f} ({min(cached):.4f}–{max(cached):.4f}) |",
          f"| `kiln tensor build -O3` of all 6 kernels to a .so (whole process, once) | "
          + (f"{aot_build_ms:.0f} |" if aot_build_ms else "**failed**: no AOT column |"), ""]
    L += checks(kernels, sizes, results)
    L += targets(kernels, sizes, results, streams, cold3, cached)
    L.append("<!-- bench:tensor:end -->\n")
    return "\n".join(L)


def ratios_table(kernels, sizes, results, streams):
    big = [n for n in sizes if n >= 10_000_000]
    n = 10_000_000 if 10_000_000 in sizes else (big[0] if big else (sizes[-1] if sizes else None))
    if n is None:
        return []
    L = [f"### Ratios at n = {size_text(n)}\n",
         "Speed-ups are the other column's time ÷ the JIT's time (> 1: the JIT is faster). "
         "\"of STREAM triad\" = the kernel's GB/s ÷ the STREAM triad GB/s at the same size and "
         "thread count.\n",
         "| kernel | JIT 1 thread, of STREAM triad | JIT all threads, of STREAM triad | vs g++ loop "
         "(1 thread) | AOT vs g++ loop | vs eager | vs blocked | vs NumPy | vs scalar libm |",
         "|---|---|---|---|---|---|---|---|---|"]
    s = streams[n]
    for k, desc in kernels:
        r = results[(k, n)]
        g1 = gbs(n, r["bpe"], med(r["times"]["jit1"]))
        gN = gbs(n, r["bpe"], med(r["times"]["jitN"]))
        f = lambda x: f"{x:.2f}×" if x else "—"
        all_ = f"{gN / s['triad_all'] * 100:.0f}%" if "triad_all" in s else "—"
        L.append(f"| {desc} | {g1 / s['triad_1'] * 100:.0f}% | {all_} | "
                 f"{f(ratio(r, 'jit1', 'native'))} | {f(ratio(r, 'aot', 'native'))} | "
                 f"{f(ratio(r, 'jit1', 'eager'))} | {f(ratio(r, 'jit1', 'blocked'))} | "
                 f"{f(ratio(r, 'jit1', 'numpy'))} | {f(ratio(r, 'jit1', 'scalar_libm'))} |")
    L.append("")
    return L


def checks(kernels, sizes, results):
    bad = [f"{k} n={size_text(n)} {LABEL[c]}: {v}" for (k, n), r in results.items()
           for c, v in r["verify"].items() if not v.startswith("ok")]
    L = ["### Result checks\n",
         "Every column's result was checked once per round against the eager reference "
         "(elementwise: |x − eager| ≤ 1e-5·|eager| + 1e-6 for every element; dot: within "
         "1e-6·√n·Σ|a·b|; NumPy: 64 samples, or the dot product, the same way). "
         + ("All checks passed." if not bad else "**Failed checks:** " + "; ".join(bad)), ""]
    return L


def targets(kernels, sizes, results, streams, cold3, cached):
    L = ["### Targets\n"]
    n = 10_000_000
    have = n in sizes
    def r(k):
        return results.get((k, n))
    mb = [(k, gbs(n, r(k)["bpe"], med(r(k)["times"]["jit1"])) / streams[n]["triad_1"],
           gbs(n, r(k)["bpe"], med(r(k)["times"]["jitN"])) / streams[n]["triad_all"])
          for k in MEMORY_BOUND if have and r(k)] if have else []
    L.append(verdict(None if not mb else all(max(x, y) >= 0.9 for _, x, y in mb),
                     "memory-bound kernels ≥ 90% of the measured triad bandwidth at 1e7: " +
                     (", ".join(f"{k} {x * 100:.0f}% (1 thread) / {y * 100:.0f}% (all threads)"
                                for k, x, y in mb) if mb else "1e7 not measured") + "."))
    worst = sorted((ratio(res, "jit1", "native"), k, n_) for (k, n_), res in results.items()
                   if ratio(res, "jit1", "native"))
    L.append(verdict(None if not worst else worst[0][0] >= 0.95,
                     "≥ 0.95× the hand-written loop everywhere (JIT 1 thread vs g++, every kernel "
                     "and size): lowest " + ", ".join(f"{k} {size_text(m)} {v:.2f}×"
                                                      for v, k, m in worst[:3]) + "."))
    fr = r("fma_relu") if have else None
    v = ratio(fr, "jit1", "eager") if fr else None
    L.append(verdict(None if v is None else v >= 3,
                     f"≥ 3× the eager reference on `relu(alpha*a*b + c)` at 1e7: " +
                     (f"{v:.1f}× (JIT 1 thread), {ratio(fr, 'jitN', 'eager'):.1f}× (all threads)."
                      if v else "not measured.")))
    tl = [(k, m, ratio(res, "jit1", "scalar_libm")) for (k, m), res in results.items()
          if k in ("tanh_k", "sigmoid_mul") and ratio(res, "jit1", "scalar_libm")]
    L.append(verdict(None if not tl else all(x >= 4 for _, _, x in tl),
                     "tanh/sigmoid ≥ 4× a scalar-libm loop (JIT 1 thread): " +
                     ", ".join(f"{k} {size_text(m)} {x:.1f}×" for k, m, x in tl) + "."))
    L.append(verdict(med(cold3) <= 10, f"compile latency ≤ 10 ms at O3: {med(cold3):.2f} ms."))
    L.append(verdict(med(cached) <= 0.1, f"a cached kernel ≤ 0.1 ms: {med(cached):.4f} ms."))
    L.append("")
    return L


if __name__ == "__main__":
    main()
