"""python.ir: LLVM IR compiled and called from Python, emission, linking,
located errors and misuse (closed modules and engines, wrong counts)."""
import ctypes
import os

from kilntest import FIB_IR, TempDirTest, kiln, main
import kiln.ir

FIB = FIB_IR + """
@answer = global double 42.0
define double @scale(double %x, double %k) {
  %r = fmul double %x, %k
  ret double %r
}
"""


class IR(TempDirTest):
    def test_compile_and_call_at_each_level(self):
        for level in range(4):
            m = kiln.ir.compile(FIB, name="fib.ll", opt_level=level)
            fib = m.function("fib", ctypes.c_int64, [ctypes.c_int64])
            self.assertEqual(fib(20), 6765)
            scale = m.get_function("scale", ctypes.c_double, [ctypes.c_double, ctypes.c_double])
            self.assertEqual(scale(1.5, 4.0), 6.0)
            self.assertEqual(ctypes.c_double.from_address(m.address("answer")).value, 42.0)
            m.close()

    def test_emit_every_kind(self):
        asm = kiln.ir.emit(FIB, "asm")
        self.assertIsInstance(asm, str)
        self.assertIn("fib:", asm)
        self.assertTrue(kiln.ir.emit(FIB, "obj").startswith(b"\x7fELF"))
        self.assertTrue(kiln.ir.emit(FIB, "bc").startswith(b"BC\xc0\xde"))
        self.assertIn("define", kiln.ir.emit(FIB, "ll"))
        arm = kiln.ir.emit(FIB, "asm", target="aarch64-linux-gnu")
        self.assertIn("ret", arm)
        with self.assertRaises(kiln.InvalidArgument):
            kiln.ir.emit(FIB, "exe")

    def test_bitcode_round_trip(self):
        m = kiln.ir.compile(kiln.ir.emit(FIB, "bc"), name="fib.bc")
        self.assertEqual(m.function("fib", ctypes.c_int64, [ctypes.c_int64])(10), 55)

    def test_link_a_shared_library(self):
        obj = os.path.join(self.tmp, "fib.o")
        with open(obj, "wb") as f:
            f.write(kiln.ir.emit(FIB, "obj"))
        so = os.path.join(self.tmp, "libfib.so")
        kiln.ir.link([obj], so, shared=True)
        fib = ctypes.CDLL(so).fib
        fib.restype, fib.argtypes = ctypes.c_int64, [ctypes.c_int64]
        self.assertEqual(fib(15), 610)

    def test_parse_error_is_located(self):
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.ir.compile("define i64 @f( {", name="bad.ll")
        e = cm.exception
        self.assertEqual((e.file, e.line, e.col), ("bad.ll", 1, 17))
        self.assertEqual(e.diagnostics[0], ("bad.ll", 1, 17, "expected type"))
        self.assertEqual(e.code_name, "parse")
        self.assertIn("bad.ll:1:17: error: expected type", str(e))

    def test_unknown_symbol_and_duplicate(self):
        e = kiln.Engine()
        m = kiln.ir.compile(FIB, engine=e)
        with self.assertRaises(kiln.LinkError):
            m.address("nope")
        with self.assertRaises(kiln.LinkError):
            kiln.ir.compile(FIB, engine=e).address("fib")

    def test_host_symbol(self):
        e = kiln.Engine()
        cb = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double)(lambda x: x * 10)
        kiln.ir.define_symbol("host_times10", cb, engine=e)
        m = kiln.ir.compile("declare double @host_times10(double)\n"
                            "define double @g(double %x) {\n"
                            "  %r = call double @host_times10(double %x)\n  ret double %r\n}\n",
                            engine=e)
        self.assertEqual(m.function("g", ctypes.c_double, [ctypes.c_double])(2.5), 25.0)

    def test_closed_module_and_function_raise(self):
        m = kiln.ir.compile(FIB)
        fib = m.function("fib", ctypes.c_int64, [ctypes.c_int64])
        with m:
            self.assertEqual(fib(5), 5)
        self.assertTrue(m.closed)
        with self.assertRaises(kiln.ClosedError):
            fib(5)
        with self.assertRaises(kiln.ClosedError):
            m.address("fib")
        m.close()  # twice is fine

    def test_wrong_argument_count(self):
        fib = kiln.ir.compile(FIB).function("fib", ctypes.c_int64, [ctypes.c_int64])
        with self.assertRaises(kiln.InvalidArgument):
            fib()
        with self.assertRaises(kiln.InvalidArgument):
            fib(1, 2)

    def test_children_keep_the_engine(self):
        e = kiln.Engine(opt_level=3)
        m = kiln.ir.compile(FIB, engine=e)
        e.close()
        with self.assertRaises(kiln.ClosedError):
            kiln.ir.compile(FIB, engine=e)
        with self.assertRaises(kiln.ClosedError):
            e.target  # noqa: B018
        self.assertEqual(m.function("fib", ctypes.c_int64, [ctypes.c_int64])(12), 144)

    def test_engine_options(self):
        with kiln.Engine(opt_level=1) as e:
            self.assertTrue(e.target.startswith("x86_64") or ":" in e.target)
        with self.assertRaises(kiln.InvalidArgument):
            kiln.Engine(opt_level=7)
        with self.assertRaises(kiln.TargetError):
            kiln.Engine(target="nonsense-arch-none")
        cross = kiln.Engine(target="aarch64-linux-gnu")
        with self.assertRaises(kiln.TargetError):
            kiln.ir.compile(FIB, engine=cross)

    def test_wrong_input_type(self):
        with self.assertRaises(kiln.InvalidArgument):
            kiln.ir.compile(42)


if __name__ == "__main__":
    main()
