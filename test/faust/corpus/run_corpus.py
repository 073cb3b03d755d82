#!/usr/bin/python3
"""run_corpus: the Faust equivalence corpus. Each DSP of Faust's examples is
rendered for 2 s by `faust -lang cpp` + `g++ -O3 -march=native
-ffp-contract=off` (the reference, bench/faust/arch_render.cpp; no FMA
contraction, so g++ rounds as the C++ source says) and by `kiln faust
render`, and the two float WAVs are compared sample by sample.

PASS when max |diff| <= 2e-3 x the reference's peak (a silent reference
needs max |diff| <= 1e-6). With --ref, a Kiln render that misses g++ is
compared with libfaust's LLVM backend and then its interpreter (both run
the `-lang llvm`-side code Kiln compiles) and passes if it matches one of
them, saying which on its line (see second_opinion); when the references
disagree with each other as well, the DSP is skipped as ill-conditioned at
this tolerance, with the figures. Both sides use the same precision (faust's
default, float), the same deterministic input
(frontends/faust/harness/Drive.h) and the
same controls: defaults, with every button held down so instruments play.
Every SKIP says why. One line per DSP, then
`passed X / compiled Y (total Z)`. Exit status 1 on any FAIL, when nothing
was compared, or (with --require-all) when a listed DSP was skipped.

  run_corpus.py --kiln KILN --root SRC --cache DIR [--list FILE | DSP...]
                [--impl kiln|libfaust-llvm|libfaust-interp --ref KILN_FAUST_REF]
"""
import argparse, os, sys, tempfile, time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kiln", help="the kiln executable (for --impl kiln)")
    ap.add_argument("--ref", help="kiln_faust_ref: the implementation for --impl libfaust-*; "
                    "with --impl kiln, the second reference (see second_opinion)")
    ap.add_argument("--root", required=True, help="Kiln source tree")
    ap.add_argument("--cache", required=True, help="folder for cached g++ builds")
    ap.add_argument("--examples", default=None, help="corpus root (Faust's examples)")
    ap.add_argument("--list", help="file of DSP paths relative to --examples")
    ap.add_argument("--impl", default="kiln",
                    choices=["kiln", "libfaust-llvm", "libfaust-interp"])
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--require-all", action="store_true",
                    help="a skipped DSP fails the run (for curated lists)")
    ap.add_argument("dsps", nargs="*", help="DSP files (default: the whole corpus)")
    return ap.parse_args()


class Runner:
    def __init__(self, a, ft):
        self.a, self.ft = a, ft
        self.gxx = ft.GxxReference(a.root, a.cache, ft.GXX_EQUIV_FLAGS)

    def impl_cmd(self, dsp, out, sets):
        secs = ["--seconds", f"{self.a.seconds:g}"]
        if self.a.impl == "kiln":
            return [self.a.kiln, "faust", "render", dsp, "-o", out, *secs, *sets,
                    "--", *self.ft.FAUST_ARGS]
        backend = self.a.impl.split("-")[1]
        return [self.a.ref, "render", "--backend", backend, dsp, "-o", out, *secs, *sets,
                "--", *self.ft.FAUST_ARGS]

    def llvm_rejects(self, dsp):
        """faust's own verdict on -lang llvm, to tell a DSP faust cannot
        compile that way from a Kiln failure."""
        p = self.ft.run(["faust", "-lang", "llvm", *self.ft.FAUST_ARGS, dsp, "-o", os.devnull],
                        self.ft.FAUST_TIMEOUT_S)
        return None if p.returncode == 0 else self.ft.faust_skip_reason(p.stderr, "llvm")

    def check(self, dsp, work):
        """(status, detail, comparison or None) for one DSP."""
        ft = self.ft
        why = ft.source_skip_reason(dsp)
        if why:
            return "SKIP", why, None
        exe, err = self.gxx.build(dsp)
        if err:
            kind, msg = err
            if kind == "faust":
                return "SKIP", ft.faust_skip_reason(msg, "cpp"), None
            return "SKIP", ft.gxx_skip_reason(msg), None
        nin, nout, ctrls = ft.params(exe)
        if nout == 0:
            return "SKIP", "no outputs", None
        sets = ft.held_buttons(ctrls)
        ref_wav, got_wav = f"{work}/ref.wav", f"{work}/got.wav"
        for f in (ref_wav, got_wav):
            if os.path.exists(f):
                os.remove(f)
        p = ft.run([exe, "render", "-o", ref_wav, "--seconds", f"{self.a.seconds:g}", *sets],
                   ft.RUN_TIMEOUT_S)
        if p.returncode != 0:
            msg = " ".join(p.stderr.split())[-200:] or f"exit status {p.returncode}"
            return "SKIP", f"reference render failed: {msg}", None
        p = ft.run(self.impl_cmd(dsp, got_wav, sets), ft.RUN_TIMEOUT_S)
        if p.returncode != 0:
            why = self.llvm_rejects(dsp)
            if why:
                return "SKIP", why, None
            msg = " ".join((p.stderr or p.stdout).strip().split())[-300:]
            return "FAIL", f"{self.a.impl} render failed (exit {p.returncode}): {msg}", None
        if not os.path.exists(got_wav):
            return "FAIL", f"{self.a.impl} render exited 0 but wrote no file", None
        c = ft.compare(ref_wav, got_wav)
        if c["ok"] or self.a.impl != "kiln" or not self.a.ref:
            return ("PASS" if c["ok"] else "FAIL"), c["why"], c
        return self.second_opinion(dsp, work, sets, got_wav, c)

    def second_opinion(self, dsp, work, sets, got_wav, c):
        """Kiln differs from g++: compare with libfaust's two engines, which
        run the very code faust generates for Kiln. Faust's C++ backend and
        its LLVM/interpreter backends do not always generate the same
        expression: the C++ printer writes `a + (b + c)` as `a + b + c`,
        which C++ evaluates as `(a + b) + c`; libfaust's LLVM backend then
        reassociates under fast-math, while its interpreter evaluates faust's
        code operation by operation in IEEE arithmetic, as Kiln does. Where
        the references part ways like this, matching one of faust's own
        engines is a pass, and the line says which."""
        ft, vs_gxx = self.ft, f"g++ differs: max_diff={c['maxdiff']:.3g} rel={c['rel']:.3g}"
        results = {}
        for backend, label in (("llvm", "libfaust LLVM"), ("interp", "libfaust interpreter")):
            wav = f"{work}/libfaust-{backend}.wav"
            p = ft.run([self.a.ref, "render", "--backend", backend, dsp, "-o", wav,
                        "--seconds", f"{self.a.seconds:g}", *sets, "--", *ft.FAUST_ARGS],
                       ft.RUN_TIMEOUT_S)
            if p.returncode != 0:
                return "FAIL", f"{c['why']} ({label} failed too: {p.stderr.strip()[-100:]})", c
            lf = ft.compare(wav, got_wav)
            if lf["ok"]:
                return "PASS", f"matches {label} (max_diff={lf['maxdiff']:.3g}); {vs_gxx}", lf
            results[label] = (wav, lf)
        (lw, llvm), (iw, interp) = results["libfaust LLVM"], results["libfaust interpreter"]
        refs = [ft.compare(f"{work}/ref.wav", lw), ft.compare(f"{work}/ref.wav", iw),
                ft.compare(lw, iw)]
        if not all(r["ok"] for r in refs):  # no authoritative output at this tolerance
            return "SKIP", (f"ill-conditioned at this tolerance: the references disagree "
                            f"(g++ vs libfaust LLVM rel {refs[0]['rel']:.3g}, vs libfaust "
                            f"interpreter rel {refs[1]['rel']:.3g}); Kiln vs g++ rel "
                            f"{c['rel']:.3g}, vs LLVM {llvm['rel']:.3g}, vs interpreter "
                            f"{interp['rel']:.3g}"), None
        return "FAIL", f"{c['why']}; libfaust LLVM and interpreter differ too: {llvm['why']}", c


def fmt_line(status, rel, detail, c, secs):
    nums = ""
    if c is not None and c["peak"] == c["peak"]:
        nums = f" max_diff={c['maxdiff']:.3g} peak={c['peak']:.3g}"
        nums += (f" rel={c['rel']:.3g} max_rel_err={c['maxrel']:.3g}" if c["peak"] > 0
                 else " (silent)")
    text = f"{status:4} {rel}{nums}"
    if detail:
        text += f" — {detail}"
    return text + f" [{secs:.1f}s]"


def main():
    a = parse_args()
    sys.path.insert(0, os.path.join(a.root, "bench", "faust"))
    import faust_tools as ft
    examples = a.examples or ft.EXAMPLES
    if a.impl == "kiln" and not a.kiln:
        sys.exit("run_corpus: error: --impl kiln needs --kiln")
    if a.impl != "kiln" and not a.ref:
        sys.exit(f"run_corpus: error: --impl {a.impl} needs --ref")
    if a.list:
        names = [l.split("#")[0].strip() for l in open(a.list)]
        dsps = [os.path.join(examples, n) for n in names if n]
    else:
        dsps = [os.path.abspath(d if os.path.exists(d) else os.path.join(examples, d))
                for d in a.dsps] or ft.list_corpus(examples)
    missing = [d for d in dsps if not os.path.isfile(d)]
    if missing:
        sys.exit(f"run_corpus: error: no such DSP: {', '.join(missing)}")
    runner = Runner(a, ft)
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    matched = {"libfaust LLVM": 0, "libfaust interpreter": 0}
    worst = (0.0, None)
    with tempfile.TemporaryDirectory() as work:
        for dsp in dsps:
            rel = os.path.relpath(dsp, examples) if dsp.startswith(examples) else dsp
            t0 = time.perf_counter()
            try:
                status, detail, c = runner.check(dsp, work)
            except Exception as e:  # a broken WAV or harness: report, go on
                status, detail, c = "FAIL", f"{type(e).__name__}: {e}", None
            counts[status] += 1
            for engine in matched:
                if status == "PASS" and detail and detail.startswith(f"matches {engine} "):
                    matched[engine] += 1
            if c is not None and c["peak"] > 0 and c["rel"] > worst[0]:
                worst = (c["rel"], rel)
            print(fmt_line(status, rel, detail, c, time.perf_counter() - t0), flush=True)
    compiled = counts["PASS"] + counts["FAIL"]
    print(f"passed {counts['PASS']} / compiled {compiled} (total {len(dsps)}); "
          f"{counts['SKIP']} skipped; impl {a.impl}")
    if any(matched.values()):
        print("passes matching a libfaust engine instead of g++: " +
              ", ".join(f"{n} {k}" for k, n in matched.items()))
    if worst[1]:
        print(f"largest max|diff|/peak: {worst[0]:.3g} ({worst[1]})")
    bad = counts["FAIL"] > 0 or compiled == 0 or (a.require_all and counts["SKIP"] > 0)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
