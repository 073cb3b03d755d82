"""matmul_report: the "Tensor matmul" section of docs/PERFORMANCE.md.

Kiln's JIT GEMM (bench/tensor/matmul_bench), and the same product in a
`kiln tensor build` library (bench/tensor/aot_matmul_bench, KILN_THREADS
threads), against NumPy with its BLAS
(OpenBLAS, as the NumPy process's own /proc/self/maps shows) and numba
(bench/tensor/matmul_peers.py), on 1 thread and on all threads, in
alternating rounds: each round runs matmul_bench and the peers once per
thread count, in an order that flips every round, so a load change on this
shared machine hits every column alike. Called by bench/tensor_report.py
(`scripts/bench tensor`, or alone with `--matmul-only`).
"""
import json, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from core_report import machine_header, write_section  # noqa: E402

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"
CASES = [("sq256", "f32", 256, 256, 256, False), ("sq512", "f32", 512, 512, 512, False),
         ("sq1024", "f32", 1024, 1024, 1024, False), ("sq2048", "f32", 2048, 2048, 2048, False),
         ("sq1024d", "f64", 1024, 1024, 1024, False), ("skinny", "f32", 32, 4096, 1024, False),
         ("relu1024", "f32", 1024, 1024, 1024, True), ("relu_skinny", "f32", 32, 4096, 1024, True)]
COLS = ["kiln", "aot", "numpy", "numba_dot", "numba_loop"]
LABEL = {"kiln": "Kiln JIT", "aot": "Kiln AOT", "numpy": "NumPy (OpenBLAS)",
         "numba_dot": "numba np.dot",
         "numba_loop": "numba loop"}


def case_arg(c):
    name, dt, m, k, n, relu = c
    return f"{name}:{dt}:{m}x{k}x{n}" + (":relu" if relu else "")


def run_json(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=1800,
                       env={**os.environ, **(env or {})})
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[-400:]}")
    return json.loads(p.stdout)


AOT_SOURCE = ("kernel mm(a: f32[], b: f32[]) -> f32[] = a @ b\n"
              "kernel mm64(a: f64[], b: f64[]) -> f64[] = a @ b\n")


def aot_library(a, tmp):
    """The plain products built by `kiln tensor build`, or None when the
    AOT driver (a test target) was not built."""
    if not os.path.exists(f"{a.build}/bin/aot_matmul_bench"):
        return None
    src, lib = os.path.join(tmp, "mm.tk"), os.path.join(tmp, "mm.so")
    with open(src, "w") as f:
        f.write(AOT_SOURCE)
    subprocess.run([f"{a.build}/bin/kiln", "tensor", "build", src, "-o", lib], check=True)
    return lib


def aot_round(a, lib, threads, times):
    """The plain cases through the library on KILN_THREADS=`threads`."""
    for c in CASES:
        if c[5] or not lib:
            continue
        p = subprocess.run([f"{a.build}/bin/aot_matmul_bench", lib,
                            "mm" if c[1] == "f32" else "mm64", c[1], f"{c[2]}x{c[3]}x{c[4]}",
                            "--reps", "3", "--min-ms", "30"], capture_output=True, text=True,
                           timeout=600, env={**os.environ, "KILN_THREADS": str(threads)})
        if p.returncode != 0:
            raise RuntimeError(f"aot_matmul_bench failed: {p.stderr.strip()[-400:]}")
        ms = p.stdout.split(" ms ")[1].split()[0]
        times.setdefault((c[0], threads, "aot"), []).extend(float(x) for x in ms.split(","))


def one_round(a, threads, flip, times, checks, info, lib=None):
    """Kiln (JIT, AOT) and the peers once at `threads`, in flipped order
    every round."""
    cases = [case_arg(c) for c in CASES]
    kiln = lambda: run_json([f"{a.build}/bin/matmul_bench", *cases, "--threads", str(threads),
                             "--reps", "3"])
    loop_max = str(512 ** 3 if threads == 1 else 0)  # the loop runs on one thread
    peers = lambda: run_json([PYTHON, f"{a.root}/bench/tensor/matmul_peers.py", *cases,
                              "--numba-loop-max", loop_max],
                             env={"OPENBLAS_NUM_THREADS": str(threads)})
    if flip:
        aot_round(a, lib, threads, times)
    for which in ((kiln, peers) if not flip else (peers, kiln)):
        out = which()
        for r in out["results"]:
            if "threads" in r:  # matmul_bench
                times.setdefault((r["case"], threads, "kiln"), []).extend(r["ms"])
                checks[(r["case"], "kiln")] = r["check"]
                continue
            for col, ms in r["ms"].items():
                times.setdefault((r["case"], threads, col), []).extend(ms)
                checks[(r["case"], col)] = r["check"][col]
        if "blas" in out:
            info["blas"] = [l for l in out["blas"] if "openblas" in l] or out["blas"]
            info["core"] = out.get("blas_core", "")
            info["numpy"] = out["numpy"]
        else:
            info["threads"] = out["threads"]
    if not flip:
        aot_round(a, lib, threads, times)


def gflops(c, ms):
    _, _, m, k, n, _ = c
    return 2.0 * m * k * n / (ms * 1e6) if ms else None


def cell(c, xs):
    if not xs:
        return "—"
    g = [gflops(c, x) for x in xs]
    return f"{gflops(c, statistics.median(xs)):.0f} ({min(g):.0f}–{max(g):.0f})"


def render(a, times, checks, info, ghz, loads, elapsed):
    nt = info.get("threads", os.cpu_count())
    peak32, peak64 = ghz * 64, ghz * 32
    L = ["<!-- bench:tensor-matmul:begin (generated by `scripts/bench tensor`; do not edit) -->",
         "## Tensor matmul\n",
         machine_header(a.root) + f" NumPy {info.get('numpy', '?')} with "
         f"`{' '.join(os.path.basename(b) for b in info.get('blas', ['?']))}` "
         "(read from the NumPy process's /proc/self/maps)"
         + (f", whose kernels for this CPU are its `{info['core']}` ones "
            "(`openblas_get_corename`)" if info.get("core") else "") + ".\n",
         "GFLOP/s (2·M·K·N ÷ time): median of 5 rounds × 3 samples (min–max in parentheses); "
         "a sample is ≥ 30 ms of back-to-back calls into a preallocated output after one untimed "
         "call. Rounds alternate bench/tensor/matmul_bench (Kiln: `CompiledKernel::run` of "
         "`a @ b` or `relu(a @ b + c)`; Kiln AOT: the plain products in a `kiln tensor build` "
         "library, bench/tensor/aot_matmul_bench with `KILN_THREADS`) and "
         "bench/tensor/matmul_peers.py (NumPy: `np.matmul(a, b, "
         "out=o)` or `np.maximum(a @ b + c, 0, out=o)`; numba: `np.dot` in an `@njit` function "
         "(BLAS through SciPy) and an `@njit(fastmath=True)` i-k-j loop, the loop on one thread "
         f"and only up to 512³), flipping their order every round. All threads = {nt} (Kiln's "
         "pool; `KILN_THREADS`; `OPENBLAS_NUM_THREADS`). Every column's result is checked against "
         "float64 but the AOT library's, which equals the JIT's bit for bit "
         "(`python.tensor_matmul_aot`, `e2e.tensor.aot_threads`). "
         f"Peak FMA rate: this core's clock, measured with a chain of dependent adds "
         f"({ghz:.2f} GHz; /proc/cpuinfo says the nominal "
         f"{nominal_mhz():.0f} MHz), × 2 FMA pipes × 16 f32 (8 f64) AVX-512 lanes × 2 "
         f"flops = {peak32:.0f} GFLOP/s f32, {peak64:.0f} f64 per core (Zen 5's two 512-bit "
         "FMA pipes; an assumption, not measured). Machine load (1-minute loadavg, 2 cores "
         f"shared with other jobs): {min(loads):.2f}–{max(loads):.2f}"
         + (" — **noisy**: compare the ratios within a row, not absolute numbers"
            if max(loads) > 1.5 else "") + f". The run took {elapsed / 60:.1f} min.\n"]
    for threads in (1, nt):
        L += [f"### {'1 thread' if threads == 1 else f'{threads} threads'}: GFLOP/s\n",
              "| case | " + " | ".join(LABEL[c] for c in COLS) + " | Kiln ÷ NumPy | Kiln, of peak |",
              "|---|" + "---|" * (len(COLS) + 2)]
        for c in CASES:
            t = lambda col: times.get((c[0], threads, col), [])
            k, n = statistics.median(t("kiln") or [0]), statistics.median(t("numpy") or [0])
            peak = (peak32 if c[1] == "f32" else peak64) * threads
            desc = (f"`relu(x @ w + b)` {c[2]}×{c[3]} @ {c[3]}×{c[4]}" if c[5]
                    else f"{c[1]} {c[2]}×{c[3]} @ {c[3]}×{c[4]}")
            L.append(f"| {desc} | " + " | ".join(cell(c, t(col)) for col in COLS)
                     + (f" | {n / k:.2f}× | {gflops(c, k) / peak * 100:.0f}% |" if k and n
                        else " | — | — |"))
        L.append("")
    bad = [f"{name} {col}: {v}" for (name, col), v in checks.items() if v != "ok"]
    L.append("Result checks: " + ("all passed." if not bad else "**failed**: " + "; ".join(bad)))
    L += ["", targets(times, nt), "<!-- bench:tensor-matmul:end -->\n"]
    return "\n".join(L)


def targets(times, nt):
    def ratio(name, th):
        k, n = times.get((name, th, "kiln")), times.get((name, th, "numpy"))
        return statistics.median(n) / statistics.median(k) if k and n else None
    plain = [(c[0], th, ratio(c[0], th)) for c in CASES if not c[5] for th in (1, nt)]
    fused = [(c[0], th, ratio(c[0], th)) for c in CASES if c[5] for th in (1, nt)]
    fmt = lambda rs: ", ".join(f"{n} {t}t {r:.2f}×" for n, t, r in rs if r)
    ok1 = all(r and r >= 0.8 for _, _, r in plain)
    ok2 = all(r and r > 1 for _, _, r in fused)
    return ("### Targets\n\n"
            f"- **{'met' if ok1 else 'not met'}** — plain matmul ≥ 0.8× OpenBLAS's GFLOP/s "
            f"(Kiln ÷ NumPy time ratio): {fmt(plain)}.\n"
            f"- **{'met' if ok2 else 'not met'}** — fused `relu(x @ w + b)` faster than NumPy's "
            f"matmul followed by its elementwise ops: {fmt(fused)}.\n")


def nominal_mhz():
    for line in open("/proc/cpuinfo"):
        if line.startswith("cpu MHz"):
            return float(line.split(":")[1])
    return 0.0


def run(a, rounds=5):
    t0, loads = time.perf_counter(), [os.getloadavg()[0]]
    ghz = run_json([f"{a.build}/bin/matmul_bench", "--clock"])["ghz"]
    times, checks, info = {}, {}, {}
    threads = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        lib = aot_library(a, tmp)
        for r in range(rounds):
            for th in (1, threads):
                print(f"matmul: round {r + 1}/{rounds}, {th} thread(s)...", file=sys.stderr)
                loads.append(os.getloadavg()[0])
                one_round(a, th, r % 2 == 1, times, checks, info, lib)
    section = render(a, times, checks, info, ghz, loads, time.perf_counter() - t0)
    write_section(a.out, "tensor-matmul", section)
    print(section)
