#!/usr/bin/env python3
"""The real training runs behind docs/MODELS.md: for each model, `gan train` at its defaults
with seed 0 (five epochs for the MLP models, one for the convolutional ones: 938 iterations
per epoch at batch size 64), `gan eval` on 1,000 samples, the last 5x5 (or 10x10 by class)
grid copied to docs/images/MODEL.png, and the wall-clock time; then our PyTorch version of the
same architecture (Scripts/torch_zoo) for the same number of iterations, scored the same way.
One JSON line per model is appended to docs/zoo_results.jsonl.

    swift build -c release && python3 Scripts/zoo_runs.py [MODEL ...] [--skip-torch | --torch-only]

--torch-only runs only the PyTorch side, for as many iterations as our last run of the model
(or five/one epochs at batch 64), as a row of its own: make_models_doc.py pairs the halves.
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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("models", nargs="*")
    p.add_argument("--skip-torch", action="store_true")
    p.add_argument("--torch-only", action="store_true")
    p.add_argument("--runs", default="/tmp/swiftgan-zoo-runs")
    a = p.parse_args()
    rows = subprocess.run([GAN, "list", "--markdown"], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    kinds = {cells[1].strip(): cells[6].strip() for cells in (r.split("|") for r in rows)}
    models = a.models or list(kinds)
    os.makedirs(os.path.join(ROOT, "docs", "images"), exist_ok=True)
    results = os.path.join(ROOT, "docs", "zoo_results.jsonl")
    last = {}
    if os.path.exists(results):
        for line in open(results):
            r = json.loads(line)
            last[r["model"]] = r
    for m in models:
        epochs = 5 if kinds[m] == "mlp" else 1
        if a.torch_only:
            # As long as our run (or `epochs` epochs of 938 batches of 64, the default).
            iterations = last[m]["iterations"] if "iterations" in last.get(m, {}) else epochs * 938
            row = {"model": m, "kind": kinds[m], "epochs": epochs, "iterations": iterations}
            add_torch(row, m, iterations, a.runs)
            append(results, row)
            continue
        out = os.path.join(a.runs, m)
        shutil.rmtree(out, ignore_errors=True)
        start = time.time()
        train = subprocess.run([GAN, "train", m, "--n-epochs", str(epochs), "--seed", "0", "--out", out,
                                "--log-interval", "500", "--checkpoint-interval", "0"], capture_output=True, text=True)
        seconds = time.time() - start
        if train.returncode != 0:
            print(json.dumps({"model": m, "error": train.stderr.strip()[-300:]}), flush=True)
            continue
        state = json.load(open(os.path.join(out, "checkpoints", "latest", "state.json")))
        iterations = state["batches_done"]
        peak = [l for l in train.stdout.splitlines() if "peak memory" in l]
        ours = json.loads(subprocess.run([GAN, "eval", out, "--n", "1000", "--json"], check=True,
                                         capture_output=True, text=True).stdout.strip().splitlines()[-1])
        grids = sorted(int(f[:-4]) for f in os.listdir(os.path.join(out, "images")) if f.endswith(".png"))
        shutil.copy(os.path.join(out, "images", f"{grids[-1]}.png"), os.path.join(ROOT, "docs", "images", f"{m}.png"))
        row = {"model": m, "kind": kinds[m], "epochs": epochs, "iterations": iterations, "seconds": round(seconds, 1),
               "peak_memory": peak[-1].split("peak memory ")[1].split(" MB")[0] if peak else None, "ours": ours,
               "load": round(os.getloadavg()[0], 2)}
        if not a.skip_torch:
            add_torch(row, m, iterations, a.runs)
        append(results, row)


def add_torch(row, m, iterations, runs):
    """Our PyTorch version of the model, trained for `iterations` batches and scored by `gan eval`."""
    npy = os.path.join(runs, f"{m}_torch.npy")
    os.makedirs(runs, exist_ok=True)
    t0 = time.time()
    r = subprocess.run([sys.executable, os.path.join(ROOT, "Scripts", "torch_zoo", "run.py"), m, "train",
                        "--iterations", str(iterations), "--out", npy, "--threads", "1"], capture_output=True, text=True)
    if r.returncode == 0:
        cmd = [GAN, "eval", npy, "--json"]
        labels = npy.replace(".npy", "_labels.txt")
        if os.path.exists(labels):
            cmd += ["--labels", labels]
        row["torch"] = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
        row["torch_seconds"] = round(time.time() - t0, 1)
        row.pop("torch_error", None)
    else:
        row["torch_error"] = r.stderr.strip()[-300:]


def append(results, row):
    with open(results, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
