"""python.hostile: misuse and hostile input through the Python binding (issue
14, Robustness) — closed objects, wrong dtypes, non-contiguous and negative
strides, 0-d and read-only arrays, bytes against str, hostile sources and
options, and threads racing a close. Each is a specific Kiln exception (with
its line for source errors) or the right result, never a crash."""
import ctypes
import threading

from kilntest import TempDirTest, kiln, main, needs_numpy, np
import kiln.faust
import kiln.ir
import kiln.relay
import kiln.tensor

KERNELS = """
kernel scale(a: f32[], s: f32) -> f32[] = a * s
kernel total(a: f64[]) -> f64 = sum(a)
"""

IDENTITY_IR = "define i32 @f(i32 %a) {\n  ret i32 %a\n}\n"

RELAY = """fn at(a: array, i: number) -> number {
  return a[i]
}
fn add(a: number, b: number) -> number {
  return a + b
}
"""


@needs_numpy
class TensorArrays(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.p = kiln.tensor.compile(KERNELS, file="h.tk")

    def test_wrong_dtypes_are_invalid_arguments(self):
        a = np.arange(8, dtype=np.float32)
        for bad in (a.astype(np.float64), np.arange(8), np.zeros(4, dtype=np.complex64),
                    np.zeros(4, dtype=[("x", "f4")]), np.arange(4, dtype=">f4"),
                    bytearray(16), b"abcd"):
            with self.subTest(bad=getattr(bad, "dtype", type(bad))):
                with self.assertRaises(kiln.InvalidArgument):
                    self.p.scale(bad, 2.0)
        for bad in ("abcd", None):
            with self.assertRaisesRegex(kiln.InvalidArgument, "expected an array"):
                self.p.scale(bad, 2.0)
        with self.assertRaisesRegex(kiln.InvalidArgument, "expected a number"):
            self.p.scale(a, "2")
        for odd in (np.array([1.0, None], dtype=object),
                    np.array(["2020-01-01"], dtype="datetime64[ns]")):
            with self.assertRaisesRegex(kiln.InvalidArgument, "not one of Kiln's"):
                self.p.scale(odd, 2.0)
        with self.assertRaisesRegex(kiln.InvalidArgument, "rank 5"):
            self.p.scale(np.zeros((1, 1, 1, 1, 2), np.float32), 2.0)

    def test_argument_counts(self):
        a = np.arange(8, dtype=np.float32)
        with self.assertRaisesRegex(kiln.InvalidArgument, "takes 2 argument"):
            self.p.scale(a)
        with self.assertRaisesRegex(kiln.InvalidArgument, "takes 2 argument"):
            self.p.scale(a, 2.0, 3.0)

    def test_strides_and_zero_d(self):
        base = np.arange(24, dtype=np.float32)
        np.testing.assert_array_equal(self.p.scale(base[::3], 2.0), base[::3] * 2)
        np.testing.assert_array_equal(self.p.scale(base[::-5], 2.0), base[::-5] * 2)
        grid = base.reshape(4, 6)[:, ::-2].T  # 2-D, transposed and reversed
        np.testing.assert_array_equal(self.p.scale(grid, 0.5), grid * 0.5)
        zero_d = np.array(3, dtype=np.float32)
        got = self.p.scale(zero_d, 2.0)
        self.assertEqual((got.shape, float(got)), ((), 6.0))
        self.assertEqual(self.p.total(np.broadcast_to(np.float64(2), (5,))), 10.0)
        self.assertEqual(self.p.total(np.zeros(0)), 0.0)
        # Misaligned float64 data (one byte off) is read correctly.
        raw = np.zeros(8 * 4 + 1, np.uint8)
        raw[1:].view(np.float64)[:] = [1.5, 2.5, 3.5, 4.5]
        self.assertEqual(self.p.total(raw[1:].view(np.float64)), 12.0)

    def test_out_arrays(self):
        a = np.arange(8, dtype=np.float32)
        ro = np.zeros(8, np.float32)
        ro.flags.writeable = False
        with self.assertRaisesRegex(kiln.InvalidArgument, "read-only"):
            self.p.scale(a, 2.0, out=ro)
        self.assertTrue((ro == 0).all())
        with self.assertRaisesRegex(kiln.InvalidArgument, "dtype float64"):
            self.p.scale(a, 2.0, out=np.zeros(8))
        with self.assertRaisesRegex(kiln.InvalidArgument, r"shape \[7\]"):
            self.p.scale(a, 2.0, out=np.zeros(7, np.float32))
        strided = np.full(16, -1.0, np.float32)
        self.p.scale(a, 2.0, out=strided[::2])
        np.testing.assert_array_equal(strided[::2], a * 2)
        self.assertTrue((strided[1::2] == -1).all())
        with self.assertRaises(kiln.InvalidArgument):
            self.p.total(a.astype(np.float64), out=np.zeros(1))


@needs_numpy
class FaustBuffers(TempDirTest):
    def test_buffers_are_checked_before_computing(self):
        f = kiln.faust.create_dsp_factory_from_string("mix", "process = +;")
        d = f.create_dsp_instance()
        d.init(48000)
        ins = np.ones((2, 8), np.float32)
        outs = np.full((1, 8), -1.0, np.float32)
        bad = [(9, ins, outs, "count is 9"), (2**40, ins, outs, "count is"),
               (8, ins.astype(np.float64), outs, "float64"),
               (4, ins[:, ::2], outs, "contiguous"),
               (8, np.ones(16, np.float32), outs, "shape"),
               (8, ins[:1], outs, "1 channel"), (-1, ins, outs, "non-negative"),
               (8.0, ins, outs, "non-negative int")]
        for count, i, o, why in bad:
            with self.subTest(why=why):
                with self.assertRaisesRegex(kiln.InvalidArgument, why):
                    d.compute(count, i, o)
        ro = np.zeros((1, 8), np.float32)
        ro.flags.writeable = False
        with self.assertRaisesRegex(kiln.InvalidArgument, "read-only"):
            d.compute(8, ins, ro)
        self.assertTrue((outs == -1).all())  # nothing written by a refused call
        d.compute(8, ins, outs)
        self.assertTrue((outs == 2).all())
        d.close()
        with self.assertRaises(kiln.ClosedError):
            d.compute(8, ins, outs)


class Sources(TempDirTest):
    def test_relay_hostile_sources(self):
        deep = "let x = 1\nlet y = " + "(" * 100000 + "1\n"
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.relay.compile(deep, file="deep.relay")
        self.assertEqual((cm.exception.file, cm.exception.line), ("deep.relay", 2))
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.relay.compile(b"let x = 1\nlet \xff = 1\n")
        self.assertEqual(cm.exception.line, 2)
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.relay.compile("let x = 1\nlet \0y = 2\n")
        self.assertEqual(cm.exception.line, 2)

    def test_tensor_hostile_sources(self):
        deep = "kernel k(a: f32[]) -> f32[] =\n" + "(" * 100000 + "a\n"
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.tensor.compile(deep)
        self.assertEqual(cm.exception.line, 2)
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.tensor.compile("kernel k(a: f32) -> f32 =\n a\0 + a")
        self.assertEqual(cm.exception.line, 2)

    def test_ir_hostile_input(self):
        with self.assertRaisesRegex(kiln.InvalidArgument, "must be str"):
            kiln.ir.Module(None)
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.ir.Module(b"BC\xc0\xde truncated bitcode")
        self.assertEqual(cm.exception.code_name, "parse")
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.ir.Module("define i32 @f() {\n  r\0et i32 1\n}\n", name="nul.ll")
        self.assertEqual((cm.exception.file, cm.exception.line), ("nul.ll", 2))
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.ir.Module("define @", name=b"\xff.ll")
        self.assertEqual(cm.exception.line, 1)
        with self.assertRaisesRegex(kiln.CompileError, "nesting too deep") as cm:
            kiln.ir.Module("\n@g = global " + "[1 x " * 50000 + "i8")
        self.assertEqual(cm.exception.line, 2)
        with self.assertRaisesRegex(kiln.InvalidArgument, "dominate"):
            kiln.ir.Module("define i32 @f() {\n  %x = add i32 %y, 1\n"
                           "  %y = add i32 %x, 1\n  ret i32 %x\n}\n")

    def test_faust_hostile_input(self):
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.faust.create_dsp_factory_from_string("bad", "\n\nprocess = nope;")
        self.assertEqual((cm.exception.code_name, cm.exception.line), ("type", 3))
        with self.assertRaisesRegex(kiln.InvalidArgument, r"argv\[1\] is NULL"):
            kiln.faust.create_dsp_factory_from_string("a", "process = +;", args=["-vec", None])
        with self.assertRaisesRegex(kiln.InvalidArgument, "no-such-option"):
            kiln.faust.create_dsp_factory_from_string("a", "process = +;",
                                                      args=["--no-such-option"])
        with self.assertRaisesRegex(kiln.InvalidArgument, "opt_level 9"):
            kiln.faust.create_dsp_factory_from_string("a", "process = +;", opt_level=9)
        with self.assertRaises(kiln.TargetError):
            kiln.faust.create_dsp_factory_from_string("a", "process = +;",
                                                      target="nonsense:cpu")
        with self.assertRaises(kiln.CompileError):
            kiln.faust.read_dsp_factory_from_ir("this is not IR")


class Options(TempDirTest):
    def test_engine_options(self):
        for level in (-1, 4, 2**31, "2"):
            with self.assertRaises(kiln.InvalidArgument):
                kiln.Engine(opt_level=level)
        for target in (":", "nonsense-triple:cpu", "aarch64-linux-gnu:znver5",
                       "x86_64" + "-abc" * 2500 + ":nope"):
            with self.assertRaises(kiln.TargetError):
                kiln.Engine(target=target)


    def test_thread_pool_size(self):
        e = kiln.Engine(threads=2**32 - 1)
        with self.assertRaisesRegex(kiln.InvalidArgument, "4294967295 threads"):
            kiln.tensor.compile(KERNELS, engine=e)


class Numbers(TempDirTest):
    """A Python number that does not fit the C type it becomes is an
    InvalidArgument naming it (ctypes wrapped it silently, float() raised a
    bare OverflowError)."""

    def refused(self, call, text):
        with self.assertRaises(kiln.InvalidArgument) as cm:
            call()
        self.assertIn(text, str(cm.exception))

    @needs_numpy
    def test_tensor_scalars_and_threads(self):
        p = kiln.tensor.compile("kernel f(x: i32[], k: i32) -> i32[] = x + k\n"
                                "kernel g(x: i64[], k: i64) -> i64[] = x + k\n"
                                "kernel h(x: f64[], k: f64) -> f64[] = x + k\n")
        x, y = np.arange(4, dtype=np.int32), np.arange(4, dtype=np.int64)
        out = np.full(4, 7, np.int32)
        self.refused(lambda: p.f(x, 2**40, out=out), "1099511627776 is out of range")
        self.assertEqual(out.tolist(), [7] * 4)  # nothing written (was x + 0)
        self.refused(lambda: p.f(2**31, 1), "2147483648 is out of range")
        self.refused(lambda: p.g(y, 2**64), "out of range")  # was struct.error
        self.refused(lambda: p.g(y, -2**63 - 1), "out of range")
        self.assertEqual(p.g(y, -2**63 + 10).tolist(), [-2**63 + 10 + i for i in range(4)])
        self.refused(lambda: p.h(y.astype(float), 10**400), "too large for a float64")
        for bad in (-1, 2**32, 2**64):
            self.refused(lambda: p.g(y, 1, threads=bad), "threads:")
            self.refused(lambda: p.g.bind(y, 1, threads=bad), "threads:")
        self.refused(lambda: kiln.Engine(threads=2**40), "threads:")

    def test_relay_ir_and_faust(self):
        prog = kiln.relay.compile(RELAY)
        self.refused(lambda: prog.call("add", 2**2000, 1), "an int of 2001 bits")
        self.refused(lambda: prog.call("at", [1, 2**2000], 0), "too large for a float64")
        self.assertEqual(prog.call("add", 2**70, 0), float(2**70))  # fits a double
        f = kiln.ir.compile(IDENTITY_IR).function("f", ctypes.c_int32, [ctypes.c_int32])
        self.refused(lambda: f(2**31), "out of range for c_int")  # ctypes gave -2**31
        self.assertEqual(f(-2**31), -2**31)
        d = kiln.ir.compile("define double @d(double %x) {\n  ret double %x\n}\n") \
            .function("d", ctypes.c_double, [ctypes.c_double])
        self.refused(lambda: d(10**400), "too large for a float64")
        self.assertEqual(d(2**70), float(2**70))
        fac = kiln.faust.create_dsp_factory_from_string("x", "process = _;", [])
        dsp = fac.create_dsp_instance()
        self.refused(lambda: dsp.init(2**40), "sample_rate: 1099511627776")  # was "0 is not positive"
        self.refused(lambda: kiln.faust.create_dsp_factory_from_string(
            "x", "process = _;", [], opt_level=2**40), "opt_level:")


class Names(TempDirTest):
    def test_a_nul_inside_a_name_is_refused(self):
        """ctypes would end the string at the NUL: "f\\0zzz" would find f."""
        m = kiln.ir.Module(IDENTITY_IR)
        with self.assertRaisesRegex(kiln.InvalidArgument, "NUL"):
            m.function("f\0zzz", ctypes.c_int32, [ctypes.c_int32])
        with self.assertRaisesRegex(kiln.InvalidArgument, "NUL"):
            kiln.Engine(target="x86_64\0evil")
        with self.assertRaisesRegex(kiln.InvalidArgument, "NUL"):
            kiln.relay.compile(RELAY).call("add\0x", 1, 2)
        self.assertEqual(m.function("f", ctypes.c_int32, [ctypes.c_int32])(5), 5)

    def test_undecodable_file_names_keep_their_bytes(self):
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.ir.Module("define @", name="\udcff.ll")  # os.fsdecode(b"\xff.ll")
        self.assertEqual(cm.exception.line, 1)


class Lifetimes(TempDirTest):
    def test_closed_objects(self):
        e = kiln.Engine()
        m = kiln.ir.Module(IDENTITY_IR, engine=e)
        f = m.function("f", ctypes.c_int32, [ctypes.c_int32])
        with self.assertRaisesRegex(kiln.InvalidArgument, "takes 1 argument"):
            f(1, 2)
        with self.assertRaises(kiln.LinkError):
            m.function("nope", ctypes.c_int32, [])
        e.close()
        self.assertEqual(f(7), 7)  # the module keeps its engine alive
        with self.assertRaises(kiln.ClosedError):
            kiln.ir.Module(IDENTITY_IR, engine=e)
        m.close()
        m.close()  # closing twice is fine
        with self.assertRaises(kiln.ClosedError):
            f(1)
        with self.assertRaises(kiln.ClosedError):
            m.address("f")
        r = kiln.relay.compile(RELAY)
        r.close()
        with self.assertRaises(kiln.ClosedError):
            r.call("add", 1, 2)

    def test_relay_values(self):
        r = kiln.relay.compile(RELAY, file="v.relay")
        self.assertTrue(r.add(float("inf"), float("-inf")) != r.add(0, 0))
        for index in (float("nan"), float("inf"), -1, 5, 0.5):
            with self.assertRaises(kiln.RuntimeTrap) as cm:
                r.at([1.0, 2.0], index)
            self.assertEqual((cm.exception.file, cm.exception.line), ("v.relay", 2))
        with self.assertRaisesRegex(kiln.InvalidArgument, "takes 2 arguments"):
            r.at([1.0])
        for text in ("1", b"1"):
            with self.assertRaisesRegex(kiln.InvalidArgument, "expected a number, bool or a seq"):
                r.add(text, 2)
        # Items that are not numbers are refused, not made numbers or NaN.
        for items in (["1.0", 2.0], [1.0, None]):
            with self.assertRaisesRegex(kiln.InvalidArgument, "sequence of numbers"):
                r.at(items, 0)
        if np is not None:
            with self.assertRaisesRegex(kiln.InvalidArgument, "sequence of numbers"):
                r.at(np.array([1.0, None], dtype=object), 0)
            self.assertEqual(r.at(np.array([True, False]), 0), 1.0)
        with self.assertRaisesRegex(kiln.InvalidArgument, "no function named"):
            r.call("nope")

    def test_close_racing_calls_on_other_threads(self):
        """close() while other threads are inside a call on the same object:
        the C object is freed after those calls return (a use after free,
        a crash, before); later calls raise ClosedError."""
        loop = ("define i64 @f(i64 %n) {\nentry:\n  br label %l\nl:\n"
                "  %i = phi i64 [0, %entry], [%j, %l]\n  %j = add i64 %i, 1\n"
                "  %c = icmp slt i64 %j, %n\n  br i1 %c, label %l, label %d\n"
                "d:\n  ret i64 %j\n}\n")
        spin = ("fn f(n: number) -> number {\n  let i = 0\n"
                "  while i < n { i = i + 1 }\n  return i\n}\n")
        for kind in ("ir", "relay"):
            for _ in range(8):
                if kind == "ir":
                    obj = kiln.ir.Module(loop)
                    fn = obj.function("f", ctypes.c_int64, [ctypes.c_int64])
                    call, n = fn, 2_000_000
                else:
                    obj = kiln.relay.compile(spin, mode="jit")
                    call, n = (lambda x, p=obj: p.call("f", x)), 100_000
                results, failures = [], []

                def work():
                    for _ in range(10):
                        try:
                            results.append(call(n))
                        except kiln.ClosedError:
                            failures.append(1)

                threads = [threading.Thread(target=work) for _ in range(4)]
                for t in threads:
                    t.start()
                obj.close()
                for t in threads:
                    t.join()
                self.assertEqual(len(results) + len(failures), 40)
                self.assertTrue(all(r == n for r in results), kind)
                with self.assertRaises(kiln.ClosedError):
                    call(n)

    @needs_numpy
    def test_threads_racing_close(self):
        """Eight threads call a kernel while the main thread closes the
        program and engine: every call either runs or raises ClosedError."""
        e = kiln.Engine()
        p = kiln.tensor.compile(KERNELS, engine=e)
        k = p.total
        data = np.arange(1000, dtype=np.float64)
        results, errors = [], []

        def work():
            for _ in range(200):
                try:
                    results.append(k(data))
                except kiln.KilnError as err:  # pragma: no cover - reported below
                    errors.append(err)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        p.close()
        e.close()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(set(results), {float(data.sum())})
        self.assertEqual(len(results), 1600)
        k.close()
        with self.assertRaises(kiln.ClosedError):
            k(data)


if __name__ == "__main__":
    main()
