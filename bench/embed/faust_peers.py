#!/usr/bin/python3
"""faust_peers: kiln.faust compute throughput from Python at 256-frame
blocks (scripts/bench embed; run with Debian's /usr/bin/python3).

    faust_peers.py DSP [SECONDS REPS]

Compiles DSP with kiln.faust (opt_level -1, the best level, as `kiln faust
bench` uses by default), runs `dsp.compute(256, inputs, outputs)` over
SECONDS of audio per rep, and prints ns per frame for each rep as JSON. The
conditions are those of the C++ side (`kiln faust bench`, Drive.h):
44.1 kHz, 256-frame blocks, FTZ/DAZ set in the computing thread (through a
two-instruction kiln.ir function), controls at their defaults, a sine plus
noise on every input. A host hands the DSP the same block buffers each time,
and so does this loop (the C++ harness walks a long buffer instead).
"""
import ctypes
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import kiln  # noqa: E402
import kiln._lib  # noqa: E402
import kiln.faust as faust  # noqa: E402
import kiln.ir  # noqa: E402
import numpy as np  # noqa: E402

RATE, BLOCK = 44100, 256
FTZ_DAZ = """
declare void @llvm.x86.sse.stmxcsr(ptr)
declare void @llvm.x86.sse.ldmxcsr(ptr)
define void @kiln_bench_ftz_daz() {
  %p = alloca i32
  call void @llvm.x86.sse.stmxcsr(ptr %p)
  %v = load i32, ptr %p
  %o = or i32 %v, 32832
  store i32 %o, ptr %p
  call void @llvm.x86.sse.ldmxcsr(ptr %p)
  ret void
}
"""


def test_block(channels):
    """The first block of Drive.h's test signal: sine at 110*(c+1) Hz of
    amplitude 0.5 plus 0.25 * LCG noise."""
    out = np.zeros((channels, BLOCK), np.float32)
    for c in range(channels):
        state = (12345 + 7919 * c) & 0xFFFFFFFF
        for n in range(BLOCK):
            state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
            noise = (state >> 8) * (1.0 / 16777216.0) * 2.0 - 1.0
            out[c, n] = 0.5 * math.sin(2 * math.pi * 110.0 * (c + 1) * n / RATE) + 0.25 * noise
    return out


C_LOOP = """
define void @kiln_bench_compute_loop(ptr %fn, ptr %dsp, i32 %count, ptr %ins, ptr %outs,
                                     i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  %err = call ptr %fn(ptr %dsp, i32 %count, ptr %ins, ptr %outs)
  %next = add i64 %i, 1
  %done = icmp eq i64 %next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret void
}
"""


def c_loop(dsp):
    """f(blocks): `blocks` computes of dsp's cached call (the last
    dsp.compute's arrays) from a loop in native code, calling
    kiln_faust_dsp_compute as a C host would: the same instance, code and
    buffers as the Python loop, in the same process."""
    c = dsp._cache  # (…, handle, ins address, outs address, …): faust.py's prepared call
    fn = ctypes.cast(kiln._lib.lib().kiln_faust_dsp_compute, ctypes.c_void_p).value
    m = kiln.ir.compile(C_LOOP, name="loop.ll")
    f = m.function("kiln_bench_compute_loop", None,
                   [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int32, ctypes.c_void_p,
                    ctypes.c_void_p, ctypes.c_int64])
    return lambda blocks: f(fn, c[6], BLOCK, c[7], c[8], blocks)


def c_call_floor(ins, outs, n=1_000_000):
    """ns a Python loop spends calling a C function with arguments, the
    floor under any binding's per-block cost: `{}.get(256, outs)` (a bound
    builtin, a dict lookup) minus the empty loop, best of 5."""
    get = {}.get
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            get(BLOCK, outs)
        t1 = time.perf_counter()
        for _ in range(n):
            pass
        t2 = time.perf_counter()
        best = min(best, ((t1 - t0) - (t2 - t1)) * 1e9 / n)
    return best


def main():
    dsp_path = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    if os.uname().machine == "x86_64":
        ftz = kiln.ir.compile(FTZ_DAZ, name="ftz.ll")
        ftz.function("kiln_bench_ftz_daz")()
    t0 = time.perf_counter()
    factory = faust.create_dsp_factory_from_file(dsp_path, [], opt_level=-1)
    factory_ms = (time.perf_counter() - t0) * 1e3
    dsp = factory.create_dsp_instance()
    dsp.init(RATE)
    ins = test_block(dsp.get_numinputs()) if dsp.get_numinputs() else None
    outs = np.zeros((dsp.get_numoutputs(), BLOCK), np.float32)
    blocks = max(1, int(seconds * RATE) // BLOCK)
    compute = dsp.compute
    dsp.compute(BLOCK, ins, outs)  # warm-up (and the pointer cache)
    native = c_loop(dsp)
    ns, c_ns = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(blocks):
            compute(BLOCK, ins, outs)
        ns.append((time.perf_counter() - t0) * 1e9 / (blocks * BLOCK))
        t0 = time.perf_counter()
        native(blocks)
        c_ns.append((time.perf_counter() - t0) * 1e9 / (blocks * BLOCK))
    assert np.isfinite(outs).all()
    print(json.dumps({"ns_per_frame": ns, "c_loop_ns_per_frame": c_ns, "factory_ms": factory_ms,
                      "c_call_floor_ns": c_call_floor(ins, outs),
                      "inputs": dsp.get_numinputs(), "outputs": dsp.get_numoutputs(),
                      "python_path": kiln.fast_path()}))


if __name__ == "__main__":
    main()
