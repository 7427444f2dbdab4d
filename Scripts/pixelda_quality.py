"""pixelda's headline number at equal iterations, one run at a time: our adapted classifier
(`gan train pixelda`), our source-only baseline (`--source-only`: the same classifier on
MNIST alone) and PyTorch-GAN's own pixelda.py (Scripts/run_reference_pixelda.py), each scored
on MNIST-M's test split (and MNIST's) by `gan eval` or the same count. `--sides cogan` trains
cogan instead and records `gan eval`'s per-domain scores and pair agreement. Appends one JSON
line per run to docs/image_zoo_results.jsonl; Scripts/make_models_doc.py puts them in MODELS.md.
Each run's folder is printed (its images/ has the final picture).

    swift build -c release
    nice -n 10 python3 Scripts/pixelda_quality.py --iterations 200 --seeds 0 1 \\
        --mnistm ../shared/data/mnistm --mnist ../shared/data/mnist
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
GAN = os.path.join(ROOT, ".build", "release", "gan")
RESULTS = os.path.join(ROOT, "docs", "image_zoo_results.jsonl")


def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def ours(variant, iterations, seed, mnistm, threads):
    out = tempfile.mkdtemp(prefix=f"pixelda-{variant}-")
    args = [GAN, "train", "pixelda", "--data-dir", mnistm, "--iterations", str(iterations), "--seed", str(seed),
            "--sample-interval", "0", "--out", out, "--quiet", "--threads", str(threads)]
    if variant == "source-only":
        args.append("--source-only")
    started = time.time()
    subprocess.run(args, check=True)
    seconds = time.time() - started
    sys.stderr.write(f"pixelda {variant} run: {out}\n")
    report = json.loads(subprocess.run([GAN, "eval", out, "--json"], check=True, capture_output=True, text=True).stdout)
    return {"model": "pixelda", "side": "ours", "variant": variant, "iterations": iterations, "batch_size": 64, "seed": seed,
            "target_accuracy": report["target_accuracy"], "target_n": report["target_n"],
            "source_accuracy": report["source_accuracy"], "source_n": report["source_n"], "seconds": round(seconds, 1),
            "threads": threads, "build": "release"}


def cogan(iterations, seed, mnistm, threads):
    out = tempfile.mkdtemp(prefix="cogan-")
    started = time.time()
    subprocess.run([GAN, "train", "cogan", "--data-dir", mnistm, "--iterations", str(iterations), "--seed", str(seed),
                    "--sample-interval", "0", "--out", out, "--quiet", "--threads", str(threads)], check=True)
    seconds = time.time() - started
    report = json.loads(subprocess.run([GAN, "eval", out, "--json"], check=True, capture_output=True, text=True).stdout)
    sys.stderr.write(f"cogan run: {out}\n")
    one, two = report["domain1"], report["domain2_grayscale"]
    return {"model": "cogan", "side": "ours", "iterations": iterations, "batch_size": 32, "seed": seed, "n": report["n"],
            "agreement": report["agreement"], "fd_domain1": one["fd"], "coverage_domain1": one["mode_coverage"],
            "histogram_domain1": one["histogram"], "fd_domain2_gray": two["fd"], "coverage_domain2_gray": two["mode_coverage"],
            "histogram_domain2_gray": two["histogram"], "seconds": round(seconds, 1), "threads": threads, "build": "release"}


def reference(iterations, seed, mnistm, mnist, threads):
    script = os.path.join(ROOT, "Scripts", "run_reference_pixelda.py")
    out = subprocess.run([sys.executable, script, "--iterations", str(iterations), "--seed", str(seed), "--mnistm", mnistm,
                          "--mnist", mnist, "--threads", str(threads)], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--mnistm", default=os.path.join(ROOT, "..", "shared", "data", "mnistm"))
    parser.add_argument("--mnist", default=os.path.join(ROOT, "..", "shared", "data", "mnist"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sides", nargs="+", default=["adapted", "source-only", "reference"])
    args = parser.parse_args()
    mnistm, mnist = os.path.abspath(args.mnistm), os.path.abspath(args.mnist)
    for seed in args.seeds:
        for side in args.sides:
            if side == "reference":
                record = reference(args.iterations, seed, mnistm, mnist, args.threads)
            elif side == "cogan":
                record = cogan(args.iterations, seed, mnistm, args.threads)
            else:
                record = ours(side, args.iterations, seed, mnistm, args.threads)
            record.update({"data": "MNIST and MNIST-M (gan data mnistm, seed 0)", "cpu": cpu(),
                           "load_average": round(os.getloadavg()[0], 2),
                           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")})
            with open(RESULTS, "a") as f:
                f.write(json.dumps(record) + "\n")
            print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
