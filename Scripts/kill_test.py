#!/usr/bin/env python3
"""Kills `gan train` with SIGKILL at random moments, half of them inside checkpoint writes,
and checks after each kill that `--resume` starts from the newest complete checkpoint and
loses at most one checkpoint interval; at the end the run is finished and its weights must
equal those of an uninterrupted run bit for bit.

    python3 Scripts/kill_test.py --kills 50            # after `swift build -c release`
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def newest_complete(checkpoints):
    """batches_done of the newest checkpoint folder whose manifest and files are all there."""
    best = None
    for name in sorted(os.listdir(checkpoints), reverse=True) if os.path.isdir(checkpoints) else []:
        if not re.fullmatch(r"\d{8}", name):
            continue
        try:
            with open(os.path.join(checkpoints, name, "state.json")) as f:
                manifest = json.load(f)
        except (OSError, ValueError):
            continue
        files = manifest["networks"] + manifest["optimizers"]
        if all(os.path.isfile(os.path.join(checkpoints, name, n + ".safetensors")) for n in files):
            best = manifest["batches_done"]
            break
    return best


def last_logged(metrics):
    """The highest batches_done of a whole line of metrics.jsonl (0 when none)."""
    done = 0
    try:
        with open(metrics) as f:
            for line in f:
                try:
                    done = max(done, json.loads(line)["batches_done"])
                except (ValueError, KeyError):
                    pass
    except OSError:
        pass
    return done


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gan", default=".build/release/gan")
    parser.add_argument("--model", default="gan")
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--interval", type=int, default=3, help="checkpoint interval")
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill moments")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="swiftgan-kill-")
    run, straight = os.path.join(work, "run"), os.path.join(work, "straight")
    common = ["--batch-size", "16", "--data-limit", "256", "--sample-interval", "0", "--log-interval", "1000000"]
    start_args = [args.gan, "train", args.model, "--iterations", str(args.iterations),
                  "--checkpoint-interval", str(args.interval), "--out", run] + common
    checkpoints, metrics = os.path.join(run, "checkpoints"), os.path.join(run, "metrics.jsonl")
    failures, in_writes = [], 0
    for k in range(args.kills):
        # Before its first checkpoint a run has nothing to resume: it is started over.
        expected = newest_complete(checkpoints)
        resuming = expected is not None
        command = [args.gan, "train", args.model, "--out", run, "--resume"] if resuming else start_args
        p = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        during_write = k % 2 == 0
        deadline = time.time() + rng.uniform(0.3, 3.0)
        while p.poll() is None and time.time() < deadline:
            if during_write and os.path.isdir(checkpoints) and any(n.startswith(".tmp-") for n in os.listdir(checkpoints)):
                break
            time.sleep(0.001)
        if p.poll() is not None:
            out, err = p.communicate()
            if p.returncode == 0:
                print(f"kill {k}: the run finished first")
                break
            failures.append(f"kill {k}: gan exited {p.returncode} before the kill: {err.strip()}")
            break
        wrote = os.path.isdir(checkpoints) and any(n.startswith(".tmp-") for n in os.listdir(checkpoints))
        in_writes += wrote
        p.send_signal(signal.SIGKILL)
        out, err = p.communicate()
        # (A kill before the restore finished printed nothing to check.)
        if resuming and expected is not None and "Resuming" in out and f"Resuming {args.model} from batch {expected} " not in out:
            failures.append(f"kill {k}: expected to resume from {expected}: {out.strip()[:200]}")
        logged, kept = last_logged(metrics), newest_complete(checkpoints) or 0
        lost = logged - kept
        print(f"kill {k}: {'inside a checkpoint write, ' if wrote else ''}{logged} logged, newest complete checkpoint {kept}, lost {lost}")
        if lost > args.interval:
            failures.append(f"kill {k}: lost {lost} iterations, more than the interval {args.interval}")
        latest = os.path.join(checkpoints, "latest")
        if os.path.islink(latest) and not os.path.isfile(os.path.join(latest, "state.json")):
            failures.append(f"kill {k}: latest points at no complete checkpoint")
    finish = subprocess.run([args.gan, "train", args.model, "--out", run, "--resume", "--quiet"], capture_output=True, text=True)
    if finish.returncode != 0:
        failures.append(f"finishing the run failed: {finish.stderr.strip()}")
    subprocess.run(start_args[:-len(common) - 2] + ["--out", straight] + common + ["--quiet"], check=True)
    for name in os.listdir(os.path.join(straight, "checkpoints", "latest")):
        if name.endswith(".safetensors"):
            a = open(os.path.join(straight, "checkpoints", "latest", name), "rb").read()
            b = open(os.path.join(checkpoints, "latest", name), "rb").read()
            if a != b:
                failures.append(f"{name} differs from the uninterrupted run's")
    print(f"{args.kills} kills ({in_writes} inside checkpoint writes): {'ok' if not failures else 'FAILED'}")
    for f in failures:
        print("  " + f)
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
