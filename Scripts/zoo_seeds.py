#!/usr/bin/env python3
"""More seeds behind docs/MODELS.md's quality comparison. One run per side is a coin toss for
GANs at these lengths (bgan's FD ranges 650-1050 over seeds on either side), so models whose
single runs disagree are trained again with other seeds: `gan train MODEL` at the defaults
(five epochs for the MLP models, one for the convolutional ones) and our PyTorch version
(Scripts/torch_zoo, one thread) for the same number of iterations, each scored by `gan eval`
on 1,000 samples. One JSON line per side and seed is appended to docs/zoo_seeds.jsonl;
make_models_doc.py summarises them (with seed 0 from zoo_results.jsonl) per model.

    swift build -c release && python3 Scripts/zoo_seeds.py MODEL SEED [SEED ...] [--side ours|torch|both]

--side lets the two sides run as two processes at once (ours uses both cores, torch one).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
GAN = os.environ.get("SWIFTGAN_BIN", os.path.join(ROOT, ".build", "release", "gan"))
RESULTS = os.path.join(ROOT, "docs", "zoo_seeds.jsonl")
SCORES = ("fd", "is", "mode_coverage", "histogram")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("seeds", nargs="+", type=int)
    p.add_argument("--side", choices=["ours", "torch", "both"], default="both")
    p.add_argument("--runs", default="/tmp/swiftgan-zoo-seeds")
    a = p.parse_args()
    rows = subprocess.run([GAN, "list", "--markdown"], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    kinds = {cells[1].strip(): cells[6].strip() for cells in (r.split("|") for r in rows)}
    if a.model not in kinds:
        sys.exit(f"zoo_seeds.py: no model {a.model!r}; `gan list` has {', '.join(kinds)}")
    epochs = 5 if kinds[a.model] == "mlp" else 1
    iterations = epochs * 938
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    os.makedirs(a.runs, exist_ok=True)
    for seed in a.seeds:
        if a.side in ("ours", "both"):
            out = os.path.join(a.runs, f"{a.model}_ours_s{seed}")
            shutil.rmtree(out, ignore_errors=True)
            t0 = time.time()
            subprocess.run([GAN, "train", a.model, "--n-epochs", str(epochs), "--seed", str(seed), "--out", out,
                            "--log-interval", "100000", "--sample-interval", "100000", "--checkpoint-interval", "0"],
                           check=True, capture_output=True, text=True)
            record(a.model, seed, "ours", iterations, time.time() - t0, commit, [GAN, "eval", out, "--n", "1000", "--json"])
        if a.side in ("torch", "both"):
            npy = os.path.join(a.runs, f"{a.model}_torch_s{seed}.npy")
            t0 = time.time()
            subprocess.run([sys.executable, os.path.join(ROOT, "Scripts", "torch_zoo", "run.py"), a.model, "train",
                            "--iterations", str(iterations), "--out", npy, "--threads", "1", "--seed", str(seed)],
                           check=True, capture_output=True, text=True)
            cmd = [GAN, "eval", npy, "--json"]
            labels = npy.replace(".npy", "_labels.txt")
            if os.path.exists(labels):
                cmd += ["--labels", labels]
            record(a.model, seed, "torch", iterations, time.time() - t0, commit, cmd)


def record(model, seed, side, iterations, seconds, commit, eval_cmd):
    scores = json.loads(subprocess.run(eval_cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    row = {"model": model, "seed": seed, "side": side, "iterations": iterations, "seconds": round(seconds, 1),
           "commit": commit, **{k: scores[k] for k in SCORES if k in scores}}
    with open(RESULTS, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
