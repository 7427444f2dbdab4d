#!/usr/bin/env python3
"""Times PyTorch-GAN's own training script for a model: seconds per training batch (median
over the timed batches, data loading included, as a user of the script sees it) and the
peak resident memory of the script and its loader workers.

    python3 Scripts/time_reference_script.py pix2pix --data facades=../shared/data/facades \\
        --alias val=test [--batches 12] [--warmup 3] [--threads 2] [-- SCRIPT ARGS ...]
    python3 Scripts/time_reference_script.py cyclegan --unpaired facades=../shared/data/facades \
        --batches 4 -- --dataset_name facades
    python3 Scripts/time_reference_script.py cogan --data mnist=MNIST_ROOT --data mnistm=MNISTM_FOLDER
        (MNIST_ROOT holds MNIST/raw/ as torchvision reads it; MNISTM_FOLDER what `gan data mnistm` writes)

The script runs unchanged in a scratch folder where `../../data/NAME` (the path the
reference's scripts read) points at the given dataset folder; each progress line it prints
is timestamped, and it is stopped after warm-up + timed progress lines (a line every
n_critic batches in dualgan and stargan: the time is divided by the batches between lines).
Prints one JSON object.
The reference checkout comes from $PYTORCH_GAN (default: the mirror Scripts/reference_models.py uses).

The scratch folder is laid out by Scripts/reference_scratch.py.
"""
import argparse, json, os, re, resource, signal, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_models import checkout  # noqa: E402
import reference_scratch  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--data", action="append", default=[], help="NAME=FOLDER, as the script's data/NAME")
    ap.add_argument("--unpaired", action="append", default=[],
                    help="NAME=FOLDER of A|B pairs: data/NAME/SPLIT/A and B hold the halves (cyclegan's layout)")
    ap.add_argument("--alias", action="append", default=[],
                    help="NEW=OLD: the dataset's OLD entry also as NEW (facades has no val/: val=test)")
    ap.add_argument("--batches", type=int, default=12, help="timed batches")
    ap.add_argument("--warmup", type=int, default=3, help="batches not timed, first")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's own)")
    ap.add_argument("--timeout", type=float, default=1800)
    argv = sys.argv[1:]
    script_args = argv[argv.index("--") + 1:] if "--" in argv else []
    a = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    a.args = script_args

    impl = os.path.join(checkout(), "implementations", a.model)
    with tempfile.TemporaryDirectory() as scratch:
        work = reference_scratch.prepare(scratch, a.model, a.data, a.alias, a.unpaired)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([scratch, impl, os.environ.get("PYTHONPATH", "")]),
                   PYTHONUNBUFFERED="1")
        if a.threads:
            env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = str(a.threads)
        cmd = [sys.executable, "-u", os.path.join(impl, a.model + ".py")] + a.args
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        stamps, line, tail = [], b"", []
        deadline = time.monotonic() + a.timeout
        while len(stamps) < a.warmup + a.batches + 1 and time.monotonic() < deadline:
            ch = proc.stdout.read(1)
            if not ch:
                break
            if ch in (b"\r", b"\n"):
                text = line.decode(errors="replace")
                if "[Epoch" in text and "[Batch" not in text:
                    stamps.append((time.monotonic(), None))
                elif text.strip() and "[Batch" not in text:
                    tail.append(text)
                line = b""
                continue
            line += ch
            # A progress line is stamped as its "[Batch i/N]" arrives: srgan.py and esrgan.py
            # write theirs with no line break, one after another on a single line.
            if ch == b"]" and BATCH_FIELD.search(line):
                text = line.decode(errors="replace")
                stamps.append((time.monotonic(), batch_index(text)))
                line = b""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    if len(stamps) < a.warmup + 2:
        sys.exit(f"the script printed {len(stamps)} progress lines; its last output:\n" + "\n".join(tail[-20:]))
    # Scripts with n_critic print every n_critic batches (dualgan, stargan): a gap between
    # two lines is divided by the batches it covers, read from their "[Batch i/N]".
    gaps = [(tb - ts) / (ib - is_ if ib is not None and is_ is not None and ib > is_ else 1)
            for (ts, is_), (tb, ib) in zip(stamps[a.warmup:], stamps[a.warmup + 1:])]
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"model": a.model, "s_per_batch": statistics.median(gaps), "min": min(gaps),
                      "max": max(gaps), "batches": len(gaps), "peak_rss_mb": rss / 2**20,
                      "threads": a.threads or None, "args": a.args}))


BATCH_FIELD = re.compile(rb"\[Batch \d+/\d+\]$")


def batch_index(line):
    """The batch a progress line reports, counted over epochs ("[Epoch e/E] [Batch i/N]"),
    or None where the line does not say."""
    batch = re.search(r"\[Batch (\d+)/(\d+)\]", line)
    if not batch:
        return None
    epoch = re.search(r"\[Epoch (\d+)/\d+\]", line)
    return (int(epoch.group(1)) if epoch else 0) * int(batch.group(2)) + int(batch.group(1))


if __name__ == "__main__":
    main()
