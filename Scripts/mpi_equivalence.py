#!/usr/bin/env python3
"""Data-parallel training over MPI against one process (issue #23; docs/DISTRIBUTED.md).

Builds gan with the MPI trait (its own --scratch-path, so the default build is untouched),
then for gan, dcgan and wgan_gp on MNIST (../shared/data/mnist, or --data-dir):
  1. one process at global batch B for 20 iterations;
  2. `mpirun -np 2 --oversubscribe ... --distributed --sync-bn` at the same B: every
     parameter must match (1) within float summation tolerance;
  3. for models with batch norm, the same without --sync-bn, whose difference (per-replica
     statistics) is reported and must be larger than (2)'s;
  4. 2 ranks to iteration 10, then --resume on 1 rank to 20: must match (1) too;
  5. a rank killed mid-run: the other stops within seconds, the newest checkpoint loads
     and the run resumes to its end.
Exits non-zero on any failure. Usage: Scripts/mpi_equivalence.py [--skip-build] [--models ...]
"""
import argparse, json, math, os, shutil, signal, struct, subprocess, sys, tempfile, time
from array import array

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = os.path.join(ROOT, ".build-mpi")
GAN = os.path.join(SCRATCH, "debug", "gan")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
# Small enough for a debug build on two shared cores; dcgan's convolutions at 16 px.
MODELS = {"gan": [], "dcgan": ["--img-size", "16", "--batch-size", "16"], "wgan_gp": []}
ITERATIONS = 20
# Float summation tolerance. Adam divides each gradient by its own running scale, so a
# weight whose gradient is near zero (a bias before batch norm, whose gradient is
# rounding noise) moves by up to lr per step whatever the sum's last bits were; elementwise
# bounds are therefore meaningless. The measure is the root-mean-square difference of each
# tensor in units of the most Adam can move a weight in the run (lr x iterations; all
# three models use lr 2e-4), which must stay far below per-replica batch norm's.
LR = 2e-4
TOLERANCE = 0.02


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header, base, out = json.loads(data[8:8 + n]), 8 + n, {}
    for name, entry in header.items():
        if name != "__metadata__" and entry["dtype"] == "F32":
            a, b = entry["data_offsets"]
            values = array("f")
            values.frombytes(data[base + a:base + b])
            out[name] = values
    return out


def parameters(run):
    folder = os.path.join(run, "checkpoints", "latest")
    folder = os.path.join(run, "checkpoints", open(folder).read().strip()) if os.path.isfile(folder) else folder
    tensors = {}
    for file in sorted(os.listdir(folder)):
        if file.endswith(".safetensors") and not file.startswith("optimizer"):
            for name, values in load(os.path.join(folder, file)).items():
                tensors[file[:-12] + name] = values
    return tensors


def difference(a, b):
    """The largest root-mean-square difference of a tensor, in units of lr x iterations for
    parameters and of the tensor's own root-mean-square for running statistics (which
    Adam does not move), and the tensor's name."""
    assert a.keys() == b.keys(), (sorted(a), sorted(b))
    worst = (0.0, "")
    for name in a:
        rms = math.sqrt(sum((x - y) ** 2 for x, y in zip(a[name], b[name])) / max(1, len(a[name])))
        unit = math.sqrt(sum(y * y for y in b[name]) / max(1, len(b[name]))) if "running_" in name else LR * ITERATIONS
        worst = max(worst, (rms / max(unit, 1e-12), name))
    return worst


def run(command, **kw):
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, env=ENV, cwd=ROOT, **kw)


def train(out, model, extra, data, ranks=None, more=()):
    command = [GAN, "train", model, "--out", out, "--iterations", str(ITERATIONS), "--data-dir", data, "--data-limit", "640",
               "--quiet", "--threads", "1"] + MODELS[model] + list(extra) + list(more)
    if ranks:
        command = ["mpirun", "-np", str(ranks), "--oversubscribe"] + command + ["--distributed"]
    result = run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(command)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--models", nargs="*", default=list(MODELS))
    parser.add_argument("--data-dir", default=os.path.join(ROOT, "..", "shared", "data", "mnist"))
    args = parser.parse_args()
    if not args.skip_build and run(["swift", "build", "--traits", "MPI", "--scratch-path", SCRATCH, "--product", "gan"]).returncode != 0:
        sys.exit("FAIL: swift build --traits MPI")
    work = tempfile.mkdtemp(prefix="mpi_equivalence_")
    failures = []
    try:
        for model in args.models:
            one = os.path.join(work, model + "-one")
            train(one, model, [], args.data_dir)
            reference = parameters(one)
            two = os.path.join(work, model + "-two")
            train(two, model, ["--sync-bn"], args.data_dir, ranks=2)
            worst, where = difference(parameters(two), reference)
            ok = worst <= TOLERANCE
            print(f"{model}: 2 ranks --sync-bn vs 1 process after {ITERATIONS} iterations: rms difference {worst:.3g} lr x iterations "
                  f"(largest in {where}; tolerance {TOLERANCE}) {'ok' if ok else 'FAIL'}", flush=True)
            if not ok:
                failures.append(f"{model} --sync-bn")
            if model in ("gan", "dcgan"):   # the models here with batch norm
                replica = os.path.join(work, model + "-replica")
                train(replica, model, [], args.data_dir, ranks=2)
                r_worst, r_where = difference(parameters(replica), reference)
                print(f"{model}: 2 ranks, per-replica batch norm: rms difference {r_worst:.3g} lr x iterations (largest in {r_where})")
                if r_worst <= 5 * worst:
                    failures.append(f"{model}: per-replica batch norm not clearly further from one process than --sync-bn")
            resumed = os.path.join(work, model + "-resumed")
            train(resumed, model, ["--sync-bn"], args.data_dir, ranks=2, more=["--checkpoint-interval", "10", "--iterations", "10"])
            run([GAN, "train", model, "--out", resumed, "--resume", "--iterations", str(ITERATIONS), "--quiet", "--threads", "1"], check=True)
            worst, where = difference(parameters(resumed), reference)
            print(f"{model}: 2 ranks to 10, resumed on 1 to {ITERATIONS}: rms difference {worst:.3g} lr x iterations "
                  f"(largest in {where}) {'ok' if worst <= TOLERANCE else 'FAIL'}", flush=True)
            if worst > TOLERANCE:
                failures.append(f"{model} resume with another number of ranks")
        failures += killed_rank(work, args.data_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        sys.exit("FAIL: " + "; ".join(failures))
    print("all equivalence checks passed")


def killed_rank(work, data):
    """Rank 1 killed mid-run: rank 0 stops within seconds, the newest checkpoint loads, the run resumes."""
    out = os.path.join(work, "killed")
    command = ["mpirun", "-np", "2", "--oversubscribe", GAN, "train", "wgan_gp", "--distributed", "--out", out, "--iterations", "400",
               "--checkpoint-interval", "20", "--data-dir", data, "--data-limit", "640", "--threads", "1", "--log-interval", "20"]
    print("$", " ".join(command), flush=True)
    job = subprocess.Popen(command, env=ENV, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    checkpoints = os.path.join(out, "checkpoints")
    deadline = time.time() + 300
    while time.time() < deadline and job.poll() is None:
        if os.path.isdir(checkpoints) and sum(n.isdigit() for n in os.listdir(checkpoints)) >= 2:
            break
        time.sleep(0.2)
    ranks = subprocess.run(["pgrep", "-P", str(job.pid)], capture_output=True, text=True).stdout.split()
    victim = None
    for pid in ranks:
        if "OMPI_COMM_WORLD_RANK=1" in open(f"/proc/{pid}/environ", "rb").read().decode(errors="replace").split("\0"):
            victim = int(pid)
    if job.poll() is not None or victim is None:
        job.kill()
        return [f"killed rank: the run ended or had no rank 1 before two checkpoints ({job.communicate()[0][-2000:]})"]
    os.kill(victim, signal.SIGKILL)
    killed = time.time()
    try:
        output, _ = job.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        job.kill()
        return ["killed rank: the other rank was still running 30 s after rank 1 was killed"]
    seconds = time.time() - killed
    print(f"killed rank 1: mpirun ended {seconds:.1f} s later with status {job.returncode}; its last lines:\n"
          + "\n".join(output.strip().splitlines()[-6:]), flush=True)
    failures = []
    if job.returncode == 0 or seconds > 10:
        failures.append(f"killed rank: status {job.returncode} after {seconds:.1f} s")
    resumed = run([GAN, "train", "wgan_gp", "--out", out, "--resume", "--iterations", "200", "--quiet", "--threads", "1"],
                  capture_output=True, text=True)
    done = [json.loads(l)["batches_done"] for l in open(os.path.join(out, "metrics.jsonl"))]
    if resumed.returncode != 0 or done[-1] != 200 or done != sorted(done):
        failures.append(f"killed rank: the resume failed ({resumed.returncode}: {resumed.stderr.strip()[-500:]})")
    else:
        print("killed rank: the newest checkpoint loaded and the run resumed to iteration 200")
    return failures


if __name__ == "__main__":
    main()
