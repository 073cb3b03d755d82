#!/usr/bin/python3
"""compile_peers: compile latency from Python (scripts/bench embed; run with
Debian's /usr/bin/python3).

1. LLVM IR `fib` at O2 until a callable exists: kiln.ir (compile + lookup)
   vs llvmlite 0.39 (parse, verify, O2 module passes, a target machine,
   MCJIT, finalize, function address; MCJIT takes ownership of the target
   machine, so each sample makes its own).
   Each sample compiles a new symbol name, so no cache can answer.
2. Relay `fib(30)` and `mandelbrot(400, 300)` (bench/relay/*.relay) vs
   the same functions under numba @njit: compile + first run, and the run
   alone. Relay: kiln.relay.compile(mode="jit") then the call; numba: a
   fresh @njit function object per sample, its first call (compile + run)
   and its second call (run). Each sample's Relay source differs by a
   comment, so no cache can answer.
Samples alternate Kiln and its peer. Prints JSON.
"""
import ctypes
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import kiln.ir  # noqa: E402
import kiln.relay  # noqa: E402
import llvmlite  # noqa: E402
import llvmlite.binding as llvm  # noqa: E402
import numba  # noqa: E402
import numpy as np  # noqa: E402

FIB_IR = """
define i64 @NAME(i64 %n) {
entry:
  %small = icmp slt i64 %n, 2
  br i1 %small, label %done, label %recurse
done:
  ret i64 %n
recurse:
  %a = sub i64 %n, 1
  %b = sub i64 %n, 2
  %x = call i64 @NAME(i64 %a)
  %y = call i64 @NAME(i64 %b)
  %s = add i64 %x, %y
  ret i64 %s
}
"""
RELAY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "relay")
RELAY = {k: open(os.path.join(RELAY_DIR, k + ".relay")).read() for k in ("fib", "mandelbrot")}
NUMBA = '''
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

def mandelbrot(width, height):
    result = np.empty(int(width) * int(height))
    k = 0
    for y in range(int(height)):
        for x in range(int(width)):
            c_re = (x - width / 2.0) * 4.0 / width
            c_im = (y - height / 2.0) * 4.0 / height
            z_re = 0.0
            z_im = 0.0
            iterations = 0
            for i in range(100):
                if z_re * z_re + z_im * z_im > 4.0:
                    break
                temp = z_re * z_re - z_im * z_im + c_re
                z_im = 2.0 * z_re * z_im + c_im
                z_re = temp
                iterations = iterations + 1
            result[k] = iterations
            k += 1
    return result
'''


def ms(t0):
    return (time.perf_counter() - t0) * 1e3


def kiln_ir(i, engine):
    name = f"fib_{i}"
    t0 = time.perf_counter()
    m = kiln.ir.compile(FIB_IR.replace("NAME", name), name="fib.ll", engine=engine)
    f = m.function(name, ctypes.c_int64, [ctypes.c_int64])
    t = ms(t0)
    assert f(25) == 75025
    m.close()
    return t


def kiln_ir_cached(i):
    """The fib of sample -1 again, on a new engine with the on-disk cache
    (KILN_CACHE_DIR, set by main to an empty folder before the first
    compile): the object code comes from the cache, as it does for the same
    IR in a later run of a program."""
    engine = kiln.Engine(opt_level=2, cache=True)
    t0 = time.perf_counter()
    m = kiln.ir.compile(FIB_IR.replace("NAME", "fib_cached"), name="fib.ll", engine=engine)
    f = m.function("fib_cached", ctypes.c_int64, [ctypes.c_int64])
    t = ms(t0)
    assert f(25) == 75025
    m.close()
    engine.close()
    return t


def llvmlite_ir(i, target):
    name = f"fib_{i}"
    t0 = time.perf_counter()
    mod = llvm.parse_assembly(FIB_IR.replace("NAME", name))
    mod.verify()
    pmb = llvm.create_pass_manager_builder()
    pmb.opt_level = 2
    pm = llvm.create_module_pass_manager()
    pmb.populate(pm)
    pm.run(mod)
    ee = llvm.create_mcjit_compiler(mod, target.create_target_machine(opt=2))
    ee.finalize_object()
    addr = ee.get_function_address(name)
    t = ms(t0)
    assert ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_int64)(addr)(25) == 75025
    return t


def relay_sample(i, engine, fn, args, check):
    source = f"// sample {i}\n" + RELAY[fn]  # its top-level code is not run
    t0 = time.perf_counter()
    p = kiln.relay.compile(source, file=f"{fn}.relay", mode="jit", engine=engine)
    compile_ms = ms(t0)
    t1 = time.perf_counter()
    r = p.call(fn, *args)
    first_ms = ms(t1)
    t2 = time.perf_counter()
    p.call(fn, *args)
    check(r)
    return {"compile": compile_ms, "first": compile_ms + first_ms, "run": ms(t2)}


def numba_sample(fn, args, check):
    ns = {"np": np}
    exec(NUMBA, ns)
    f = ns[fn] = numba.njit(ns[fn])  # fib's recursive call finds the dispatcher
    t0 = time.perf_counter()
    r = f(*args)
    first_ms = ms(t0)
    t1 = time.perf_counter()
    f(*args)
    run_ms = ms(t1)
    check(r)
    return {"compile": first_ms - run_ms, "first": first_ms, "run": run_ms}


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    cache_dir = tempfile.mkdtemp(prefix="kiln-bench-cache-")
    os.environ["KILN_CACHE_DIR"] = cache_dir  # read when an engine first compiles
    llvm.initialize()
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    target = llvm.Target.from_default_triple()
    engine = kiln.Engine(opt_level=2)
    t0 = time.perf_counter()
    kiln_ir(-1, engine)  # the engine's JIT is made on first use
    first_kiln = ms(t0)
    t0 = time.perf_counter()
    llvmlite_ir(-1, target)
    first_llvmlite = ms(t0)
    ir = {"kiln": [], "llvmlite": [], "kiln_cached": []}
    kiln_ir_cached(-1)  # fills the cache
    for i in range(reps * 2):
        ir["kiln"].append(kiln_ir(i, engine))
        ir["llvmlite"].append(llvmlite_ir(i, target))
        ir["kiln_cached"].append(kiln_ir_cached(i))
    totals = {}

    def same(key):
        def check(r):
            v = float(np.sum(r)) if key == "mandelbrot" else float(r)
            assert totals.setdefault(key, v) == v, (key, v, totals[key])
        return check
    progs = {"fib": ("fib", (30.0,)), "mandelbrot": ("mandelbrot", (400.0, 300.0))}
    relay = {k: {"kiln": [], "numba": []} for k in progs}
    for i in range(reps):
        for key, (fn, args) in progs.items():
            print(f"compile_peers: {key} sample {i}", file=sys.stderr)
            relay[key]["kiln"].append(relay_sample(i, engine, fn, args, same(key)))
            relay[key]["numba"].append(numba_sample(fn, args, same(key)))
    shutil.rmtree(cache_dir, ignore_errors=True)
    print(json.dumps({"ir": ir, "ir_first": {"kiln": first_kiln, "llvmlite": first_llvmlite},
                      "relay": relay, "totals": totals, "llvmlite": llvmlite.__version__,
                      "llvmlite_llvm": ".".join(map(str, llvm.llvm_version_info)),
                      "numba": numba.__version__}))


if __name__ == "__main__":
    main()
