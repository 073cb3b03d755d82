#!/usr/bin/env python3
"""faust_render: render a Faust DSP to NumPy with kiln.faust and save its
waveform and spectrum as PNG (Debian's python3-matplotlib, Agg backend).

    /usr/bin/python3 examples/embed/faust_render.py OUTDIR

A sawtooth through a resonant low-pass filter, rendered in 256-frame blocks
as an audio host would, with the filter's cutoff swept between blocks
through the DSP's parameter path. Writes OUTDIR/faust_waveform.png and
OUTDIR/faust_spectrum.png and prints what it rendered. Run by the test
python.examples, which checks that both pictures are not blank.
"""
import os
import sys

try:
    import kiln.faust as faust
except ImportError:  # run from a source tree: the package is in python/
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                    "python"))
    import kiln.faust as faust
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

CODE = """
declare name "sweep";
import("stdfaust.lib");
freq = hslider("freq", 110, 20, 2000, 1);
cutoff = hslider("cutoff", 400, 50, 8000, 1);
process = os.sawtooth(freq) : fi.resonlp(cutoff, 5, 0.5);
"""
RATE, BLOCK, SECONDS = 48000, 256, 1.0


def render():
    """The DSP's output, float32 shaped (channels, frames)."""
    factory = faust.create_dsp_factory_from_string("sweep", CODE, [])
    dsp = factory.create_dsp_instance()
    dsp.init(RATE)
    frames = int(RATE * SECONDS) // BLOCK * BLOCK
    out = np.zeros((dsp.get_numoutputs(), frames), dtype=np.float32)
    for start in range(0, frames, BLOCK):
        dsp.set_param_value("/sweep/cutoff", 200 + 4000 * start / frames)
        dsp.compute(BLOCK, None, out[:, start:start + BLOCK])  # writes in place
    return out


def plot(signal, outdir):
    t = np.arange(signal.size) / RATE
    fig, ax = plt.subplots(figsize=(8, 3))
    first = slice(0, RATE // 20)  # 50 ms
    ax.plot(t[first] * 1000, signal[first], linewidth=0.8)
    ax.set(xlabel="time (ms)", ylabel="amplitude", title="sweep: first 50 ms")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "faust_waveform.png"), dpi=80)
    plt.close(fig)
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(signal.size)))
    freqs = np.fft.rfftfreq(signal.size, 1 / RATE)
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.semilogx(freqs[1:], 20 * np.log10(spectrum[1:] / spectrum.max() + 1e-12), linewidth=0.6)
    ax.set(xlabel="frequency (Hz)", ylabel="dB", title="sweep: spectrum", ylim=(-100, 5))
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "faust_spectrum.png"), dpi=80)
    plt.close(fig)
    return freqs[np.argmax(spectrum)]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: faust_render.py OUTDIR")
    os.makedirs(sys.argv[1], exist_ok=True)
    out = render()
    peak = plot(out[0], sys.argv[1])
    print(f"rendered {out.shape[1]} frames x {out.shape[0]} channel(s), "
          f"peak |x| {np.abs(out).max():.3f}, strongest partial {peak:.0f} Hz")
    print(f"wrote faust_waveform.png and faust_spectrum.png to {sys.argv[1]}")


if __name__ == "__main__":
    main()
