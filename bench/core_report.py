#!/usr/bin/env python3
"""core_report: runs the core benchmarks and the interleaved process timings,
then rewrites the "core" section of docs/PERFORMANCE.md.

Every table is measured in this one run. Process timings interleave the
variants (A B C A B C ...) so machine drift hits all of them alike; medians
are reported with min-max.
"""
import argparse, datetime, json, os, platform, re, statistics, subprocess, sys, time

def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), check=True,
                          capture_output=True, text=True, **kw).stdout

def write_section(path, area, section):
    """Replaces the `<!-- bench:AREA:begin ... end -->` section of `path` (or
    appends it, creating the file with its preamble)."""
    text = open(path).read() if os.path.exists(path) else ""
    pattern = rf"<!-- bench:{area}:begin.*?<!-- bench:{area}:end -->\n?"
    if re.search(pattern, text, flags=re.S):
        text = re.sub(pattern, lambda _: section, text, flags=re.S)
    else:
        if not text:
            text = ("# Kiln performance\n\nEvery number here is produced by `scripts/bench "
                    "<area>` on the machine named in its section, with the reference measured "
                    "in the same run (see shared BENCHMARKING rules: side by side, medians, "
                    "phases separated). Re-run to regenerate; do not edit by hand.\n\n")
        elif not text.endswith("\n\n"):
            text = text.rstrip("\n") + "\n\n"
        text += section
    with open(path, "w") as f:
        f.write(text)


def median_range(xs):
    return statistics.median(xs), min(xs), max(xs)

def fmt(xs, digits=2):
    m, lo, hi = median_range(xs)
    return f"{m:.{digits}f} ({lo:.{digits}f}–{hi:.{digits}f})"

def machine_header(root):
    cpu = "unknown"
    for line in sh("lscpu").splitlines():
        if line.startswith("Model name:"):
            cpu = line.split(":", 1)[1].strip()
    commit = sh(["git", "-C", root, "rev-parse", "--short", "HEAD"]).strip()
    dirty = sh(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"]).strip()
    clang = sh(["clang-19", "--version"]).splitlines()[0]
    gcc = sh(["gcc", "--version"]).splitlines()[0]
    return (f"Measured {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {cpu}, "
            f"{os.cpu_count()} cores, {platform.system()} {platform.release()}; "
            f"commit {commit}{' (with local changes)' if dirty else ''}; "
            f"{clang}; {gcc}; LLVM 19 static libraries.")

def run_gbench(build, work):
    env = dict(os.environ, KILN_BENCH_IR_DIR=work)
    out = sh([f"{build}/bin/kiln_core_bench", "--benchmark_repetitions=7",
              "--benchmark_format=json", "--benchmark_min_time=0.2"], env=env)
    data = json.loads(out)
    runs = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        runs.setdefault(b["run_name"], []).append(b["real_time"])
    return runs, data["context"]

def timed(cmd, env=None):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return (time.perf_counter() - t0) * 1e3, p

def interleave(variants, reps, warmup=3):
    """variants: {name: argv}; returns {name: [wall ms]} (exit status ignored)."""
    results = {k: [] for k in variants}
    for i in range(warmup + reps):
        for name, argv in variants.items():
            ms, _ = timed(argv)
            if i >= warmup:
                results[name].append(ms)
    return results

def phase_table(stderr):
    phases = {}
    for line in stderr.splitlines():
        m = re.match(r"^(\w+)\s+([0-9.]+)$", line.strip())
        if m:
            phases[m.group(1)] = float(m.group(2))
    return phases

def program_run_us(stdout):
    m = re.search(r"median_us ([0-9.]+)", stdout)
    if not m:
        raise RuntimeError(f"unexpected program output: {stdout!r}")
    return float(m.group(1))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build"); ap.add_argument("--work")
    ap.add_argument("--out"); ap.add_argument("--root")
    a = ap.parse_args()
    kiln = f"{a.build}/bin/kiln"
    w = a.work
    progs = f"{a.root}/bench/programs"
    env = dict(os.environ, KILN_CACHE_DIR=f"{w}/cache")
    os.environ["KILN_CACHE_DIR"] = f"{w}/cache"
    ir = ["clang-19", "-S", "-emit-llvm", "-O0", "-Xclang", "-disable-O0-optnone"]
    sh(ir + [f"{progs}/fib.c", "-o", f"{w}/fib.ll"])
    sh(ir + [f"{progs}/fib_timed.c", "-o", f"{w}/fib_timed.ll"])
    sh(ir + [f"{progs}/medium.c", "-o", f"{w}/medium.ll"])
    with open(f"{w}/triv.c", "w") as f:
        f.write("int main(void) { return 0; }\n")
    sh(ir + [f"{w}/triv.c", "-o", f"{w}/triv.ll"])

    print("core_bench (Google Benchmark, 7 repetitions)...", file=sys.stderr)
    runs, context = run_gbench(a.build, w)

    print("process start-up (interleaved)...", file=sys.stderr)
    sh([kiln, "run", f"{w}/triv.ll"])  # fills the disk cache
    startup = interleave({
        "kiln --version": [kiln, "--version"],
        "kiln run triv.ll (cache miss, -O2)": [kiln, "run", "--no-cache", f"{w}/triv.ll"],
        "kiln run triv.ll (disk cache hit)": [kiln, "run", f"{w}/triv.ll"],
        "lli-19 triv.ll": ["lli-19", f"{w}/triv.ll"],
    }, reps=30)

    print("fib(29): JIT vs AOT vs native (interleaved)...", file=sys.stderr)
    sh(["clang-19", "-O2", f"{progs}/fib_timed.c", "-o", f"{w}/fib-clang"])
    sh(["gcc", "-O2", f"{progs}/fib_timed.c", "-o", f"{w}/fib-gcc"])
    sh([kiln, "compile", f"{w}/fib_timed.ll", "--emit=exe", "-O2", "-o", f"{w}/fib-aot"])
    rows = {k: {"compile": [], "run": [], "wall": []} for k in
            ["Kiln JIT -O2", "Kiln AOT -O2", "clang-19 -O2", "gcc -O2", "lli-19 (-O2 codegen)"]}
    expected = None
    for i in range(7):
        ms, p = timed([kiln, "run", "--no-cache", "--time", f"{w}/fib_timed.ll", "29", "5"])
        ph = phase_table(p.stderr)
        r = rows["Kiln JIT -O2"]
        r["compile"].append(sum(ph.get(k, 0) for k in ("parse", "optimize", "codegen", "link")))
        r["run"].append(program_run_us(p.stdout) / 1e3); r["wall"].append(ms)
        expected = expected or p.stdout.split(" median")[0]
        assert p.stdout.startswith(expected), p.stdout

        ms, p = timed([kiln, "compile", f"{w}/fib_timed.ll", "--emit=exe", "-O2", "--time", "-o", f"{w}/fib-aot"])
        rows["Kiln AOT -O2"]["compile"].append(ms)
        for name, exe in (("Kiln AOT -O2", "fib-aot"), ("clang-19 -O2", "fib-clang"), ("gcc -O2", "fib-gcc")):
            if name != "Kiln AOT -O2":
                cms, _ = timed(["clang-19" if "clang" in name else "gcc", "-O2",
                                f"{progs}/fib_timed.c", "-o", f"{w}/{exe}"])
                rows[name]["compile"].append(cms)
            ms, p = timed([f"{w}/{exe}", "29", "5"])
            assert p.stdout.startswith(expected), (name, p.stdout)
            rows[name]["run"].append(program_run_us(p.stdout) / 1e3); rows[name]["wall"].append(ms)
        ms, p = timed(["lli-19", f"{w}/fib_timed.ll", "29", "5"])
        assert p.stdout.startswith(expected), p.stdout
        rows["lli-19 (-O2 codegen)"]["run"].append(program_run_us(p.stdout) / 1e3)
        rows["lli-19 (-O2 codegen)"]["wall"].append(ms)

    g = lambda name: runs[name]
    lines = []
    lines.append("<!-- bench:core:begin (generated by `scripts/bench core`; do not edit) -->")
    lines.append("## Core\n")
    lines.append(machine_header(a.root) + "\n")
    lines.append("Medians, with min–max in parentheses. Machine load: "
                 f"loadavg {os.getloadavg()[0]:.2f} at the end of the run (2 cores, shared).\n")
    lines.append("### Engine and compile latency (in process, Google Benchmark, 7 repetitions)\n")
    lines.append("`fib` is bench/programs/fib.c (one recursive function) and `medium` "
                 "bench/programs/medium.c (a dozen functions with loops), both "
                 "as unoptimised IR from `clang-19 -O0 -Xclang -disable-O0-optnone`. "
                 "\"to callable\" = parse IR text + optimise + codegen + JIT-link until `main` "
                 "can be called, on a live engine.\n")
    lines.append("| measurement | ms |")
    lines.append("|---|---|")
    lines.append(f"| engine ready (`Jit::create`, LLJIT + host runtime symbols) | {fmt(g('BM_EngineCreate'), 3)} |")
    for mod in ("fib", "medium"):
        for lvl in ("O0", "O1", "O2", "O3"):
            lines.append(f"| {mod}: to callable at {lvl} | {fmt(g(f'BM_JitToCallable/{mod}/{lvl}'))} |")
        lines.append(f"| {mod}: to callable at O2, compile-cache hit | {fmt(g(f'BM_JitCachedToCallable/{mod}/O2'))} |")
    lines.append(f"| fib: parse IR text only | {fmt(g('BM_Phase/fib/parse'), 3)} |")
    lines.append(f"| fib: parse + optimise at O2 | {fmt(g('BM_Phase/fib/parse+optimize_O2'))} |")
    lines.append(f"| fib: parse + codegen (object) at O2, optimisation excluded | {fmt(g('BM_Phase/fib/parse+codegen_O2'))} |")
    lines.append(f"| fib_timed.c: AOT optimise + object + `cc` link to an executable | {fmt(g('BM_AotObjectAndLink/fib_timed/O2'))} |")
    lines.append("")
    lines.append("### Isolated engines (`JitOptions::isolate`, docs/RELIABILITY.md)\n")
    lines.append("An isolated engine compiles in the host and runs the code in `kiln-executor` "
                 "over a socketpair (ORC `SimpleRemoteEPC`). Same run as the table above; "
                 "a call is `Jit::callInt` on `int id(int)`.\n")
    lines.append("| measurement | in process | isolated |")
    lines.append("|---|---|---|")
    lines.append(f"| engine ready (ms; isolated = spawn kiln-executor + ORC handshake) | "
                 f"{fmt(g('BM_EngineCreate'), 3)} | {fmt(g('BM_EngineCreateIsolated'), 2)} |")
    lines.append(f"| one call round trip (µs) | {fmt(g('BM_CallRoundTrip/in_process'), 3)} | "
                 f"{fmt(g('BM_CallRoundTrip/isolated'), 1)} |")
    lines.append("")
    lines.append("### Process start-up (wall clock, 30 interleaved runs after 3 warm-ups)\n")
    lines.append("`triv.ll` is `int main(void) { return 0; }`. Kiln links LLVM's static "
                 "libraries into a non-PIE executable; `lli-19` is Debian's, linked to the "
                 "shared libLLVM-19.\n")
    lines.append("| command | ms | vs lli-19 |")
    lines.append("|---|---|---|")
    lli = statistics.median(startup["lli-19 triv.ll"])
    for name, xs in startup.items():
        lines.append(f"| `{name}` | {fmt(xs)} | {statistics.median(xs) / lli:.2f}× |")
    lines.append("")
    lines.append("### fib(29): JIT vs AOT vs native (7 interleaved rounds)\n")
    lines.append("Program: bench/programs/fib_timed.c. Run time is measured inside the program (median of 5 calls of fib(29) per "
                 "process), so it excludes process start and compilation. JIT compile = "
                 "parse + optimise + codegen + link phases of `kiln run --time`; AOT and "
                 "native compile = wall time of the compiler command. Every variant's output "
                 "was checked to be identical.\n")
    lines.append("| variant | compile ms | run ms | total ms (compile + run) | run vs clang-19 -O2 |")
    lines.append("|---|---|---|---|---|")
    ref = statistics.median(rows["clang-19 -O2"]["run"])
    for name, r in rows.items():
        comp = fmt(r["compile"]) if r["compile"] else "— (inside process wall " + fmt(r["wall"]) + ")"
        total = (f"{statistics.median(r['compile']) + statistics.median(r['run']):.2f}"
                 if r["compile"] else "—")
        lines.append(f"| {name} | {comp} | {fmt(r['run'])} | {total} | "
                     f"{statistics.median(r['run']) / ref:.3f}× |")
    lines.append("<!-- bench:core:end -->")
    section = "\n".join(lines) + "\n"

    write_section(a.out, "core", section)
    print(section)

if __name__ == "__main__":
    main()
