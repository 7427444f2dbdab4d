#!/usr/bin/env python3
"""Times every model of the zoo: `gan bench MODEL --json` (release build) against our PyTorch
version of the same architecture (Scripts/torch_zoo, data in memory) at 1 and 2 threads, in
the same run, and prints one Markdown table with the ratio to PyTorch's best.

    swift build -c release && python3 Scripts/bench_zoo.py [--iterations N] [MODEL ...]

Measure on a quiet machine (load average below ~0.3); the table states the load seen.
Each configuration runs --rounds times, interleaved (ours, torch 1 thread, torch 2 threads,
then again), and the row keeps each one's best median: on a shared VM a run sometimes loses
the second core to a neighbour for seconds (ours and torch's alike drop to one-thread
speed), and the best of a few interleaved runs compares the two at the same machine state.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
GAN = os.path.join(ROOT, ".build", "release", "gan")


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()
    return json.loads(out[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("models", nargs="*")
    p.add_argument("--iterations", type=int, default=0, help="timed iterations (default: 100 MLP, 6 conv)")
    p.add_argument("--rounds", type=int, default=3, help="interleaved runs of each configuration (best kept)")
    a = p.parse_args()
    rows = subprocess.run([GAN, "list", "--markdown"], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    kinds = {cells[1].strip(): cells[6].strip() for cells in (r.split("|") for r in rows)}
    models = a.models or list(kinds)
    load = os.getloadavg()[0]
    print(f"load average at start: {load:.2f}\n")
    print("| model | kind | SwiftGAN ms/iter | torch 1 thread | torch 2 threads | speed-up vs torch's best | goal | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for m in models:
        kind = kinds.get(m, "?")
        n = a.iterations or (100 if kind == "mlp" else 6)
        ours, torch_ms = None, {}
        for _ in range(a.rounds):
            r = run_json([GAN, "bench", m, "--iterations", str(n), "--warmup", "2", "--json"])
            if ours is None or r["ms_per_iter"] < ours["ms_per_iter"]:
                ours = r
            for t in (1, 2):
                r = run_json([sys.executable, os.path.join(ROOT, "Scripts", "torch_zoo", "run.py"), m, "bench",
                              "--iterations", str(n), "--warmup", "2", "--threads", str(t)])
                torch_ms[t] = min(torch_ms.get(t, float("inf")), r["ms_per_iter"])
        best = min(torch_ms.values())
        ratio = best / ours["ms_per_iter"]
        goal = 2.0 if kind == "mlp" else 1.3
        print(f"| {m} | {kind} | {ours['ms_per_iter']:.2f} | {torch_ms[1]:.2f} | {torch_ms[2]:.2f} | "
              f"{ratio:.2f}x | {goal}x {'met' if ratio >= goal else 'NOT met'} | {ours['peak_rss_mb']:.0f} |", flush=True)
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
