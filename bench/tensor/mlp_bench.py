#!/usr/bin/python3
"""The MLP step of issue 18: one forward + backward pass of a small two-layer
perceptron (loss = mean((relu(x @ w1 + b1) @ w2 + b2 - t)^2), gradients of
w1 b1 w2 b2) through Kiln's JIT graph (examples/tensor/mlp/mlp.tk, graph
`grads`, via `mlp_train bench`), PyTorch CPU (autograd) and hand-written
NumPy, side by side on the same data, one thread each, alternating rounds.

    mlp_bench.py --build BUILD --root ROOT [--out PERFORMANCE.md] [--rounds 5]

Called by bench/tensor_report.py (`scripts/bench tensor`, or only this
section with `--mlp-only`); run alone it prints the table."""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

# batch, inputs, hidden, outputs
SIZES = [(64, 32, 64, 8), (256, 128, 256, 10), (1024, 256, 512, 10)]
REPS = 50


def make_data(d, size, seed=18):
    n, i, h, o = size
    rng = np.random.default_rng(seed)
    a = dict(x=rng.standard_normal((n, i)), t=rng.standard_normal((n, o)),
             w1=rng.standard_normal((i, h)) / np.sqrt(i), b1=np.zeros(h),
             w2=rng.standard_normal((h, o)) / np.sqrt(h), b2=np.zeros(o))
    a = {k: v.astype(np.float32) for k, v in a.items()}
    for k, v in a.items():
        v.tofile(os.path.join(d, k + ".f32"))
    with open(os.path.join(d, "shapes.txt"), "w") as f:
        f.write(f"{n} {i} {h} {o}\n")
    return a


def numpy_step(a):
    z = a["x"] @ a["w1"] + a["b1"]
    h = np.maximum(z, 0)
    d = h @ a["w2"] + a["b2"] - a["t"]
    loss = np.mean(d * d)
    gy = (2 / np.float32(d.size)) * d
    gz = (gy @ a["w2"].T) * (z > 0)
    return loss, a["x"].T @ gz, gz.sum(0), h.T @ gy, gy.sum(0)


def timed(fn, reps):
    for _ in range(3):
        fn()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        fn()
        out.append(time.perf_counter_ns() - t0)
    return out


def torch_step_fn(a):
    import torch
    torch.set_num_threads(1)
    x, t = torch.from_numpy(a["x"]), torch.from_numpy(a["t"])
    ws = [torch.from_numpy(a[k].copy()).requires_grad_() for k in ("w1", "b1", "w2", "b2")]

    def step():
        for w in ws:
            w.grad = None
        y = torch.relu(x @ ws[0] + ws[1]) @ ws[2] + ws[3]
        loss = torch.mean((y - t) ** 2)
        loss.backward()
        return loss
    return step, torch.__version__


def kiln_times(a_args, d, reps):
    graph = os.path.join(a_args.root, "examples/tensor/mlp/mlp.tk")
    p = subprocess.run([os.path.join(a_args.build, "bin/mlp_train"), "bench", graph, d,
                        str(reps)], capture_output=True, text=True, timeout=600, check=True)
    return [int(x) for x in p.stdout.split()]


def check(args, a, d):
    """Kiln's gradients against NumPy's on the benchmark's data (largest
    relative difference): the timings compare the same computation."""
    graph = os.path.join(args.root, "examples/tensor/mlp/mlp.tk")
    subprocess.run([os.path.join(args.build, "bin/mlp_train"), "grads", graph, d],
                   check=True, capture_output=True)
    want = numpy_step(a)[1:]
    worst = 0.0
    for name, w in zip(("dw1", "db1", "dw2", "db2"), want):
        g = np.fromfile(os.path.join(d, f"kiln_{name}.f32"), np.float32)
        worst = max(worst, float(np.max(np.abs(g - w.ravel())) / np.max(np.abs(w))))
    return worst


def kiln_python_step(args, a):
    """The same graph through the Python binding (kiln.tensor_graph over
    libkiln.so): NumPy arrays in, read-only views out, no copies."""
    os.environ.setdefault("KILN_LIBRARY", os.path.join(args.build, "lib", "libkiln.so"))
    sys.path.insert(0, os.path.join(args.root, "python"))
    import kiln.tensor_graph
    src = open(os.path.join(args.root, "examples/tensor/mlp/mlp.tk")).read()
    g = kiln.tensor_graph.compile(src, "grads", engine=kiln.Engine(opt_level=3, threads=1))
    ins = [a[k] for k in ("x", "t", "w1", "b1", "w2", "b2")]
    return lambda: g(*ins, copy=False)


COLUMNS = ["kiln", "kiln_py", "torch", "numpy"]


def measure(args):
    rows, versions = [], {"numpy": np.__version__}
    for size in SIZES:
        with tempfile.TemporaryDirectory() as d:
            a = make_data(d, size)
            step, versions["torch"] = torch_step_fn(a)
            py = kiln_python_step(args, a)
            diff = check(args, a, d)
            times = {c: [] for c in COLUMNS}
            for r in range(args.rounds):
                for col in COLUMNS[r % 4:] + COLUMNS[:r % 4]:
                    if col == "kiln":
                        times[col] += kiln_times(args, d, REPS)
                    elif col == "kiln_py":
                        times[col] += timed(py, REPS)
                    elif col == "torch":
                        times[col] += timed(step, REPS)
                    else:
                        times[col] += timed(lambda: numpy_step(a), REPS)
            rows.append((size, times, diff))
    return rows, versions


def cell(ns):
    q = statistics.quantiles(ns, n=10)
    return f"{statistics.median(ns) / 1e3:.1f} ({q[0] / 1e3:.1f}–{q[-1] / 1e3:.1f})"


def render(rows, versions, cpu, loads, elapsed):
    lines = ["<!-- bench:tensor-mlp:begin -->", "## Tensor graphs: MLP training step", "",
             f"Measured {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {cpu}; "
             f"one thread everywhere; NumPy {versions['numpy']}, PyTorch {versions['torch']} "
             f"(CPU); load average {min(loads):.1f}–{max(loads):.1f}; {elapsed:.0f} s.",
             "One forward + backward pass of a two-layer perceptron "
             "(`examples/tensor/mlp/mlp.tk`, graph `grads`: loss and the four gradients), "
             "f32, microseconds per step: median (10th–90th percentile) of "
             f"{REPS} calls × rounds, the three columns alternating. Kiln runs the "
             "graph's planned kernels through its JIT from C++ (`mlp_train bench`) and "
             "from Python (`kiln.tensor_graph`, results as views), PyTorch "
             "`loss.backward()`, NumPy the hand-written backward pass.", "",
             "| batch × in → hidden → out | Kiln (C++) | Kiln (Python) | PyTorch | NumPy "
             "| PyTorch ÷ Kiln (Python) | NumPy ÷ Kiln (Python) | gradients vs NumPy |",
             "|---|---|---|---|---|---|---|---|"]
    for (n, i, h, o), t, diff in rows:
        k, p, nn = (statistics.median(t[c]) for c in ("kiln_py", "torch", "numpy"))
        lines.append(f"| {n} × {i} → {h} → {o} | {cell(t['kiln'])} | {cell(t['kiln_py'])} | "
                     f"{cell(t['torch'])} | {cell(t['numpy'])} | {p / k:.2f}× | {nn / k:.2f}× "
                     f"| {diff:.1e} |")
    lines += ["", "Regenerate: `scripts/bench tensor --mlp-only` "
              "(bench/tensor/mlp_bench.py).", "<!-- bench:tensor-mlp:end -->", ""]
    return "\n".join(lines)


def cpu_name():
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def run(args):
    """tensor_report.py's entry: measures in a child process (one BLAS and
    PyTorch thread there, without changing this process), prints and writes
    the section."""
    t0, loads = time.perf_counter(), [os.getloadavg()[0]]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    p = subprocess.run(["/usr/bin/python3", os.path.abspath(__file__), "--measure",
                        "--build", args.build, "--root", args.root,
                        "--rounds", str(getattr(args, "rounds", 3) or 3)],
                       capture_output=True, text=True, env=env, check=True)
    got = json.loads(p.stdout)
    loads.append(os.getloadavg()[0])
    rows = [(tuple(r[0]), r[1], r[2]) for r in got["rows"]]
    section = render(rows, got["versions"], cpu_name(), loads, time.perf_counter() - t0)
    if getattr(args, "out", None):
        sys.path.insert(0, os.path.join(args.root, "bench"))
        from core_report import write_section
        write_section(args.out, "tensor-mlp", section)
    print(section)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))
    ap.add_argument("--out")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--measure", action="store_true",
                    help="measure only, print JSON (run() calls this)")
    args = ap.parse_args()
    if args.measure:
        rows, versions = measure(args)
        return print(json.dumps({"rows": rows, "versions": versions}))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
