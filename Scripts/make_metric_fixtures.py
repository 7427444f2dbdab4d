#!/usr/bin/env python3
"""Writes Tests/EvaluationTests/Fixtures/metrics.json: features and the reference values of
the Fréchet distance (SciPy sqrtm, as pytorch-fid computes it), the classifier score (the
Inception-Score formula, one split), and improved precision/recall (k = 3, brute force).

Run: python3 Scripts/make_metric_fixtures.py   (NumPy and SciPy only)
"""
import json
import os
import numpy as np
from scipy import linalg

rng = np.random.default_rng(7)
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "EvaluationTests", "Fixtures")


def fd(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s1.dot(s2))
    covmean = covmean.real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def kth(x, k):
    d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    return np.sort(d, axis=1)[:, k]


def inside(x, manifold, radii):
    d = np.sqrt(((x[:, None, :] - manifold[None, :, :]) ** 2).sum(-1))
    return float((d <= radii[None, :]).any(1).mean())


def is_score(p):
    marg = p.mean(0, keepdims=True)
    kl = (p * (np.log(p) - np.log(marg))).sum(1).mean()
    return float(np.exp(kl))


d = 8
# Correlated features so the covariances are far from diagonal.
mix = rng.normal(size=(d, d))
real = rng.normal(size=(300, d)) @ mix + 1.0
fake = rng.normal(size=(250, d)) @ (mix * 0.8 + 0.2) + 0.7
near = real + rng.normal(size=real.shape) * 0.05
real32, fake32, near32 = (x.astype(np.float32) for x in (real, fake, near))
logits = rng.normal(size=(200, 10)) * 2
probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
probs32 = probs.astype(np.float32)
k = 3
pr_real, pr_fake = real32[:120].astype(np.float64), fake32[:100].astype(np.float64)
fixture = {
    "dimension": d,
    "real": real32.reshape(-1).tolist(), "fake": fake32.reshape(-1).tolist(), "near": near32.reshape(-1).tolist(),
    "fd_real_fake": fd(real32.astype(np.float64), fake32.astype(np.float64)),
    "fd_real_near": fd(real32.astype(np.float64), near32.astype(np.float64)),
    "probs": probs32.reshape(-1).tolist(),
    "is": is_score(probs32.astype(np.float64)),
    "pr_n_real": 120, "pr_n_fake": 100,
    "precision": inside(pr_fake, pr_real, kth(pr_real, k)),
    "recall": inside(pr_real, pr_fake, kth(pr_fake, k)),
}
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "metrics.json"), "w") as f:
    json.dump(fixture, f)
print({k: v for k, v in fixture.items() if isinstance(v, float)})
