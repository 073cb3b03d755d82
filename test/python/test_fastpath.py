"""python.fastpath: the optional compiled fast path (kiln._kiln_fast).

ctest runs every python.* test twice, with the extension (when the build
made it) and with KILN_PYTHON_NO_EXTENSION=1; this file checks what is
particular to the extension: that it is used exactly when it should be,
that a script of good and bad calls prints the same results and the same
exceptions on both paths (run in two subprocesses), and that the hot calls
release the GIL — proved without timing: the main thread sees the output
half written, which it could not if the calling thread held the GIL for the
whole call. (A Faust compute predicted to take under 2 µs keeps the GIL, as
NumPy keeps it for short loops; the long computes here are far above that.)
"""
import array
import os
import subprocess
import sys
import threading

from kilntest import ROOT, TempDirTest, kiln, main, needs_numpy, np
import kiln._fastpath as fastpath
import kiln.faust as faust
import kiln.tensor

EXPECTED = os.environ.get("KILN_PYTHON_EXTENSION", "")  # set by ctest when it is built
DISABLED = os.environ.get("KILN_PYTHON_NO_EXTENSION", "") not in ("", "0")

# Good and bad calls on every path the extension takes; each line printed
# is a result or `ExceptionType: message`.
SCRIPT = r'''
import array, sys
import numpy as np
import kiln, kiln.faust as faust, kiln.tensor

def show(what, fn):
    try:
        r = fn()
        r = r.tolist() if isinstance(r, np.ndarray) else r
        print(what, "->", repr(r))
    except Exception as e:
        print(what, "!!", type(e).__name__ + ":", e)

p = kiln.tensor.compile("""
kernel inc(a: f32[]) -> f32[] = a + 1.0
kernel dot(a: f32[], b: f32[]) -> f32 = sum(a * b)
kernel isum(a: i32[]) -> i32 = sum(a)
""")
a = np.arange(8, dtype=np.float32); o = np.zeros(8, np.float32)
ia = np.arange(5, dtype=np.int32)
for i in range(3):
    show(f"inc {i}", lambda: p.inc(a, out=o))
    show(f"dot {i}", lambda: p.dot(a, a))
    show(f"isum {i}", lambda: p.isum(ia))
show("inc args", lambda: p.inc(a, a, out=o))
show("inc keyword", lambda: p.inc(a, out=o, thread=1))
show("inc threads", lambda: p.inc(a, out=o, threads=-1))
a.dtype = np.int32  # the cached call goes stale
show("inc retyped", lambda: p.inc(a, out=o))
a.dtype = np.float32
show("inc again", lambda: p.inc(a, out=o))
ro8 = np.zeros(8, np.float32); ro8.setflags(write=False)
show("inc readonly", lambda: p.inc(a, out=ro8))
o2 = np.zeros(8, np.float32)
for i in range(3):  # other ids each time: the C path's memo of the last key
    show(f"alternate {i}", lambda: (p.inc(a, out=o).tolist(), p.inc(o, out=o2).tolist(),
                                    p.dot(o, o2), p.inc(o2, out=o).tolist()))
for i in range(12):  # more entries than a kernel keeps: the oldest are dropped
    x = np.full(4, i, np.float32)
    show(f"many {i}", lambda: [p.inc(x, out=x).tolist() for _ in range(3)][-1])
b = p.inc.bind(a, out=o)
show("bound", b)
show("bound run", b.run)
d = p.dot.bind(a, a)
show("bound dot", d)
show("bound dot run", lambda: (d.run(), d.value))
p.isum.close()
show("kernel closed", lambda: p.isum(ia))
b.close()
show("bound closed", b)
show("bound closed run", b.run)

f = faust.create_dsp_factory_from_string("split", "process = _ <: *(0.5), *(2);", [])
dsp = f.create_dsp_instance(); dsp.init(48000)
ins = np.arange(16, dtype=np.float32).reshape(1, 16); outs = np.zeros((2, 16), np.float32)
for i in range(2):
    show(f"compute {i}", lambda: (dsp.compute(16, ins, outs), outs.sum())[1])
show("compute count", lambda: dsp.compute(32, ins, outs))
show("compute bool", lambda: dsp.compute(True, ins, outs))
show("compute negative", lambda: dsp.compute(-1, ins, outs))
show("compute float64", lambda: dsp.compute(16, ins, np.zeros((2, 16))))
ro = np.zeros((2, 16), np.float32); ro.setflags(write=False)
show("compute readonly", lambda: dsp.compute(16, ins, ro))
show("compute strided", lambda: dsp.compute(16, ins, np.zeros((16, 2), np.float32).T))
show("compute channels", lambda: dsp.compute(16, ins, np.zeros((3, 16), np.float32)))
show("compute no inputs", lambda: dsp.compute(16, None, outs))
long_in = np.arange(64, dtype=np.float32).reshape(1, 64); long_out = np.zeros((2, 64), np.float32)
for s in range(0, 64, 16):  # a new slice per block: not the cached arrays
    show(f"slices {s}", lambda: (dsp.compute(16, long_in[:, s:s + 16], long_out[:, s:s + 16]),
                                 long_out.sum())[1])
show("slices short", lambda: dsp.compute(16, long_in[:, 60:], long_out[:, :16]))
show("slices strided", lambda: dsp.compute(8, long_in[:, ::2], long_out[:, :8]))
show("slices rows", lambda: dsp.compute(8, long_in, long_out[:1]))
show("slices doubles", lambda: dsp.compute(8, long_in.astype(np.float64), long_out))
show("slices transposed", lambda: dsp.compute(1, long_in, np.zeros((64, 2), np.float32).T))
chans = [array.array("f", bytes(64)), array.array("f", bytes(64))]
show("list", lambda: (dsp.compute(16, [array.array("f", range(16))], chans), sum(chans[1]))[1])
show("tuple", lambda: dsp.compute(8, (memoryview(ins[0]),), (outs[0], outs[1])))
show("list short", lambda: dsp.compute(16, [array.array("f", range(8))], chans))
show("list count", lambda: dsp.compute(16, [ins[0]], chans[:1]))
show("list doubles", lambda: dsp.compute(16, [array.array("d", range(16))], chans))
show("list 2-D", lambda: dsp.compute(16, [memoryview(ins)], chans))
show("list strided", lambda: dsp.compute(4, [ins[0, ::2]], chans))
show("list readonly", lambda: dsp.compute(16, [ins[0]], [memoryview(bytes(64)).cast("f")] * 2))
show("list bytes", lambda: dsp.compute(16, [bytearray(64)], chans))
dsp.close()
show("compute closed", lambda: dsp.compute(16, ins, outs))
show("list closed", lambda: dsp.compute(16, [ins[0]], chans))
'''


def run_script(disable):
    env = dict(os.environ)
    env.pop("KILN_PYTHON_NO_EXTENSION", None)
    if disable:
        env["KILN_PYTHON_NO_EXTENSION"] = "1"
    code = f"import sys; sys.path.insert(0, {os.path.join(ROOT, 'python')!r})\n" + SCRIPT
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout.splitlines()


class Selection(TempDirTest):
    def test_used_exactly_when_built_and_not_disabled(self):
        if DISABLED:
            self.assertIsNone(fastpath.ext)
            self.assertEqual(fastpath.describe(), "ctypes (KILN_PYTHON_NO_EXTENSION is set)")
            self.assertIs(kiln.tensor.Kernel.__call__, kiln.tensor.Kernel._call)
        elif EXPECTED:
            self.assertIsNotNone(fastpath.ext, fastpath.describe())
            self.assertEqual(kiln.fast_path(), f"extension {EXPECTED}")
            self.assertIsInstance(kiln.tensor.Kernel.__call__, fastpath.ext.Method)
            self.assertIs(faust.Dsp.compute.__wrapped__, faust.Dsp._compute)
            self.assertEqual(faust.Dsp.compute.__doc__, faust.Dsp._compute.__doc__)
        else:
            print("the extension is not built here (no python3-dev?): only the ctypes path "
                  f"is checked; {fastpath.describe()}")
            self.assertIsNone(fastpath.ext)

    @needs_numpy
    def test_same_results_and_errors_on_both_paths(self):
        ctypes_lines = run_script(disable=True)
        self.assertGreater(len(ctypes_lines), 40)
        self.assertTrue(any(" !! InvalidArgument: " in x for x in ctypes_lines))
        self.assertIn("bound closed !! ClosedError: this BoundCall is closed", ctypes_lines)
        if not EXPECTED:
            print("the extension is not built here: nothing to compare the ctypes path with")
            return
        fast_lines = run_script(disable=False)
        self.assertEqual(fast_lines, ctypes_lines)


def python_calls(fn):
    """The Python functions that run while fn() runs (sys.setprofile)."""
    names = []

    def profile(frame, event, _arg):
        if event == "call":
            names.append(frame.f_code.co_name)
    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return names


@needs_numpy
class TakesTheCalls(TempDirTest):
    """With the extension, the hot calls run no Python code at all; without
    it, they run the Python methods."""

    def check(self, fn, method):
        names = python_calls(fn)
        self.assertEqual(method not in names, fastpath.ext is not None, names)

    def test_tensor(self):
        p = kiln.tensor.compile("kernel inc(a: f32[]) -> f32[] = a + 1.0")
        a, o = np.zeros(4, np.float32), np.zeros(4, np.float32)
        for _ in range(3):
            p.inc(a, out=o)
        k, b = p.inc, p.inc.bind(a, out=o)
        self.check(lambda: k(a, out=o), "_call")
        self.check(b, "_call")
        self.assertEqual(o.tolist(), [1.0] * 4)

    def test_faust(self):
        dsp = faust.create_dsp_factory_from_string("gain", "process = *(2);", [])
        dsp = dsp.create_dsp_instance()
        dsp.init(48000)
        ins, outs = np.ones((1, 8), np.float32), np.zeros((1, 8), np.float32)
        dsp.compute(8, ins, outs)
        self.check(lambda: dsp.compute(8, ins, outs), "_compute")
        chan = array.array("f", bytes(32))
        self.check(lambda: dsp.compute(8, [ins[0]], [chan]), "_compute")
        self.assertEqual(list(chan), [2.0] * 8)
        long_out = np.zeros((1, 16), np.float32)  # a new slice each call
        self.check(lambda: dsp.compute(8, ins, long_out[:, 8:]), "_compute")
        self.assertEqual(long_out.tolist(), [[0.0] * 8 + [2.0] * 8])


SPIN_N = 1 << 24  # elements: long enough (tens of ms) for the main thread to look


@needs_numpy
class ReleasesTheGil(TempDirTest):
    def observe(self, call, out, first, last):
        """True when, while `call` runs on another thread, the main thread
        sees `out` written at `first` but not yet at `last`."""
        for _attempt in range(100):  # a loaded machine may not schedule us at once
            out[...] = 0
            t = threading.Thread(target=call)
            t.start()
            seen = False
            while t.is_alive() and not seen:
                seen = out[first] != 0 and out[last] == 0
            t.join()
            if seen:
                return True
        return False

    def test_tensor_calls(self):
        p = kiln.tensor.compile("kernel inc(a: f32[]) -> f32[] = a + 1.0")
        a, o = np.zeros(SPIN_N, np.float32), np.zeros(SPIN_N, np.float32)
        for _ in range(3):  # the replayed plain call
            p.inc(a, out=o, threads=1)
        b = p.inc.bind(a, out=o, threads=1)
        self.assertTrue(self.observe(lambda: p.inc(a, out=o, threads=1), o, 0, -1))
        self.assertTrue(self.observe(b, o, 0, -1))
        self.assertTrue(self.observe(b.run, o, 0, -1))

    def test_faust_compute(self):
        dsp = faust.create_dsp_factory_from_string("one", "process = 1;", []).create_dsp_instance()
        dsp.init(48000)
        outs = np.zeros((1, SPIN_N), np.float32)
        dsp.compute(SPIN_N, None, outs)  # prepares the cached call
        self.assertTrue(self.observe(lambda: dsp.compute(SPIN_N, None, outs), outs,
                                     (0, 0), (0, -1)))
        small = np.zeros((1, 16), np.float32)
        for _ in range(1000):  # a light block: predicted short, computed holding the GIL
            dsp.compute(16, None, small)
        self.assertEqual(small.tolist(), [[1.0] * 16])
        # the prediction scales with the frame count: a long block still releases
        self.assertTrue(self.observe(lambda: dsp.compute(SPIN_N, None, outs), outs,
                                     (0, 0), (0, -1)))
        chan = np.zeros(SPIN_N, np.float32)  # a list of channels: not cached
        self.assertTrue(self.observe(lambda: dsp.compute(SPIN_N, None, [chan]), chan, 0, -1))

    def test_faust_new_instance_at_a_freed_address(self):
        """The estimate that lets a compute keep the GIL belongs to one
        instance: a heavy DSP created at the address of a freed light one is
        measured (GIL released) on its first compute, not run holding the
        GIL on the light one's estimate for the next 255 blocks."""
        light_f = faust.create_dsp_factory_from_string("light", "process = 1;", [])
        heavy_f = faust.create_dsp_factory_from_string(
            "heavy", "n = +(1) ~ _;\nprocess = n <: par(i, 400, *(i + 1) : sin) :> _;", [])
        big = np.ones((1, 1 << 20), np.float32)  # pages touched: a fair estimate
        light = light_f.create_dsp_instance()
        light.init(48000)
        for _ in range(2):  # ~0.3 ns a frame: 2,000 frames predicted far under 2 µs
            light.compute(1 << 20, None, big)
        address = int(light.handle)  # not the handle object, which would keep it
        light.close()
        heavy = heavy_f.create_dsp_instance()  # malloc hands back the freed block
        if heavy.handle != address:
            self.skipTest(f"the allocator did not reuse {address:#x} "
                          f"(got {heavy.handle:#x}); nothing to check")
        heavy.init(48000)
        outs = np.zeros((1, 2000), np.float32)  # ~6 ms of sines
        heavy.compute(0, None, outs)  # prepares the cached call (ctypes, no estimate)
        self.assertTrue(self.observe(lambda: heavy.compute(2000, None, outs), outs,
                                     (0, 0), (0, -1)))


if __name__ == "__main__":
    main()
