"""python.threads: several Python threads compiling and calling at once.

The GIL is released around every C call (ctypes.CDLL): the first test proves
it without timing — compiled code marks that it started, then spins until
the main thread sets a flag, which the main thread could never do if the
call held the GIL (a cap on the spin turns a failure into a wrong answer,
not a hang).
"""
import ctypes
import threading
import time

from kilntest import FIB_IR, TempDirTest, kiln, main, np
import kiln.ir
import kiln.relay
import kiln.tensor

SPIN = """
define i64 @wait_for(ptr %started, ptr %flag, i64 %cap) {
entry:
  store volatile i32 1, ptr %started
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %body ]
  %v = load volatile i32, ptr %flag
  %set = icmp ne i32 %v, 0
  br i1 %set, label %seen, label %body
body:
  %next = add i64 %i, 1
  %more = icmp slt i64 %next, %cap
  br i1 %more, label %loop, label %gave_up
seen:
  ret i64 1
gave_up:
  ret i64 0
}
""" + FIB_IR


def run_threads(n, work):
    errors, threads = [], []

    def wrap(i):
        try:
            work(i)
        except BaseException as e:  # reported by the main thread
            errors.append(e)
    for i in range(n):
        threads.append(threading.Thread(target=wrap, args=(i,)))
        threads[-1].start()
    for t in threads:
        t.join(300)
    return errors


class Threads(TempDirTest):
    def test_calls_release_the_gil(self):
        m = kiln.ir.compile(SPIN)
        wait_for = m.function("wait_for", ctypes.c_int64,
                              [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64])
        started, flag = ctypes.c_int32(0), ctypes.c_int32(0)
        result = []
        t = threading.Thread(target=lambda: result.append(
            wait_for(ctypes.addressof(started), ctypes.addressof(flag), 5_000_000_000)))
        t.start()
        while not started.value:  # this loop, too, needs the GIL
            pass
        flag.value = 1  # while wait_for runs
        t.join(120)
        self.assertEqual(result, [1])

    def test_eight_threads_compile_and_call_ir(self):
        engine = kiln.Engine()

        def work(i):
            for j in range(3):
                text = SPIN.replace("@fib", f"@fib_{i}_{j}").replace("@wait_for", f"@w_{i}_{j}")
                m = kiln.ir.compile(text, engine=engine)
                fib = m.function(f"fib_{i}_{j}", ctypes.c_int64, [ctypes.c_int64])
                assert fib(20 + i % 3) == [6765, 10946, 17711][i % 3]
                m.close()
        self.assertEqual(run_threads(8, work), [])

    def test_threads_share_relay_and_tensor(self):
        p = kiln.relay.compile("fn fib(n) { if n < 2 { return n }\n"
                               "return fib(n - 1) + fib(n - 2) }\n", mode="jit")
        k = kiln.tensor.compile("kernel axpy(a: f64[], b: f64[], s: f64) -> f64[] = a * s + b\n"
                                "kernel dot(a: f64[], b: f64[]) -> f64 = sum(a * b)\n")

        def work(i):
            for _ in range(20):
                assert p.fib(15) == 610.0
                if np is not None:
                    a = np.full(10_000, float(i))
                    out = k.axpy(a, a, 2.0)
                    assert out[0] == 3.0 * i and k.dot(a, a) == 10_000.0 * i * i
            # each thread compiles its own program too
            own = kiln.tensor.compile(f"kernel k{i}(a: f64[]) -> f64 = sum(a) * {i}\n")
            assert own[f"k{i}"](np.ones(4) if np is not None else __import__("array").array("d", [1] * 4)) == 4.0 * i
        self.assertEqual(run_threads(6, work), [])

    def test_a_dsp_refuses_a_second_thread(self):
        if np is None:
            self.skipTest("NumPy is not installed (python3-numpy)")
        import kiln.faust as faust
        dsp = faust.create_dsp_factory_from_string("sum", "process = _ : +~_;", []) \
            .create_dsp_instance()
        dsp.init(48000)
        n = 1 << 22  # long computes, so that the threads overlap
        x, y = np.ones((1, n), np.float32), np.zeros((1, n), np.float32)
        x2, y2 = np.ones((1, 256), np.float32), np.zeros((1, 256), np.float32)
        refused, stop = [], threading.Event()
        # Overlap needs the scheduler's help, which a loaded machine may
        # withhold for a while: both sides keep trying until one overlap
        # was seen, for at most 30 s.
        deadline = time.monotonic() + 30

        def first():
            while not stop.is_set() and time.monotonic() < deadline:
                try:
                    dsp.compute(n, x, y)
                except kiln.InvalidArgument:  # the main thread got there first
                    pass
        t = threading.Thread(target=first)
        t.start()
        try:
            while not refused and time.monotonic() < deadline:
                try:
                    dsp.compute(256, x2, y2)
                except kiln.InvalidArgument as e:  # libkiln's flag, not a lock
                    refused.append(str(e))
        finally:
            stop.set()
            t.join()
        self.assertTrue(refused, "no compute overlapped the first thread's")
        self.assertIn("computing on another thread", refused[0])

    def test_instances_in_threads(self):
        if np is None:
            self.skipTest("NumPy is not installed (python3-numpy)")
        import kiln.faust as faust
        f = faust.create_dsp_factory_from_string("sum", "process = _ : +~_;", [])

        def work(i):
            dsp = f.create_dsp_instance()  # one instance per thread: fine
            dsp.init(48000)
            x = np.ones((1, 256), np.float32)
            y = np.zeros((1, 256), np.float32)
            for _ in range(50):
                dsp.compute(256, x, y)
            assert y[0, -1] == 50 * 256
        self.assertEqual(run_threads(4, work), [])


if __name__ == "__main__":
    main()
