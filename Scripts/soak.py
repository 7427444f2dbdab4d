#!/usr/bin/env python3
"""Soak benchmark (not a unit test): trains dcgan for a given time with checkpoints, pictures
and metrics as a long run writes them, samples the process's resident memory (VmRSS) and open
files (/proc/PID/fd) every few seconds, and says whether both are flat after warm-up (least-
squares slope, min and max). Appends one line to docs/reliability_results.jsonl.

    swift build -c release && nice -n 19 python3 Scripts/soak.py            # one hour
    python3 Scripts/soak.py --seconds 120 --no-record                       # a quick look
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
RESULTS = os.path.join(ROOT, "docs", "reliability_results.jsonl")


def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise OSError("no VmRSS")


def slope_per_hour(points):
    """Least-squares slope of (seconds, value) points, per hour."""
    n = len(points)
    if n < 2:
        return 0.0
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    return 0.0 if var == 0 else sum((t - mt) * (v - mv) for t, v in points) / var * 3600


def summary(points):
    values = [v for _, v in points]
    return {"first": round(values[0], 1), "last": round(values[-1], 1), "min": round(min(values), 1),
            "max": round(max(values), 1), "slope_per_hour": round(slope_per_hour(points), 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gan", default=os.path.join(ROOT, ".build", "release", "gan"))
    parser.add_argument("--seconds", type=float, default=3600, help="how long to train (default one hour)")
    parser.add_argument("--interval", type=float, default=5, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=0.1, help="fraction of the time left out as warm-up")
    parser.add_argument("--checkpoint-interval", type=int, default=500)
    parser.add_argument("--sample-interval", type=int, default=500)
    parser.add_argument("--rss-tolerance-mb", type=float, default=20,
                        help="flat: resident memory after warm-up stays within this band and its fitted drift over the run is smaller")
    parser.add_argument("--no-record", action="store_true", help="print the result without appending it to the results file")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="swiftgan-soak-")
    run = os.path.join(work, "run")
    command = [args.gan, "train", "dcgan", "--iterations", "100000000", "--out", run, "--quiet",
               "--checkpoint-interval", str(args.checkpoint_interval), "--sample-interval", str(args.sample_interval)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    start = time.monotonic()
    samples = []  # (seconds, rss MB, open files)
    try:
        while time.monotonic() - start < args.seconds and process.poll() is None:
            try:
                samples.append((time.monotonic() - start, rss_mb(process.pid), len(os.listdir(f"/proc/{process.pid}/fd"))))
            except OSError:
                break
            time.sleep(args.interval)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # a checkpoint, then exit 130
        try:
            _, err = process.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
    elapsed = time.monotonic() - start
    iterations = None
    try:
        with open(os.path.join(run, "metrics.jsonl")) as f:
            for line in f:
                iterations = json.loads(line).get("batches_done", iterations)
    except (OSError, ValueError):
        pass
    shutil.rmtree(work, ignore_errors=True)
    if process.returncode not in (0, 130) or len(samples) < 3:
        sys.exit(f"gan exited {process.returncode} after {elapsed:.0f} s with {len(samples)} samples: {err.strip()[-2000:]}")

    after = [s for s in samples if s[0] >= args.warmup * samples[-1][0]]
    rss = summary([(t, m) for t, m, _ in after])
    files = summary([(t, f) for t, _, f in after])
    hours = (after[-1][0] - after[0][0]) / 3600
    rss_flat = rss["max"] - rss["min"] <= args.rss_tolerance_mb and abs(rss["slope_per_hour"]) * hours <= args.rss_tolerance_mb
    files_flat = files["max"] == files["min"] or (abs(files["slope_per_hour"]) * hours < 1 and files["max"] - files["min"] <= 4)
    result = {
        "date": datetime.date.today().isoformat(),
        "what": f"Scripts/soak.py: gan train dcgan (defaults, MNIST), checkpoint and sample interval "
                f"{args.checkpoint_interval}/{args.sample_interval}, release, nice 19; VmRSS (MB) and open files every "
                f"{args.interval:g} s, the first {args.warmup:.0%} left out as warm-up",
        "commit": subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
        "cpu": cpu(), "cores": os.cpu_count(), "machine_quiet": False,
        "seconds": round(elapsed), "iterations": iterations, "samples": len(samples), "exit_status": process.returncode,
        "rss_mb_after_warmup": rss, "open_files_after_warmup": files,
        "rss_flat": rss_flat, "open_files_flat": files_flat,
    }
    print(json.dumps(result, indent=1))
    if not args.no_record:
        with open(RESULTS, "a") as f:
            f.write(json.dumps(result) + "\n")
    sys.exit(0 if rss_flat and files_flat else 1)


if __name__ == "__main__":
    main()
