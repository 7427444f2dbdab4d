#!/usr/bin/env python3
"""Calibration of `gan eval`: scores sets of known quality and prints the table of
docs/EVALUATION.md. Sample sets are made with NumPy from the built-in MNIST training
images (never the test images the real statistics come from) and scored by the release
build of `gan eval`.

It also cross-checks the whole pipeline once: the classifier's forward pass redone in NumPy
from the shipped safetensors, and the Fréchet distance of the first set by SciPy's sqrtm
(as pytorch-fid), against what `gan eval` printed.

Run: swift build -c release && python3 Scripts/eval_calibration.py   (NumPy and SciPy)
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile
import struct
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

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


def safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    return {k: np.frombuffer(data[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], np.float32).reshape(v["shape"])
            for k, v in header.items() if k != "__metadata__"}


def features(x, w):
    """MNISTClassifier.features in NumPy: conv5-relu-pool, conv5-relu-pool, fc1-relu."""
    def conv(x, name):
        k = w[name + ".weight"]
        p = sliding_window_view(x, k.shape[2:], axis=(2, 3))
        return np.einsum("nchwij,ocij->nohw", p, k, optimize=True) + w[name + ".bias"][None, :, None, None]

    def pool(x):
        n, c, h, wd = x.shape
        return x.reshape(n, c, h // 2, 2, wd // 2, 2).max(axis=(3, 5))
    h = pool(np.maximum(conv(x, "conv1"), 0))
    h = pool(np.maximum(conv(h, "conv2"), 0))
    return np.maximum(h.reshape(len(x), -1) @ w["fc1.weight"].T + w["fc1.bias"], 0).astype(np.float64)


def scipy_fd(a, b):
    from scipy import linalg
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    return float(((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(linalg.sqrtm(s1 @ s2).real))


weights = safetensors(os.path.join(ROOT, "Data", "classifier", "mnist_classifier.safetensors"))
test = idx("t10k-images-idx3-ubyte").astype(np.float32)[:, None] / 127.5 - 1
real = np.concatenate([features(test[i:i + 1000], weights) for i in range(0, len(test), 1000)])
reference = scipy_fd(features(first[:, None], weights), real)
ours = rows[0][1]["fd"]
print(f"cross-check: FD of the first set by NumPy features + SciPy sqrtm {reference:.9f}, gan eval {ours:.9f}, "
      f"relative difference {abs(ours - reference) / reference:.1e}", file=sys.stderr)

print("| samples | FD | classifier score | coverage | precision | recall | label acc. |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, r in rows:
    la = f"{r['label_acc']:.3f}" if "label_acc" in r else ""
    print(f"| {name} | {r['fd']:.2f} | {r['is']:.2f} | {r['mode_coverage']}/10 | {r['precision']:.3f} | {r['recall']:.3f} | {la} |")
