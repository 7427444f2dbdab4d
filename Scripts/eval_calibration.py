#!/usr/bin/env python3
"""Calibration of `gan eval`: scores sets of known quality and prints the table of
docs/EVALUATION.md. Sample sets are made with NumPy from the built-in MNIST training
images (never the test images the real statistics come from) and scored by the release
build of `gan eval`.

Run: swift build -c release && python3 Scripts/eval_calibration.py   (NumPy only)
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
GAN = os.path.join(ROOT, ".build", "release", "gan")


def idx(name):
    with gzip.open(os.path.join(ROOT, "Data", "mnist", name + ".gz")) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


images = idx("train-images-idx3-ubyte").astype(np.float32) / 127.5 - 1  # [-1, 1]
labels = idx("train-labels-idx1-ubyte").astype(np.int64)
rng = np.random.default_rng(0)


def box_blur(x):
    """3x3 mean filter, edges replicated."""
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)), mode="edge")
    return sum(p[:, dy:dy + 28, dx:dx + 28] for dy in range(3) for dx in range(3)) / 9


def down_up(x):
    """2x2 average down to 14x14, nearest back up to 28x28: blockier, blurred strokes."""
    small = x.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4))
    return small.repeat(2, axis=1).repeat(2, axis=2)


first = images[:1000]
half = images[labels < 5][:1000]
sets = [
    ("real digits, 1,000 (train) vs test", first, labels[:1000]),
    ("real digits, 10,000 (train) vs test", images[:10000], None),
    ("uniform noise in [-1, 1], 1,000", rng.uniform(-1, 1, (1000, 28, 28)).astype(np.float32), None),
    ("3x3 box blur of real digits, 1,000", box_blur(first), None),
    ("downsample 14x14 + upsample, 1,000", down_up(first), None),
    ("half the classes (digits 0-4), 1,000", half, None),
    ("one class only (digit 1), 1,000", images[labels == 1][:1000], None),
    ("real digits with shuffled labels, 1,000", first, rng.permutation(labels[:1000])),
]

rows = []
with tempfile.TemporaryDirectory() as tmp:
    for name, x, y in sets:
        path = os.path.join(tmp, "s.npy")
        np.save(path, x.reshape(-1, 1, 28, 28).astype("<f4"))
        cmd = [GAN, "eval", path, "--json"]
        if y is not None:
            with open(os.path.join(tmp, "labels.txt"), "w") as f:
                f.write("\n".join(map(str, y)))
            cmd += ["--labels", os.path.join(tmp, "labels.txt")]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        r = json.loads(out)
        rows.append((name, r))
        print(name, out.strip(), file=sys.stderr)

print("| samples | FD | classifier score | coverage | precision | recall | label acc. |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, r in rows:
    la = f"{r['label_acc']:.3f}" if "label_acc" in r else ""
    print(f"| {name} | {r['fd']:.2f} | {r['is']:.2f} | {r['mode_coverage']}/10 | {r['precision']:.3f} | {r['recall']:.3f} | {la} |")
