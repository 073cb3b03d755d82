"""python.relay: Relay programs from Python — calls with numbers, bools and
arrays, print capture, modes, located compile errors, traps, timeouts and
misuse."""
import array

from kilntest import TempDirTest, kiln, main, np
import kiln.relay

SOURCE = """fn fib(n) {
    if n < 2 { return n }
    return fib(n - 1) + fib(n - 2)
}
fn total(xs: array) -> number {
    let s = 0
    for x in xs { s = s + x }
    return s
}
fn doubled(xs: array) -> array {
    let out = []
    for x in xs { out.push(x * 2) }
    return out
}
fn pick(flag: bool, a, b) {
    if flag { return a }
    return b
}
fn positive(x) -> bool { return x > 0 }
fn shout(x) { print("value", x) }
fn at(xs: array, i) { return xs[i] }
print("top level", fib(10))
"""
MODES = ("auto", "interp", "jit")


class Relay(TempDirTest):
    def test_calls_in_every_mode(self):
        for mode in MODES:
            p = kiln.relay.compile(SOURCE, file="prog.relay", mode=mode, print=lambda s: None)
            self.assertEqual(p.call("fib", 20), 6765.0)
            self.assertEqual(p.fib(15), 610.0)
            self.assertEqual(p.call("total", [1, 2, 3.5]), 6.5)
            self.assertEqual(p.call("total", (1.0,) * 10), 10.0)
            self.assertEqual(p.call("total", array.array("d", [4, 5])), 9.0)
            self.assertEqual(p.call("total", []), 0.0)
            self.assertEqual(p.call("pick", True, 1, 2), 1.0)
            self.assertEqual(p.call("pick", False, 1, 2), 2.0)
            self.assertIs(p.call("positive", 3), True)
            self.assertIs(p.call("positive", -3), False)
            self.assertIsNone(p.call("shout", 1))
            self.assertEqual(list(p.call("doubled", [1, 2, 3])), [2.0, 4.0, 6.0])

    def test_numpy_arrays_in_and_out(self):
        if np is None:
            self.skipTest("NumPy is not installed (python3-numpy)")
        p = kiln.relay.compile(SOURCE)
        self.assertEqual(p.total(np.arange(10, dtype=np.float32)), 45.0)
        self.assertEqual(p.total(np.ones((3, 4))[:, ::2]), 6.0)
        r = p.doubled(np.array([0.5, 1.5]))
        self.assertIsInstance(r, np.ndarray)
        self.assertEqual(r.dtype, np.float64)
        self.assertEqual(r.tolist(), [1.0, 3.0])
        self.assertEqual(p.fib(np.float64(10)), 55.0)
        self.assertEqual(p.pick(np.bool_(True), 1, 2), 1.0)

    def test_print_is_captured(self):
        lines = []
        p = kiln.relay.compile(SOURCE, print=lines.append, mode="jit")
        p.run()
        p.shout(2.5)
        self.assertEqual("".join(lines), "top level 55\nvalue 2.5\n")

    def test_functions_are_described(self):
        p = kiln.relay.compile(SOURCE)
        self.assertEqual(list(p.functions)[:2], ["fib", "total"])
        self.assertEqual(p.functions["total"], (("array",), "number"))
        self.assertEqual(p.functions["positive"][1], "bool")

    def test_syntax_and_type_errors_are_located(self):
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.relay.compile("let x = 1\nlet y = (x +\n", file="bad.relay")
        e = cm.exception
        self.assertEqual(e.file, "bad.relay")
        self.assertEqual(e.code_name, "parse")
        self.assertGreaterEqual(e.line, 2)
        with self.assertRaises(kiln.CompileError) as cm:
            kiln.relay.compile("let x = 1\nlet y = x + true\n", file="types.relay")
        e = cm.exception
        self.assertEqual((e.file, e.line, e.code_name), ("types.relay", 2, "type"))
        self.assertIn("types.relay:2:", str(e))
        self.assertTrue(all(len(d) == 4 for d in e.diagnostics))

    def test_runtime_trap_is_located(self):
        for mode in MODES:
            p = kiln.relay.compile(SOURCE, file="prog.relay", mode=mode, print=lambda s: None)
            with self.assertRaises(kiln.RuntimeTrap) as cm:
                p.at([1, 2], 5)
            self.assertEqual(cm.exception.line, 21, mode)
            with self.assertRaises(kiln.RuntimeTrap):
                kiln.relay.compile("fn f(n) { return f(n + 1) }\nf(0)\n", mode=mode,
                                   max_depth=100).run()

    def test_timeout(self):
        p = kiln.relay.compile("fn spin() { while true { } }\n", timeout=0.2, mode="jit")
        with self.assertRaises(kiln.TimeoutError) as cm:
            p.spin()
        self.assertIsInstance(cm.exception, TimeoutError)  # also the built-in

    def test_misuse(self):
        p = kiln.relay.compile(SOURCE)
        with self.assertRaises(kiln.InvalidArgument):
            p.call("nope")
        with self.assertRaises(kiln.InvalidArgument):
            p.call("fib")
        with self.assertRaises(kiln.InvalidArgument):
            p.call("fib", 1, 2)
        with self.assertRaises(kiln.InvalidArgument):
            p.call("total", 5)
        with self.assertRaises(kiln.InvalidArgument):
            p.call("total", ["a"])
        with self.assertRaises(kiln.InvalidArgument):
            p.call("fib", object())
        with self.assertRaises(kiln.InvalidArgument):
            kiln.relay.compile(SOURCE, mode="fast")
        with self.assertRaises(AttributeError):
            p.no_such_function  # noqa: B018
        p.close()
        with self.assertRaises(kiln.ClosedError):
            p.fib(3)
        with self.assertRaises(kiln.ClosedError):
            p.run()

    def test_print_callback_errors_propagate(self):
        def boom(text):
            raise RuntimeError("sink failed")
        p = kiln.relay.compile('print("x")\n', print=boom)
        with self.assertRaisesRegex(RuntimeError, "sink failed"):
            p.run()

    def test_print_callback_cannot_reenter_relay(self):
        p = kiln.relay.compile('fn one() { return 1 }\nprint("x")\n')
        p2 = kiln.relay.compile('fn two() { return 2 }\n')
        seen = []

        def reenter(text):
            seen.append(text)
            p2.two()  # would wait forever for the Relay lock
        p._sink = reenter
        with self.assertRaisesRegex(kiln.InvalidArgument, "print callback cannot"):
            p.run()
        self.assertEqual("".join(seen), "x\n")
        self.assertEqual(p2.two(), 2.0)  # the lock was released

    def test_program_keeps_engine(self):
        e = kiln.Engine(opt_level=0)
        p = kiln.relay.compile(SOURCE, engine=e, mode="jit", print=lambda s: None)
        e.close()
        self.assertEqual(p.fib(12), 144.0)


if __name__ == "__main__":
    main()
