"""faust_tools: what the Faust equivalence corpus and the Faust benchmarks
share — the corpus listing and its skip reasons, the cached g++ reference
build (`faust -lang cpp -a bench/faust/arch_render.cpp` + `g++ -O3
-march=native`), float-WAV reading and the sample-by-sample comparison.

Used by test/faust/corpus/run_corpus.py and bench/faust_report.py; needs
NumPy (Debian's /usr/bin/python3).
"""
import hashlib, os, re, shutil, struct, subprocess, tempfile

import numpy as np

EXAMPLES = "/usr/share/doc/faust-common/examples"
SAMPLE_RATE = 44100
# Pass when max |diff| <= REL_TOL * peak (peak over the reference output);
# a silent reference requires max |diff| <= SILENT_TOL.
REL_TOL, SILENT_TOL = 2e-3, 1e-6
GXX_FLAGS = ["-O3", "-march=native", "-std=c++17", "-w"]
# The equivalence reference adds -ffp-contract=off: g++ (GNU mode) fuses
# a*b+c into FMA by default, a rounding the C++ source does not ask for and
# that neither LLVM backend (libfaust's or Kiln's) applies; with it off, g++
# computes what faust's code says in IEEE arithmetic, as Kiln does.
GXX_EQUIV_FLAGS = GXX_FLAGS + ["-ffp-contract=off"]
FAUST_TIMEOUT_S, GXX_TIMEOUT_S, RUN_TIMEOUT_S = 900, 600, 900
# faust aborts a compilation after 120 s of wall time by default; on a loaded
# machine the largest examples need more, so every faust run (the reference's,
# Kiln's and libfaust's) gets the same `-t 0` (no limit) and our own timeout.
FAUST_ARGS = ["-t", "0"]


def list_corpus(examples=EXAMPLES):
    """Every .dsp below `examples`, as sorted absolute paths."""
    found = []
    for d, _, files in os.walk(examples):
        found += [os.path.join(d, f) for f in files if f.endswith(".dsp")]
    return sorted(found)


def source_skip_reason(dsp):
    """A reason to skip `dsp` that its source alone shows, or None."""
    text = open(dsp, errors="replace").read()
    code = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.S)
    if re.search(r"\bsoundfile\s*\(", code):
        return "needs a sound file (soundfile primitive)"
    return None


def faust_skip_reason(stderr, lang):
    """Classifies a faust rejection into a skip reason."""
    msg = " ".join(stderr.strip().split())
    if msg.startswith("timed out after"):
        return f"faust -lang {lang} did not finish ({msg})"
    if re.search(r"undefined symbol\s*:\s*process\b", msg):
        return "include-only library file (no `process` definition)"
    if "has no output signal" in msg:
        return "no outputs"
    return f"faust rejects it with -lang {lang}: {msg[:160]}"


def gxx_skip_reason(stderr):
    """The first error g++ gave on faust's C++ (e.g. an ffunction header
    that is not installed), without the temporary file's path."""
    m = re.search(r"(?:fatal )?error: .*", stderr)
    return "reference: g++ rejects faust's C++: " + (m.group(0) if m else stderr.strip())[:200]


def run(cmd, timeout, **kw):
    """subprocess.run with text output; a timeout becomes returncode 124, a
    program that cannot start 127."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, 124, "", f"timed out after {timeout} s")
    except OSError as e:  # e.g. the program is missing
        return subprocess.CompletedProcess(cmd, 127, "", f"cannot run {cmd[0]}: {e.strerror}")


class GxxReference:
    """Builds and caches the g++ reference program of a DSP.

    The cache key is the generated C++ (which embeds the architecture file)
    plus the harness headers and the compiler flags, so any change to the
    DSP, its imports, the harness or the flags rebuilds it."""

    def __init__(self, root, cache_dir, flags=GXX_FLAGS):
        self.root, self.cache, self.flags = root, cache_dir, list(flags)
        self.arch = f"{root}/bench/faust/arch_render.cpp"
        self.includes = [f"{root}/include", f"{root}/bench/faust",
                         f"{root}/frontends/faust/harness"]
        headers = [f"{root}/frontends/faust/harness/Drive.h", f"{root}/bench/faust/Harness.h",
                   f"{root}/bench/faust/WavFile.h"]
        h = hashlib.sha256(" ".join(self.flags).encode())
        for p in headers:
            h.update(open(p, "rb").read())
        self.salt = h.hexdigest()
        os.makedirs(cache_dir, exist_ok=True)

    def build(self, dsp, faust_args=()):
        """Returns (exe, None) or (None, (kind, message)); kind is "faust"
        (faust rejected the DSP) or "gxx" (the generated C++ failed)."""
        with tempfile.TemporaryDirectory(dir=self.cache) as tmp:
            cpp = f"{tmp}/dsp.cpp"
            p = run(["faust", "-lang", "cpp", *FAUST_ARGS, "-I", os.path.dirname(dsp), *faust_args,
                     "-a", self.arch, dsp, "-o", cpp], FAUST_TIMEOUT_S)
            if p.returncode != 0:
                return None, ("faust", p.stderr or p.stdout or
                              f"no message, exit status {p.returncode}")
            key = hashlib.sha256((self.salt + os.path.dirname(dsp)).encode() +
                                 open(cpp, "rb").read()).hexdigest()[:24]
            exe = f"{self.cache}/{key}"
            if os.path.exists(exe):
                return exe, None
            incs = [*self.includes, os.path.dirname(dsp)]  # ffunction headers
            cmd = ["g++", *self.flags, *[f"-I{i}" for i in incs], cpp,
                   "-o", f"{tmp}/prog", "-lsndfile"]
            p = run(cmd, GXX_TIMEOUT_S)
            if p.returncode != 0:
                return None, ("gxx", p.stderr[-2000:])
            os.replace(f"{tmp}/prog", exe)  # atomic: concurrent runs are safe
            return exe, None


def params(exe):
    """(inputs, outputs, [(kind, path)]) from the reference's `params`."""
    p = run([exe, "params"], RUN_TIMEOUT_S)
    if p.returncode != 0:
        raise RuntimeError(f"{exe} params failed: {p.stderr.strip()}")
    lines = p.stdout.split("\n")
    nin, nout = int(lines[0].split(":")[1]), int(lines[1].split(":")[1])
    ctrls = [tuple(l.split(" ", 1)) for l in lines[2:] if l]
    return nin, nout, ctrls


def read_wav(path):
    """(sample rate, float32 array frames x channels) of a 32-bit float WAV."""
    data = open(path, "rb").read()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"{path}: not a RIFF/WAVE file")
    pos, fmt, samples = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
            if fmt[0] == 0xFFFE:  # WAVE_FORMAT_EXTENSIBLE: the subformat's first word
                fmt = (struct.unpack("<H", body[24:26])[0],) + fmt[1:]
        elif cid == b"data":
            samples = body
        pos += 8 + size + (size & 1)
    if fmt is None or samples is None:
        raise ValueError(f"{path}: no fmt or data chunk")
    tag, channels, rate, _, _, bits = fmt
    if tag != 3 or bits != 32:
        raise ValueError(f"{path}: not 32-bit IEEE float (format {tag}, {bits} bits)")
    a = np.frombuffer(samples[:len(samples) // (4 * channels) * 4 * channels], dtype="<f4")
    return rate, a.reshape(-1, channels)


def compare(ref_wav, got_wav):
    """Compares two renders sample by sample. Returns a dict with ok, why,
    maxdiff, peak, rel (max |diff| / peak) and maxrel (largest per-sample
    |diff| / |ref| over samples with |ref| >= 1e-3 * peak)."""
    r_rate, ref = read_wav(ref_wav)
    g_rate, got = read_wav(got_wav)
    res = {"ok": False, "why": "", "maxdiff": float("nan"), "peak": float("nan"),
           "rel": float("nan"), "maxrel": float("nan")}
    if (r_rate, ref.shape) != (g_rate, got.shape):
        res["why"] = (f"shape differs: reference {ref.shape[1]} ch x {ref.shape[0]} frames "
                      f"@ {r_rate} Hz, got {got.shape[1]} ch x {got.shape[0]} @ {g_rate}")
        return res
    ref, got = ref.astype(np.float64), got.astype(np.float64)
    fr, fg = np.isfinite(ref), np.isfinite(got)
    same_nonfinite = (~fr & ~fg) & ((ref == got) | (np.isnan(ref) & np.isnan(got)))
    if np.any(fr != fg) or np.any(~fr & ~same_nonfinite):
        res["why"] = "non-finite samples differ"
        return res
    diff = np.abs(np.where(fr, ref - got, 0.0))
    peak = float(np.max(np.abs(np.where(fr, ref, 0.0)))) if ref.size else 0.0
    res["maxdiff"], res["peak"] = float(diff.max()) if diff.size else 0.0, peak
    if peak > 0:
        res["rel"] = res["maxdiff"] / peak
        big = fr & (np.abs(ref) >= 1e-3 * peak)
        res["maxrel"] = float(np.max(diff[big] / np.abs(ref[big]))) if big.any() else 0.0
        res["ok"] = res["maxdiff"] <= REL_TOL * peak
        if not res["ok"]:
            res["why"] = f"max |diff| {res['maxdiff']:.3g} > {REL_TOL:g} x peak {peak:.3g}"
    else:
        res["ok"] = res["maxdiff"] <= SILENT_TOL
        if not res["ok"]:
            res["why"] = f"silent reference but max |diff| {res['maxdiff']:.3g} > {SILENT_TOL:g}"
    return res


def held_buttons(ctrls):
    """--set arguments holding every button down for the whole render (so
    instruments play a note; the same in every implementation)."""
    out = []
    for kind, path in ctrls:
        if kind == "button":
            out += ["--set", f"{path}=1"]
    return out
