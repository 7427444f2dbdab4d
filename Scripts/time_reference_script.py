#!/usr/bin/env python3
"""Times PyTorch-GAN's own training script for a model: seconds per training batch (median
over the timed batches, data loading included, as a user of the script sees it) and the
peak resident memory of the script and its loader workers.

    python3 Scripts/time_reference_script.py pix2pix --data facades=../shared/data/facades \\
        --alias val=test [--batches 12] [--warmup 3] [--threads 2] [-- SCRIPT ARGS ...]
    python3 Scripts/time_reference_script.py cyclegan --unpaired facades=../shared/data/facades \
        --batches 4 -- --dataset_name facades

The script runs unchanged in a scratch folder where `../../data/NAME` (the path the
reference's scripts read) points at the given dataset folder; each progress line it prints
is timestamped, and it is stopped after warm-up + timed batches. Prints one JSON object.
The reference checkout comes from $PYTORCH_GAN (default: the mirror Scripts/reference_models.py uses).

torchvision: only its PyPI wheel (built for CUDA) installs here, and its compiled ops do not
load beside torch's CPU build. The scripts use none of them (transforms, datasets and
save_image are Python), but importing torchvision registers fake kernels for two detection
ops, so the scratch folder's sitecustomize declares those two schemas first.
"""
import argparse, json, os, resource, signal, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_models import checkout  # noqa: E402

TORCHVISION_OPS = """import torch
_torchvision_ops = torch.library.Library("torchvision", "DEF")
for _op in ("nms", "qnms"):
    _torchvision_ops.define(_op + "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
"""


def split_pairs(folder, target):
    """Each split's A|B images as two folders of halves, A (left) and B (right)."""
    from PIL import Image
    for split in sorted(os.listdir(folder)):
        source = os.path.join(folder, split)
        if not os.path.isdir(source):
            continue
        for half in "AB":
            os.makedirs(os.path.join(target, split, half))
        for file in sorted(os.listdir(source)):
            with Image.open(os.path.join(source, file)) as image:
                w, h = image.size
                image.crop((0, 0, w // 2, h)).save(os.path.join(target, split, "A", file))
                image.crop((w // 2, 0, w, h)).save(os.path.join(target, split, "B", file))


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
        work = os.path.join(scratch, "implementations", a.model)
        os.makedirs(work)
        os.makedirs(os.path.join(scratch, "data"))
        for spec in a.data:   # data/NAME: links to the folder's entries, plus the aliases
            name, folder = spec.split("=", 1)
            target = os.path.join(scratch, "data", name)
            os.makedirs(target)
            for entry in os.listdir(folder):
                os.symlink(os.path.abspath(os.path.join(folder, entry)), os.path.join(target, entry))
            for alias in a.alias:
                new, old = alias.split("=", 1)
                if os.path.exists(os.path.join(folder, old)) and not os.path.exists(os.path.join(target, new)):
                    os.symlink(os.path.abspath(os.path.join(folder, old)), os.path.join(target, new))
        for spec in a.unpaired:
            name, folder = spec.split("=", 1)
            split_pairs(folder, os.path.join(scratch, "data", name))
        with open(os.path.join(scratch, "sitecustomize.py"), "w") as f:
            f.write(TORCHVISION_OPS)
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
                if "[Batch" in text or "[Epoch" in text:
                    stamps.append(time.monotonic())
                elif text.strip():
                    tail.append(text)
                line = b""
            else:
                line += ch
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    if len(stamps) < a.warmup + 2:
        sys.exit(f"the script printed {len(stamps)} progress lines; its last output:\n" + "\n".join(tail[-20:]))
    gaps = [b - s for s, b in zip(stamps[a.warmup:], stamps[a.warmup + 1:])]
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"model": a.model, "s_per_batch": statistics.median(gaps), "min": min(gaps),
                      "max": max(gaps), "batches": len(gaps), "peak_rss_mb": rss / 2**20,
                      "threads": a.threads or None, "args": a.args}))


if __name__ == "__main__":
    main()
