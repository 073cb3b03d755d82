#!/usr/bin/env python3
"""mandelbrot: compute a Mandelbrot set with Relay through kiln.relay and save
it as a PNG (Debian's python3-matplotlib, Agg backend).

    /usr/bin/python3 examples/embed/mandelbrot.py OUTDIR [WIDTH HEIGHT]

The Relay function is JIT-compiled once and called with numbers; it returns
the escape-time counts as one array, which arrives as a NumPy array. Writes
OUTDIR/mandelbrot.png and prints the totals. Run by the test
python.examples, which checks the picture is not blank.
"""
import os
import sys
import time

try:
    import kiln.relay
except ImportError:  # run from a source tree: the package is in python/
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                    "python"))
    import kiln.relay
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SOURCE = """
fn mandelbrot(width: number, height: number, max_iter: number) -> array {
    let counts = []
    for y in 0..height {
        for x in 0..width {
            let c_re = -2.2 + x * 3.2 / width
            let c_im = -1.2 + y * 2.4 / height
            let z_re = 0.0
            let z_im = 0.0
            let i = 0
            while i < max_iter && z_re * z_re + z_im * z_im <= 4.0 {
                let t = z_re * z_re - z_im * z_im + c_re
                z_im = 2.0 * z_re * z_im + c_im
                z_re = t
                i = i + 1
            }
            counts.push(i)
        }
    }
    return counts
}
"""


def main():
    if len(sys.argv) not in (2, 4):
        sys.exit("usage: mandelbrot.py OUTDIR [WIDTH HEIGHT]")
    width, height = (int(v) for v in sys.argv[2:4]) if len(sys.argv) == 4 else (480, 360)
    t0 = time.perf_counter()
    program = kiln.relay.compile(SOURCE, file="mandelbrot.relay", mode="jit")
    t1 = time.perf_counter()
    counts = program.mandelbrot(width, height, 200)
    t2 = time.perf_counter()
    image = counts.reshape(height, width)
    os.makedirs(sys.argv[1], exist_ok=True)
    path = os.path.join(sys.argv[1], "mandelbrot.png")
    plt.imsave(path, image, cmap="magma")
    inside = int((image == 200).sum())
    print(f"{width}x{height}: {int(image.sum())} iterations, {inside} points inside")
    print(f"compile {1e3 * (t1 - t0):.1f} ms, run {1e3 * (t2 - t1):.1f} ms; wrote {path}")


if __name__ == "__main__":
    main()
