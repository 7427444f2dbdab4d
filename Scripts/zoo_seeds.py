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
Scripts/zoo_seeds_farm.py runs many of these at once on a machine with more cores.
--torch-device cuda trains the PyTorch side on a GPU (float32, TF32 off); such rows say so.
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

# Training length at the defaults, by network kind (938 iterations per epoch at batch 64).
EPOCHS = {"mlp": 5, "conv": 1}


def model_kinds():
    """Each model's network kind ("mlp" or "conv"), as `gan list` gives it."""
    rows = subprocess.run([GAN, "list", "--markdown"], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    return {cells[1].strip(): cells[6].strip() for cells in (r.split("|") for r in rows)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("seeds", nargs="+", type=int)
    p.add_argument("--side", choices=["ours", "torch", "both"], default="both")
    p.add_argument("--runs", default="/tmp/swiftgan-zoo-seeds")
    p.add_argument("--results", default=RESULTS, help="JSON-lines file the rows are appended to")
    p.add_argument("--threads", type=int, help="threads for our side (default: the tool's, every core)")
    p.add_argument("--torch-device", default="cpu", help="cpu (one thread) or cuda")
    p.add_argument("--commit", help="the commit to record (default: git's HEAD; for copies without .git)")
    p.add_argument("--host", help="where the runs ran, recorded in each row when given")
    a = p.parse_args()
    kinds = model_kinds()
    if a.model not in kinds:
        sys.exit(f"zoo_seeds.py: no model {a.model!r}; `gan list` has {', '.join(kinds)}")
    epochs = EPOCHS[kinds[a.model]]
    iterations = epochs * 938
    commit = a.commit or subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                        capture_output=True, text=True).stdout.strip()
    os.makedirs(a.runs, exist_ok=True)
    for seed in a.seeds:
        if a.side in ("ours", "both"):
            out = os.path.join(a.runs, f"{a.model}_ours_s{seed}")
            shutil.rmtree(out, ignore_errors=True)
            t0 = time.time()
            threads = ["--threads", str(a.threads)] if a.threads else []
            run([GAN, "train", a.model, "--n-epochs", str(epochs), "--seed", str(seed), "--out", out,
                 "--log-interval", "100000", "--sample-interval", "100000", "--checkpoint-interval", "0", *threads])
            extra = {"threads": a.threads} if a.threads else {}
            record(a, seed, "ours", iterations, time.time() - t0, commit, [GAN, "eval", out, "--n", "1000", "--json"], extra)
        if a.side in ("torch", "both"):
            suffix = "" if a.torch_device == "cpu" else f"_{a.torch_device}"
            npy = os.path.join(a.runs, f"{a.model}_torch{suffix}_s{seed}.npy")
            t0 = time.time()
            run([sys.executable, os.path.join(ROOT, "Scripts", "torch_zoo", "run.py"), a.model, "train",
                 "--iterations", str(iterations), "--out", npy, "--threads", "1", "--seed", str(seed),
                 "--device", a.torch_device])
            cmd = [GAN, "eval", npy, "--json"]
            labels = npy.replace(".npy", "_labels.txt")
            if os.path.exists(labels):
                cmd += ["--labels", labels]
            extra = {} if a.torch_device == "cpu" else {"torch_device": a.torch_device}
            record(a, seed, "torch", iterations, time.time() - t0, commit, cmd, extra)


def run(cmd):
    """The command's output; on failure, exits with the end of what it wrote to stderr."""
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"zoo_seeds.py: {' '.join(cmd[:3])} ... exited with {r.returncode}:\n{r.stderr[-1500:]}")
    return r.stdout


def record(a, seed, side, iterations, seconds, commit, eval_cmd, extra):
    scores = json.loads(run(eval_cmd).strip().splitlines()[-1])
    row = {"model": a.model, "seed": seed, "side": side, "iterations": iterations, "seconds": round(seconds, 1),
           "commit": commit, **({"host": a.host} if a.host else {}), **extra,
           **{k: scores[k] for k in SCORES if k in scores}}
    with open(a.results, "a") as f:  # one short line per write: appends from parallel runs do not interleave
        f.write(json.dumps(row) + "\n")
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
