#!/usr/bin/env python3
"""Runs SwiftGAN's kernel benchmarks and PyTorch's equivalents in the same run and prints
one Markdown table: rate (GFLOP/s or GB/s) per case for ours and torch at 1 and 2
threads, and the ratio of our best to torch's best (> 1: we are faster).

    python3 Scripts/bench_kernels.py [--seconds 0.25] [--filter TEXT] [--threads 1,2] [--clock cpu]

--clock cpu times both sides with the calling thread's CPU clock (one thread only): much
less disturbed when other processes share the machine, so use it when the load is high.

The cases come from `swift run -c release kernel-bench` (Benchmarks/KernelBench), which
prints one JSON object per case; this script replays each case in torch. PyTorch is only
needed here, never by the build. The machine is noisy: read ratios within one run, and
look at the load average printed with the table.
"""
import argparse, json, os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


CLOCK = time.perf_counter


def ours(threads, seconds, flt, clock):
    subprocess.run(["swift", "build", "-c", "release", "--product", "kernel-bench"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    exe = os.path.join(ROOT, ".build", "release", "kernel-bench")
    out = subprocess.run([exe, "--threads", str(threads), "--seconds", str(seconds), "--filter", flt,
                          "--clock", clock],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


def best_time(fn, budget):
    fn()
    t0 = CLOCK(); fn(); once = max(CLOCK() - t0, 1e-7)
    per = max(1, int(budget / 5 / once))
    best = float("inf")
    for _ in range(5):
        s = CLOCK()
        for _ in range(per):
            fn()
        best = min(best, (CLOCK() - s) / per)
    return best


def torch_case(torch, case, budget):
    F = torch.nn.functional
    k, p = case["kind"], case["params"]
    if k == "gemm":
        a, b = torch.randn(p["m"], p["k"]), torch.randn(p["k"], p["n"])
        c = torch.empty(p["m"], p["n"])
        return best_time(lambda: torch.mm(a, b, out=c), budget)
    if k.startswith("conv"):
        n, ci, co, sz, s = p["batch"], p["cin"], p["cout"], p["size"], p["stride"]
        kk, pad = p["kernel"], p["pad"]
        x, w = torch.randn(n, ci, sz, sz), torch.randn(co, ci, kk, kk)
        y = F.conv2d(x, w, stride=s, padding=pad)
        gy = torch.randn_like(y)
        if k == "conv_fwd":
            return best_time(lambda: F.conv2d(x, w, stride=s, padding=pad), budget)
        mask = [True, False, False] if k == "conv_bwd_data" else [False, True, False]
        return best_time(lambda: torch.ops.aten.convolution_backward(
            gy, x, w, None, [s, s], [pad, pad], [1, 1], False, [0, 0], 1, mask), budget)
    if k == "batchnorm":
        x = torch.randn(p["n"], p["c"], p["hw"])
        gy, w, b = torch.randn_like(x), torch.randn(p["c"]), torch.randn(p["c"])

        def step():
            y, mean, inv = torch.ops.aten.native_batch_norm(x, w, b, None, None, True, 0.1, 1e-5)
            torch.ops.aten.native_batch_norm_backward(gy, x, w, None, None, mean, inv, True, 1e-5,
                                                      [True, True, True])
        return best_time(step, budget)
    if k == "adam":
        best = float("inf")
        for fused in (False, True):   # torch's default (single-tensor) and its fused CPU kernel
            prm = torch.nn.Parameter(torch.randn(p["n"]))
            prm.grad = torch.randn(p["n"])
            try:
                opt = torch.optim.Adam([prm], lr=2e-4, betas=(0.5, 0.999), fused=fused)
            except (RuntimeError, TypeError):
                continue
            best = min(best, best_time(opt.step, budget))
        return best
    raise ValueError(k)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=0.25, help="timing budget per case")
    ap.add_argument("--filter", default="")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = ap.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    if args.clock == "cpu":
        global CLOCK
        CLOCK = time.thread_time
        counts = [1]
    load_before = load()
    results = {t: ours(t, args.seconds, args.filter, args.clock) for t in counts}
    cases = results[counts[0]]
    import torch
    theirs = {}
    for t in counts:
        torch.set_num_threads(t)
        theirs[t] = [torch_case(torch, c, args.seconds) for c in cases]
    load_after = load()

    cols = [f"ours {t}T" for t in counts] + [f"torch {t}T" for t in counts]
    print(f"torch {torch.__version__}; {args.clock} clock; load average {load_before} before, "
          f"{load_after} after\n")
    print("| case | unit | " + " | ".join(cols) + " | ours/torch best |")
    print("|---" * (len(cols) + 3) + "|")
    for i, c in enumerate(cases):
        ours_rates = [results[t][i]["rate"] for t in counts]
        torch_rates = [c["work"] / theirs[t][i] / 1e9 for t in counts]
        ratio = max(ours_rates) / max(torch_rates)
        print(f"| {c['name']} | {c['unit']} | " + " | ".join(f"{r:.1f}" for r in ours_rates + torch_rates)
              + f" | {ratio:.2f} |")
    # fwd + bwd-data + bwd-weight per conv shape, as times (the conv goal)
    shapes = {}
    for i, c in enumerate(cases):
        if c["kind"].startswith("conv"):
            key = c["name"].rsplit(" ", 1)[0]
            entry = shapes.setdefault(key, {"ours": {t: 0.0 for t in counts}, "torch": {t: 0.0 for t in counts}})
            for t in counts:
                entry["ours"][t] += results[t][i]["seconds"]
                entry["torch"][t] += theirs[t][i]
    for key, e in shapes.items():
        o = [e["ours"][t] * 1e3 for t in counts]
        th = [e["torch"][t] * 1e3 for t in counts]
        print(f"| {key} fwd+bwd (sum of times) | ms | " + " | ".join(f"{v:.2f}" for v in o + th)
              + f" | {min(th) / min(o):.2f} |")
    # all layers of one model (the name's first word), each shape counted once
    models = {}
    for key, e in shapes.items():
        m = models.setdefault(key.split()[0], {"ours": {t: 0.0 for t in counts}, "torch": {t: 0.0 for t in counts}})
        for side in ("ours", "torch"):
            for t in counts:
                m[side][t] += e[side][t]
    for name, e in models.items():
        o = [e["ours"][t] * 1e3 for t in counts]
        th = [e["torch"][t] * 1e3 for t in counts]
        print(f"| all {name} conv shapes fwd+bwd (sum of times) | ms | " + " | ".join(f"{v:.1f}" for v in o + th)
              + f" | {min(th) / min(o):.2f} |")


if __name__ == "__main__":
    main()
