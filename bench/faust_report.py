#!/usr/bin/env python3
"""faust_report: Faust DSP throughput and factory-creation times for Kiln
(JIT scalar, `-vec` and automatic choice; AOT object code; loading machine
code) next to `faust -lang cpp` + `g++ -O3 -march=native`, libfaust's own
LLVM backend and libfaust's interpreter, then rewrites the "faust" section
of docs/PERFORMANCE.md.

Every program is fed and timed through frontends/faust/harness/Drive.h
(deterministic input, 256-frame blocks, FTZ/DAZ, warm-up + median of 7
timed runs of 1 s of audio at 44.1 kHz). The libfaust columns run in their
own executable (kiln_faust_ref, libfaust only), never in Kiln's process.

Representative set: ROUNDS whole-process rounds, every column once per round
(A B C ... A B C ...); the table shows the median over rounds of each
process's own median, with the min-max over rounds. Before timing, each
column's 2-s render is compared once with the g++ render (as the
equivalence corpus does); a column that differs or fails is shown as
failed, never timed. Corpus (every DSP of Faust's examples that compiles):
one process per column and DSP, relying on drive::bench's internal median;
outputs checked the same way. `--quick` measures the representative set
only and reports its geometric means instead of the corpus's.
"""
import argparse, math, os, re, statistics, sys, time

try:
    import numpy  # noqa: F401  (faust_tools compares WAVs with NumPy)
except ImportError:  # scripts/bench may start a Python without NumPy
    if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "faust"))
import faust_tools as ft  # noqa: E402
from core_report import machine_header, sh, write_section  # noqa: E402

REPRESENTATIVE = [
    ("osc", "generator/osc.dsp"), ("moogVCF", "filtering/moogVCF.dsp"),
    ("freeverb", "reverb/freeverb.dsp"), ("zitaRev", "reverb/zitaRev.dsp"),
    ("churchBell", "physicalModeling/churchBell.dsp"),
    ("clarinet", "physicalModeling/clarinet.dsp"), ("tapiir", "delayEcho/tapiir.dsp"),
    ("mixer", "misc/mixer.dsp"),
]
ROUNDS = 5
# Corpus DSPs: rounds of one process per column, interleaved, so that a
# load spike on this shared machine moves one sample of a median, not the
# figure (one round put single --auto-vec runs 30-45 % off: phaser, violin).
CORPUS_ROUNDS = 3
COLS = ["jit", "jit_vec", "jit_auto", "aot", "load", "gxx", "gxx_vec", "lf_llvm", "lf_interp"]
# Factory creation is timed twice per process: the first creation (a fresh
# process: Kiln starts faust, libfaust's LLVM is already loaded) and the
# median of creations 2..4 (a running host: Kiln's faust fork server is warm).
WARM = ["--factories", "4"]
LABEL = {
    "jit": "Kiln JIT", "jit_vec": "Kiln JIT `--vec`", "jit_auto": "Kiln JIT `--auto-vec`",
    "aot": "Kiln AOT (object code)", "load": "Kiln machine-code load",
    "gxx": "g++ -O3 -march=native", "gxx_vec": "g++ (`faust -vec`)",
    "lf_llvm": "libfaust LLVM", "lf_interp": "libfaust interpreter",
}
NUM = r"([0-9.]+(?:e[-+]?[0-9]+)?)"


class Cell:
    """Measurements of one column for one DSP."""

    def __init__(self):
        self.ns, self.factory, self.load, self.warm = [], [], [], []
        self.factory_warm = []  # creations 2..N in one process (--factories)
        self.note = None  # an output check that passed with a remark
        self.modes = []  # jit_auto: the mode each run chose
        self.build = None  # aot: compile + link ms
        self.failure = None  # the first problem seen; the cell is then not used

    def fail(self, why):
        self.failure = self.failure or why

    def ok(self):
        return self.failure is None


def parse(out):
    """The machine-readable lines of a bench/render process."""
    got = {}
    for key in ("factory-ms", "instance-ms", "ns-per-frame", "load-ms", "load-warm-ms",
                "factory-warm-ms"):
        # (libfaust may print stray blanks before the first line)
        m = re.search(rf"^[ \t]*{key}: {NUM}", out, flags=re.M)
        if m:
            got[key] = float(m.group(1))
    m = re.search(r"^[ \t]*mode: (scalar|vec)$", out, flags=re.M)
    if m:
        got["mode"] = m.group(1)
    return got


class Tools:
    """Paths and the commands that make up each column."""

    def __init__(self, a):
        self.kiln = f"{a.build}/bin/kiln"
        self.ref = f"{a.build}/bin/kiln_faust_ref"
        self.loader = f"{a.build}/bin/kiln_faust_load"
        self.root, self.work = a.root, a.work
        self.env = dict(os.environ, KILN_CACHE_DIR=f"{a.work}/kiln-cache")
        self.gxx = ft.GxxReference(a.root, f"{a.build}/faust-ref-cache")
        for exe in (self.kiln, self.ref, self.loader):
            if not os.access(exe, os.X_OK):
                sys.exit(f"faust_report: error: {exe} is missing (build the bench targets)")

    def call(self, cmd, cell, what, want):
        """Runs cmd; returns its parsed lines, or None after failing `cell`."""
        p = ft.run(cmd, ft.RUN_TIMEOUT_S, env=self.env)
        if p.returncode != 0:
            msg = " ".join((p.stderr or p.stdout).split())[-300:]
            cell.fail(f"{what}: exit status {p.returncode}: {msg}")
            return None
        got = parse(p.stdout)
        if not all(k in got for k in want):
            cell.fail(f"{what}: no {', '.join(want)} line in {p.stdout.strip()[:200]!r}")
            return None
        return got

    def kiln_bench(self, dsp, flags, cell, what):
        return self.call([self.kiln, "faust", "bench", dsp, *flags, "--", *ft.FAUST_ARGS],
                         cell, what,
                         ["factory-ms", "ns-per-frame"])

    def kiln_render(self, dsp, flags, out, sets, cell, what):
        if self.call([self.kiln, "faust", "render", dsp, "-o", out, *flags, *sets,
                      "--", *ft.FAUST_ARGS],
                     cell, what, []) is not None:
            return out
        return None

    def ref_bench(self, backend, dsp, cell, out=None, sets=(), warm=False):
        cmd = [self.ref, "bench", "--backend", backend, dsp, *(WARM if warm else [])]
        if out:
            cmd += ["-o", out, *sets]
        cmd += ["--", *ft.FAUST_ARGS]
        return self.call(cmd, cell, f"libfaust {backend}", ["factory-ms", "ns-per-frame"])

    def exe_bench(self, exe, cell, what, out=None, sets=()):
        cmd = [exe, "bench"] + (["-o", out, *sets] if out else [])
        return self.call(cmd, cell, what, ["ns-per-frame"])

    def aot_main(self):
        """bench/faust/aot_main.cpp compiled once per run (the DSP-independent
        part of every AOT program)."""
        obj = f"{self.work}/aot_main.o"
        if not os.path.exists(obj):
            p = ft.run(["g++", "-O2", "-c", f"-I{self.root}/include", f"-I{self.root}/bench/faust",
                        f"-I{self.root}/frontends/faust/harness",
                        f"{self.root}/bench/faust/aot_main.cpp", "-o", obj], ft.GXX_TIMEOUT_S)
            if p.returncode != 0:
                raise RuntimeError(f"aot_main.cpp does not compile: {p.stderr[-500:]}")
        return obj

    def aot_build(self, dsp, vec, cell, tag):
        """`kiln faust compile --emit=obj` linked with aot_main.o; (exe, ms of
        the kiln compile alone) or (None, None)."""
        obj, exe = f"{self.work}/{tag}.o", f"{self.work}/{tag}-aot"
        flags = ["--vec"] if vec else []
        t0 = time.perf_counter()
        if self.call([self.kiln, "faust", "compile", dsp, "--emit=obj", *flags, "-o", obj,
                      "--", *ft.FAUST_ARGS],
                     cell, "kiln faust compile --emit=obj", []) is None:
            return None, None
        ms = (time.perf_counter() - t0) * 1e3
        p = ft.run(["g++", self.aot_main(), obj, "-o", exe, "-lsndfile"], ft.GXX_TIMEOUT_S)
        if p.returncode != 0:
            cell.fail(f"linking the AOT program failed: {p.stderr.strip()[-300:]}")
            return None, None
        return exe, ms

    def machine_file(self, dsp, vec, cell, tag):
        out = f"{self.work}/{tag}.kfm"
        flags = ["--vec"] if vec else []
        if self.call([self.kiln, "faust", "compile", dsp, "--emit=machine", *flags, "-o", out,
                      "--", *ft.FAUST_ARGS],
                     cell, "kiln faust compile --emit=machine", []) is None:
            return None
        return out


def check_output(cell, refs, got_wav):
    """Fails `cell` unless got_wav matches the g++ render, or one of
    libfaust's engines where the references part ways (the corpus rule,
    run_corpus.py: second_opinion); when the references disagree with each
    other too, the check is inconclusive and only noted. refs = (g++ wav,
    libfaust LLVM wav or None, libfaust interpreter wav or None)."""
    gxx, others = refs[0], [r for r in refs[1:] if r]
    if cell.failure or ft.compare(gxx, got_wav)["ok"]:
        return
    for wav, label in zip(refs[1:], ("libfaust LLVM", "libfaust interpreter")):
        if wav and ft.compare(wav, got_wav)["ok"]:
            cell.note = f"matches {label}, not g++"
            return
    c = ft.compare(gxx, got_wav)
    if others and not all(ft.compare(gxx, r)["ok"] for r in others):
        cell.note = f"ill-conditioned: the references disagree; this differs from all"
        return
    cell.fail(f"output differs from g++: {c['why']}")


def check_libfaust(cell, gxx_wav, lf_wav):
    """libfaust's engines are references themselves: a difference from g++
    is noted, not a failure (faust's C++ and LLVM code can differ, see
    run_corpus.py: second_opinion)."""
    c = ft.compare(gxx_wav, lf_wav)
    if not c["ok"]:
        cell.note = f"differs from g++ (rel {c['rel']:.3g}): faust's C++ and LLVM code part ways"


def reference(t, dsp, tag, vec=False):
    """The g++ build of `dsp` (with `faust -vec` when asked), its held-button
    --set list and its 2-s render; raises when the reference cannot run."""
    exe, err = t.gxx.build(dsp, ["-vec"] if vec else [])
    if err:
        raise RuntimeError(f"{dsp}: g++ reference: {err[0]}: {err[1].strip()[-300:]}")
    _, nout, ctrls = ft.params(exe)
    sets = ft.held_buttons(ctrls)
    wav = f"{t.work}/{tag}-gxx{'-vec' if vec else ''}.wav"
    p = ft.run([exe, "render", "-o", wav, *sets], ft.RUN_TIMEOUT_S)
    if p.returncode != 0:
        raise RuntimeError(f"{dsp}: g++ reference render failed: {p.stderr.strip()}")
    return exe, sets, wav


def prepare(t, name, dsp):
    """Checks each column's output once against g++; returns the cells and
    the auto-vec mode (which the AOT and machine-code columns then use)."""
    cells = {c: Cell() for c in COLS}
    w = f"{t.work}/{name}"
    g_exe, sets, ref = reference(t, dsp, name)
    gv_exe = None
    try:
        gv_exe, _, gv_wav = reference(t, dsp, name, vec=True)
        check_output(cells["gxx_vec"], (ref, None), gv_wav)
    except RuntimeError as e:
        cells["gxx_vec"].fail(str(e))
    lf = f"{w}-lf_llvm.wav"
    if t.ref_bench("llvm", dsp, cells["lf_llvm"], lf, sets):
        check_libfaust(cells["lf_llvm"], ref, lf)
    if t.ref_bench("interp", dsp, cells["lf_interp"], f"{w}-lf_interp.wav", sets):
        check_libfaust(cells["lf_interp"], ref, f"{w}-lf_interp.wav")
    refs = (ref, lf if cells["lf_llvm"].ok() else None,
            f"{w}-lf_interp.wav" if cells["lf_interp"].ok() else None)
    for col, flags in (("jit", []), ("jit_vec", ["--vec"])):
        out = t.kiln_render(dsp, flags, f"{w}-{col}.wav", sets, cells[col], "kiln faust render")
        if out:
            check_output(cells[col], refs, out)
    got = t.kiln_bench(dsp, ["--auto-vec"], cells["jit_auto"], "kiln faust bench --auto-vec")
    vec = bool(got) and got.get("mode") == "vec"
    if got and "mode" not in got:
        cells["jit_auto"].fail("no `mode:` line")
    if cells["jit_vec" if vec else "jit"].failure:
        cells["jit_auto"].fail(f"its mode's render failed: {cells['jit_vec' if vec else 'jit'].failure}")
    exe, ms = t.aot_build(dsp, vec, cells["aot"], name)
    if exe and t.exe_bench(exe, cells["aot"], "AOT program", f"{w}-aot.wav", sets):
        check_output(cells["aot"], refs, f"{w}-aot.wav")
        cells["aot"].build = ms
    kfm = t.machine_file(dsp, vec, cells["load"], name)
    if kfm and t.call([t.loader, kfm, "-o", f"{w}-load.wav", *sets], cells["load"],
                      "kiln_faust_load", ["load-ms"]):
        check_output(cells["load"], refs, f"{w}-load.wav")
    runs = {
        "jit": lambda c: t.kiln_bench(dsp, WARM, c, "kiln faust bench"),
        "jit_vec": lambda c: t.kiln_bench(dsp, ["--vec"], c, "kiln faust bench --vec"),
        "jit_auto": lambda c: t.kiln_bench(dsp, ["--auto-vec"], c, "kiln faust bench --auto-vec"),
        "aot": lambda c: t.exe_bench(exe, c, "AOT program"),
        "load": lambda c: t.call([t.loader, kfm], c, "kiln_faust_load", ["load-ms"]),
        "gxx": lambda c: t.exe_bench(g_exe, c, "g++ program"),
        "gxx_vec": lambda c: t.exe_bench(gv_exe, c, "g++ -vec program"),
        "lf_llvm": lambda c: t.ref_bench("llvm", dsp, c, warm=True),
        "lf_interp": lambda c: t.ref_bench("interp", dsp, c),
    }
    return cells, runs, vec


def record(cell, col, got):
    """Adds one process's figures to `cell`."""
    if "ns-per-frame" in got:
        cell.ns.append(got["ns-per-frame"])
    if "factory-ms" in got:
        cell.factory.append(got["factory-ms"] + got.get("instance-ms", 0.0))
    if "factory-warm-ms" in got:
        cell.factory_warm.append(got["factory-warm-ms"])
    if "load-ms" in got:
        cell.load.append(got["load-ms"])
        cell.warm.append(got["load-warm-ms"])
    if "mode" in got:
        cell.modes.append(got["mode"])


def measure_representative(t, rounds, only):
    """{name: cells} for the representative DSPs, ROUNDS interleaved rounds."""
    results = {}
    for name, rel in REPRESENTATIVE:
        if only and name not in only:
            continue
        dsp = os.path.join(ft.EXAMPLES, rel)
        print(f"{name}: output checks and builds...", file=sys.stderr)
        cells, runs, _ = prepare(t, name, dsp)
        print(f"{name}: {rounds} interleaved rounds...", file=sys.stderr)
        for _ in range(rounds):
            for col in COLS:
                if cells[col].ok():
                    got = runs[col](cells[col])
                    if got:
                        record(cells[col], col, got)
        for col, cell in cells.items():
            if cell.failure:
                print(f"  {name} {col}: FAILED: {cell.failure}", file=sys.stderr)
        results[name] = cells
    return results


CORPUS_COLS = ["jit_auto", "jit", "gxx", "lf_llvm", "lf_interp"]


def corpus_skip(t, dsp):
    """(skip reason, g++ exe, held-button --set list) for one corpus DSP."""
    why = ft.source_skip_reason(dsp)
    if why:
        return why, None, None
    exe, err = t.gxx.build(dsp)
    if err:
        kind, msg = err
        return (ft.faust_skip_reason(msg, "cpp") if kind == "faust" else
                ft.gxx_skip_reason(msg)), None, None
    _, nout, ctrls = ft.params(exe)
    return ("no outputs" if nout == 0 else None), exe, ft.held_buttons(ctrls)


def measure_corpus_one(t, dsp, tag, rounds):
    """{column: Cell} for one DSP (`rounds` interleaved rounds of one process
    per column), or a skip reason."""
    why, exe, sets = corpus_skip(t, dsp)
    if why:
        return why
    cells = {c: Cell() for c in CORPUS_COLS}
    w = f"{t.work}/c{tag}"
    ref = f"{w}-gxx.wav"
    got = t.exe_bench(exe, cells["gxx"], "g++ program", ref, sets)
    if not got:
        return f"reference failed: {cells['gxx'].failure}"
    record(cells["gxx"], "gxx", got)
    for col, backend in (("lf_llvm", "llvm"), ("lf_interp", "interp")):
        got = t.ref_bench(backend, dsp, cells[col], f"{w}-{col}.wav", sets,
                          warm=backend == "llvm")
        if got:
            record(cells[col], col, got)
    if cells["lf_llvm"].ok():
        check_libfaust(cells["lf_llvm"], ref, f"{w}-lf_llvm.wav")
    if cells["lf_interp"].ok():
        check_libfaust(cells["lf_interp"], ref, f"{w}-lf_interp.wav")
    refs = (ref, f"{w}-lf_llvm.wav" if cells["lf_llvm"].ok() else None,
            f"{w}-lf_interp.wav" if cells["lf_interp"].ok() else None)
    auto = cells["jit_auto"]
    got = t.kiln_bench(dsp, ["--auto-vec"], auto, "kiln faust bench --auto-vec")
    if not got:
        p = ft.run(["faust", "-lang", "llvm", *ft.FAUST_ARGS, dsp, "-o", os.devnull],
                   ft.FAUST_TIMEOUT_S)
        if p.returncode != 0:
            return ft.faust_skip_reason(p.stderr, "llvm")
    else:
        record(auto, "jit_auto", got)
        vec = got.get("mode") == "vec"
        if t.kiln_render(dsp, ["--vec"] if vec else [], f"{w}-k.wav", sets, auto, "kiln render"):
            check_output(auto, refs, f"{w}-k.wav")
    got = t.kiln_bench(dsp, WARM, cells["jit"], "kiln faust bench")
    checked = set(auto.modes[-1:])
    if got:
        record(cells["jit"], "jit", got)
        if auto.modes[-1:] != ["scalar"] and t.kiln_render(dsp, [], f"{w}-ks.wav", sets,
                                                             cells["jit"], "kiln render"):
            check_output(cells["jit"], refs, f"{w}-ks.wav")
            checked.add("scalar")
    for _ in range(rounds - 1):
        corpus_round(t, dsp, cells, exe, sets, refs, w, checked)
    return cells


def corpus_round(t, dsp, cells, exe, sets, refs, w, checked):
    """One more timing round of a corpus DSP's columns, in the first
    round's order: one process each, no renders, except that an --auto-vec
    run choosing a mode whose output was not checked yet checks it now.
    Factories are timed once per process here (first creations only)."""
    if cells["gxx"].ok():
        got = t.exe_bench(exe, cells["gxx"], "g++ program")
        if got:
            record(cells["gxx"], "gxx", got)
    for col, backend in (("lf_llvm", "llvm"), ("lf_interp", "interp")):
        if cells[col].ok():
            got = t.ref_bench(backend, dsp, cells[col])
            if got:
                record(cells[col], col, got)
    auto = cells["jit_auto"]
    if auto.ok():
        got = t.kiln_bench(dsp, ["--auto-vec"], auto, "kiln faust bench --auto-vec")
        if got:
            record(auto, "jit_auto", got)
            mode = got.get("mode", "scalar")
            wav = f"{w}-k-{mode}.wav"
            if mode not in checked and t.kiln_render(dsp, ["--vec"] if mode == "vec" else [],
                                                     wav, sets, auto, "kiln render"):
                check_output(auto, refs, wav)
                checked.add(mode)
    if cells["jit"].ok():
        got = t.kiln_bench(dsp, [], cells["jit"], "kiln faust bench")
        if got:
            record(cells["jit"], "jit", got)


def measure_corpus(t, limit, every, rounds):
    """{relative path: cells or skip reason} over the corpus (or every Nth)."""
    dsps = ft.list_corpus()[::every]
    if limit:
        dsps = dsps[:limit]
    results = {}
    for k, dsp in enumerate(dsps):
        rel = os.path.relpath(dsp, ft.EXAMPLES)
        t0 = time.perf_counter()
        try:
            results[rel] = measure_corpus_one(t, dsp, k, rounds)
        except Exception as e:  # one broken DSP must not stop the run
            results[rel] = f"error: {type(e).__name__}: {e}"
        r = results[rel]
        state = r if isinstance(r, str) else ", ".join(
            f"{c} {'FAILED' if x.failure else 'ok'}" for c, x in r.items())
        print(f"[{k + 1}/{len(dsps)}] {rel} ({time.perf_counter() - t0:.1f} s): {state}",
              file=sys.stderr)
    return results


def med(cell, attr="ns"):
    xs = getattr(cell, attr) if cell is not None and cell.ok() else []
    return statistics.median(xs) if xs else None


def show(cell, attr="ns"):
    """`median (min–max)`, or why there is no number."""
    if cell is None:
        return "—"
    if cell.failure:
        return "**failed**"
    xs = getattr(cell, attr)
    if not xs:
        return "—"
    m, lo, hi = statistics.median(xs), min(xs), max(xs)
    d = 1 if m >= 100 else 2 if m >= 1 else 3
    return f"{m:.{d}f} ({lo:.{d}f}–{hi:.{d}f})" if len(xs) > 1 else f"{m:.{d}f}"


def ratio(num, den):
    return None if num is None or den is None or den == 0 else num / den


def rtext(r, digits=2):
    return "—" if r is None else f"{r:.{digits}f}×"


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


SPEEDUPS = [  # (key, reference column, Kiln column, attr, what)
    ("llvm", "lf_llvm", "jit_auto", "ns", "libfaust LLVM ns ÷ Kiln JIT `--auto-vec` ns"),
    ("gxx", "gxx", "jit_auto", "ns", "g++ ns ÷ Kiln JIT `--auto-vec` ns"),
    ("interp", "lf_interp", "jit_auto", "ns", "libfaust interpreter ns ÷ Kiln JIT `--auto-vec` ns"),
    ("llvm_scalar", "lf_llvm", "jit", "ns", "libfaust LLVM ns ÷ Kiln JIT scalar ns"),
    ("gxx_scalar", "gxx", "jit", "ns", "g++ ns ÷ Kiln JIT scalar ns"),
    ("factory", "lf_llvm", "jit", "factory",
     "libfaust LLVM factory ms ÷ Kiln factory ms, first in a fresh process (scalar; > 1: Kiln faster)"),
    ("factory_warm", "lf_llvm", "jit", "factory_warm",
     "libfaust LLVM factory ms ÷ Kiln factory ms, later ones in a running process (scalar)"),
]


def geomeans(results):
    """{key: (geomean, n, [(ratio, dsp)])} over DSPs where both columns of a
    ratio were measured and passed their output checks."""
    out = {}
    for key, ref, kiln, attr, _ in SPEEDUPS:
        pairs = []
        for name, cells in results.items():
            if isinstance(cells, dict) and ref in cells and kiln in cells:
                r = ratio(med(cells[ref], attr), med(cells[kiln], attr))
                if r:
                    pairs.append((r, name))
        out[key] = (geomean([r for r, _ in pairs]), len(pairs), sorted(pairs))
    return out


def mode_text(cell):
    if not cell.modes:
        return "—"
    kinds = sorted(set(cell.modes))
    if len(kinds) == 1:
        return kinds[0]
    return ", ".join(f"{k} {cell.modes.count(k)}/{len(cell.modes)}" for k in kinds)


def representative_tables(results):
    lines = ["### Throughput, representative DSPs (ns per frame; lower is better)\n",
             "Ratios are reference ns ÷ Kiln `--auto-vec` ns (> 1: Kiln faster).\n"]
    cols = ["jit", "jit_vec", "jit_auto", "aot", "gxx", "gxx_vec", "lf_llvm", "lf_interp"]
    lines.append("| DSP | " + " | ".join(LABEL[c] for c in cols) +
                 " | auto chose | LLVM ÷ Kiln | g++ ÷ Kiln | interp ÷ Kiln |")
    lines.append("|---" * (len(cols) + 5) + "|")
    for name, cells in results.items():
        a = med(cells["jit_auto"])
        rs = [rtext(ratio(med(cells[c]), a)) for c in ("lf_llvm", "gxx", "lf_interp")]
        lines.append(f"| {name} | " + " | ".join(show(cells[c]) for c in cols) +
                     f" | {mode_text(cells['jit_auto'])} | " + " | ".join(rs) + " |")
    lines.append("")
    lines.append("### Factory creation and loading, representative DSPs (ms)\n")
    lines.append("*Factory* = from the .dsp file to a callable instance: for Kiln the "
                 "`faust -lang llvm` subprocess + O3 + JIT (`kiln faust bench --factories 4`, "
                 "no cache); for libfaust `createDSPFactoryFromFile` + "
                 "`createDSPInstance` (`kiln_faust_ref bench --factories 4`, each factory "
                 "deleted before the next so libfaust's cache cannot answer). *first* = the "
                 "first creation in a fresh process: Kiln pays faust's start-up (~25 ms of "
                 "loading libLLVM-14), while libfaust's process loaded its LLVM before the "
                 "clock started. *later* = the median of creations 2–4 in the same process: "
                 "Kiln's faust fork server (docs/faust.md) has paid the start-up once. *Load* = `Registry::readDSPFactoryFromMachineFile` "
                 "+ `createInstance` of `kiln faust compile --emit=machine` output "
                 "(bench/faust/load_bench.cpp): the first load in a fresh process (cold), "
                 "and the median of 7 further loads in it (warm). The AOT column's object "
                 "file comes from one `kiln faust compile --emit=obj` (whole-process wall "
                 "time, once), linked with bench/faust/aot_main.cpp and libfaust's "
                 "`llvm-dsp-adapter.h` into a program with no LLVM.\n")
    lines.append("| DSP | Kiln factory, first | libfaust LLVM factory, first | libfaust ÷ Kiln, "
                 "first | Kiln factory, later | libfaust LLVM factory, later | libfaust ÷ Kiln, "
                 "later | Kiln `--vec` factory, first | Kiln load, cold | Kiln load, warm | "
                 "`kiln faust compile --emit=obj` (wall) | libfaust interp factory |")
    lines.append("|---" * 12 + "|")
    for name, cells in results.items():
        j, lf = cells["jit"], cells["lf_llvm"]
        r = ratio(med(lf, "factory"), med(j, "factory"))
        rw = ratio(med(lf, "factory_warm"), med(j, "factory_warm"))
        build = cells["aot"].build
        lines.append(f"| {name} | {show(j, 'factory')} | {show(lf, 'factory')} | {rtext(r)} | "
                     f"{show(j, 'factory_warm')} | {show(lf, 'factory_warm')} | {rtext(rw)} | "
                     f"{show(cells['jit_vec'], 'factory')} | "
                     f"{show(cells['load'], 'load')} | {show(cells['load'], 'warm')} | "
                     f"{'—' if build is None or cells['aot'].failure else f'{build:.0f}'} | "
                     f"{show(cells['lf_interp'], 'factory')} |")
    lines.append("")
    return lines


def corpus_tables(results, rounds):
    measured = {k: v for k, v in results.items() if isinstance(v, dict)}
    skipped = {k: v for k, v in results.items() if isinstance(v, str)}
    reasons = {}
    for why in skipped.values():
        short = re.sub(r":.*", "", why)
        reasons[short] = reasons.get(short, 0) + 1
    lines = [f"### Corpus: Faust's examples\n",
             f"{len(results)} of {len(ft.list_corpus())} DSP files; {len(measured)} measured, "
             f"{len(skipped)} skipped" + (" (" + "; ".join(
                 f"{n}× {r}" for r, n in sorted(reasons.items(), key=lambda x: -x[1])) + ")"
                 if reasons else "") +
             f". {rounds} interleaved rounds of one process per column and DSP: ns per frame "
             "and first factories are medians over the rounds (of drive::bench's internal "
             "median of 7), later factories (creations 2–4 of one process) come from the "
             "first round, which also checks every column's output as in the equivalence "
             "corpus (g++, else libfaust LLVM or its interpreter; a mode that --auto-vec "
             "picks only in a later round is checked then).\n"]
    lines.append("<details><summary>Per-DSP figures</summary>\n")
    lines.append("| DSP | auto chose | Kiln auto ns | Kiln scalar ns | g++ ns | libfaust LLVM ns | "
                 "interp ns | Kiln factory ms, first | libfaust factory ms, first | "
                 "Kiln factory ms, later | libfaust factory ms, later |")
    lines.append("|---" * 11 + "|")
    for name, c in sorted(measured.items()):
        lines.append(f"| {name} | {mode_text(c['jit_auto'])} | {show(c['jit_auto'])} | "
                     f"{show(c['jit'])} | {show(c['gxx'])} | {show(c['lf_llvm'])} | "
                     f"{show(c['lf_interp'])} | {show(c['jit'], 'factory')} | "
                     f"{show(c['lf_llvm'], 'factory')} | {show(c['jit'], 'factory_warm')} | "
                     f"{show(c['lf_llvm'], 'factory_warm')} |")
    if skipped:
        lines.append("\nSkipped:\n")
        lines += [f"- {name}: {why}" for name, why in sorted(skipped.items())]
    lines.append("\n</details>\n")
    return lines


def summary_lines(gm, scope, load_ms):
    lines = [f"### Geometric means ({scope})\n", "| ratio | geomean | DSPs | lowest three |",
             "|---|---|---|---|"]
    for key, _, _, _, what in SPEEDUPS:
        g, n, pairs = gm[key]
        low = ", ".join(f"{d} {r:.2f}×" for r, d in pairs[:3])
        lines.append(f"| {what} | {rtext(g)} | {n} | {low} |")
    lines += ["", "### Targets\n"]

    def verdict(g, need, text, extra=""):
        if g is None:
            return f"- **not measured** — {text}"
        return (f"- **{'met' if g >= need else 'not met'}** — {text}: {g:.2f}× "
                f"(need ≥ {need}×){extra}.")
    lines.append(verdict(gm["llvm"][0], 1.10, f"Kiln JIT (auto scalar/vec) vs libfaust LLVM, geomean over {scope}"))
    lines.append(verdict(gm["gxx"][0], 1.20, f"Kiln JIT (auto) vs `faust -lang cpp` + g++, geomean over {scope}"))
    lines.append(verdict(gm["interp"][0], 10.0, f"Kiln JIT (auto) vs libfaust interpreter, geomean over {scope}"))
    cold = gm["factory"][0]
    lines.append(verdict(gm["factory_warm"][0], 1.0,
                         f"factory creation no slower than libfaust LLVM (libfaust ÷ Kiln), geomean "
                         f"over {scope}, creations after the first in a running process",
                         f" (the first creation in a fresh process, which also starts faust: "
                         f"{rtext(cold)})"))
    if load_ms:
        worst = max(load_ms.items(), key=lambda x: x[1])
        ok = worst[1] <= 5.0
        lines.append(f"- **{'met' if ok else 'not met'}** — loading Kiln machine code ≤ 5 ms: "
                     f"slowest median cold load {worst[1]:.2f} ms ({worst[0]}).")
    else:
        lines.append("- **not measured** — loading Kiln machine code ≤ 5 ms.")
    lines.append("")
    return lines


def failure_notes(rep, corpus, attr="failure"):
    notes = []
    for name, cells in list(rep.items()) + list((corpus or {}).items()):
        if isinstance(cells, dict):
            notes += [f"{name}, {LABEL[c]}: {getattr(x, attr)}"
                      for c, x in cells.items() if getattr(x, attr)]
    return notes


def environment_line(root):
    faust = sh(["faust", "--version"]).split("\n")[0]
    return (machine_header(root) + f" {faust} (`faust -lang cpp` and `-lang llvm`); libfaust "
            f"{os.path.realpath('/usr/lib/x86_64-linux-gnu/libfaust.so').rsplit('.so.', 1)[-1]} "
            "with its LLVM 14 (Debian).\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build"); ap.add_argument("--work")
    ap.add_argument("--out"); ap.add_argument("--root")
    ap.add_argument("--quick", action="store_true",
                    default=os.environ.get("KILN_FAUST_BENCH_QUICK") == "1",
                    help="representative set only; geomeans over it, not the corpus "
                         "(also KILN_FAUST_BENCH_QUICK=1, as scripts/bench passes no flags)")
    ap.add_argument("--only", help="comma-separated representative names (trying the script)")
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--corpus-limit", type=int, default=0, help="first N corpus files (trying)")
    ap.add_argument("--corpus-rounds", type=int, default=CORPUS_ROUNDS,
                    help="interleaved timing rounds per corpus DSP (the first also checks outputs)")
    ap.add_argument("--corpus-every", type=int, default=1,
                    help="every Nth corpus file (sorted), for a shorter but spread sample")
    a = ap.parse_args()
    t = Tools(a)
    t0 = time.perf_counter()
    rep = measure_representative(t, a.rounds, a.only.split(",") if a.only else None)
    corpus = None if a.quick else measure_corpus(t, a.corpus_limit, a.corpus_every,
                                                 a.corpus_rounds)
    elapsed = time.perf_counter() - t0

    partial = a.only or a.corpus_limit
    nth = {2: "2nd", 3: "3rd"}.get(a.corpus_every, f"{a.corpus_every}th")
    sample = f", every {nth} file" if a.corpus_every > 1 else ""
    scope = ("the representative set" if a.quick else
             f"the corpus ({sum(isinstance(v, dict) for v in corpus.values())} DSPs{sample})")
    lines = ["<!-- bench:faust:begin (generated by `scripts/bench faust`; do not edit) -->",
             "## Faust DSPs\n", environment_line(a.root)]
    lines.append(f"Representative set: median over {a.rounds} interleaved whole-process rounds "
                 "of each process's own median (drive::bench: warm-up + 7 timed runs of 1 s "
                 "of audio, 256-frame blocks, FTZ/DAZ, deterministic input, controls at their "
                 "defaults), min–max over the rounds in parentheses. Every column's 2-s render "
                 "(every button held down) was first compared with the g++ build's (or, where "
                 "g++ and LLVM part ways, libfaust LLVM's or its interpreter's), as in test/faust/corpus; a column "
                 "that differs or fails is marked failed and not "
                 f"timed. Machine load: loadavg {os.getloadavg()[0]:.2f} at the end "
                 f"(2 cores, shared); the run took {elapsed / 60:.1f} min" +
                 (" (partial run: --only/--corpus-limit)" if partial else "") + ".\n")
    lines += representative_tables(rep)
    if corpus is not None:
        lines += corpus_tables(corpus, a.corpus_rounds)
    gm = geomeans(rep if a.quick else corpus)
    load = {n: med(c["load"], "load") for n, c in rep.items() if med(c["load"], "load")}
    lines += summary_lines(gm, scope, load)
    remarks = failure_notes(rep, corpus, "note")
    if remarks:
        lines += ["### Output checks that passed with a remark\n",
                  "Where `faust -lang cpp` + g++ and Faust's LLVM code compute "
                  "differently (a different association in faust's C++, recursive filters "
                  "sensitive to rounding, thresholds on noise), a column matching libfaust "
                  "LLVM's or libfaust interpreter's render passes; where even the "
                  "references disagree the check is inconclusive and the column is "
                  "timed anyway.\n"] + [f"- {n}" for n in remarks] + [""]
    notes = failure_notes(rep, corpus)
    if notes:
        lines += ["### Failures\n"] + [f"- {n}" for n in notes] + [""]
    while not lines[-1]:
        lines.pop()
    lines.append("<!-- bench:faust:end -->")
    section = "\n".join(lines) + "\n"
    write_section(a.out, "faust", section)
    print(section)
    if notes:
        print(f"faust_report: {len(notes)} column(s) failed; see the Failures list", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
