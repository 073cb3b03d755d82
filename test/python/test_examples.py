"""python.examples: the Python examples in examples/embed run with Debian's
python3 and write pictures that are not blank (more than one distinct pixel
value; the Mandelbrot picture many), into a temporary folder."""
import os
import subprocess
import sys
import unittest

from kilntest import ROOT, TempDirTest, main, np

try:
    import matplotlib.image
except ImportError:
    matplotlib = None


@unittest.skipIf(np is None or matplotlib is None,
                 "needs python3-numpy and python3-matplotlib (scripts/setup-deps)")
class Examples(TempDirTest):
    def run_example(self, name, *args):
        env = dict(os.environ, MPLCONFIGDIR=os.path.join(self.tmp, "mpl"),
                   PYTHONPATH=os.path.join(ROOT, "python"))
        p = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "embed", name),
                            self.tmp, *args], capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def distinct_pixels(self, name):
        path = os.path.join(self.tmp, name)
        self.assertTrue(os.path.getsize(path) > 1000, path)
        pixels = matplotlib.image.imread(path)
        return len(np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0))

    def test_faust_render(self):
        out = self.run_example("faust_render.py")
        self.assertRegex(out, r"rendered 47872 frames x 1 channel\(s\), peak \|x\| [0-9.]+, "
                              r"strongest partial 110 Hz")
        self.assertGreater(self.distinct_pixels("faust_waveform.png"), 1)
        self.assertGreater(self.distinct_pixels("faust_spectrum.png"), 1)

    def test_mandelbrot(self):
        out = self.run_example("mandelbrot.py", "160", "120")
        self.assertIn(f"160x120: {reference_mandelbrot(160, 120, 200)} iterations", out)
        self.assertGreater(self.distinct_pixels("mandelbrot.png"), 20)


def reference_mandelbrot(width, height, max_iter):
    """The example's escape-time counts, summed, computed by NumPy."""
    x, y = np.meshgrid(np.arange(width), np.arange(height))
    c_re, c_im = -2.2 + x * 3.2 / width, -1.2 + y * 2.4 / height
    z_re, z_im = np.zeros_like(c_re), np.zeros_like(c_im)
    counts = np.zeros(c_re.shape, dtype=np.int64)
    for _ in range(max_iter):
        live = z_re * z_re + z_im * z_im <= 4.0
        t = z_re * z_re - z_im * z_im + c_re
        z_im = np.where(live, 2.0 * z_re * z_im + c_im, z_im)
        z_re = np.where(live, t, z_re)
        counts += live
    return int(counts.sum())


if __name__ == "__main__":
    main()
