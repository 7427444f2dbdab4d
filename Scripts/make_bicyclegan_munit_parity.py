#!/usr/bin/env python3
"""Parity fixture for Tests/GANsTests/BicycleGANMUNITParityTests.swift: PyTorch-GAN's own
bicyclegan and munit networks (implementations/NAME/models.py, imported through
reference_models.py, never copied), filled with deterministic weights, run on formula inputs.

    python3 Scripts/make_bicyclegan_munit_parity.py
    # writes Tests/GANsTests/Fixtures/bicyclegan_munit_parity.json

Weights: element i (flattened) of the k-th state-dict key (k counts every key) is
u = frac(43758.5453 sin(12.9898 i + 78.233 k)) - 0.5, a hash-like value in [-0.5, 0.5), times
2 / sqrt(numel / shape[0]) for weights (fan-in scaling), times 2 for 1-D tensors; running
variances are 1 + 0.2 u; num_batches_tracked is left alone. The j-th input is 1.8 u with
k = 1000 + j. (The smooth sine fills of the other parity scripts make munit's content
encoder ill-conditioned: its convolutions' outputs nearly cancel and ten instance norms
amplify float32 rounding to 1e-3 in PyTorch itself; with these, PyTorch's float32 stays
within 1e-5 of float64.) The Swift test computes the same values in Float64.
Outputs: every network in eval mode, and the batch-normed ones (bicyclegan's) also in train
mode (batch statistics).

bicyclegan's models.py needs two things to run here: its MultiDiscriminator reads an
undefined global `in_channels` (the reference's issue #105; the intended value, 3, is set
in the imported module), and its Encoder takes torchvision's resnet18, which stands in
below as a module of the same layers, names and shapes when torchvision cannot be imported
(only the structure matters: every weight is filled).

Needs torch (not a dependency of the package).
"""
import json
import math
import os
import sys
import types

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_discogan_dualgan_parity import summary  # noqa: E402
from reference_models import load  # noqa: E402

OUT = os.path.join(HERE, "..", "Tests", "GANsTests", "Fixtures", "bicyclegan_munit_parity.json")


def hashed(n, k):
    i = np.arange(n, dtype=np.float64)
    v = np.sin(12.9898 * i + 78.233 * k) * 43758.5453
    return v - np.floor(v) - 0.5


def fill(net):
    with torch.no_grad():
        for k, (key, t) in enumerate(net.state_dict().items()):
            if key.endswith("num_batches_tracked"):
                continue
            u = hashed(t.numel(), k)
            if key.endswith("running_var"):
                v = 1 + 0.2 * u
            else:
                v = 2 * u / (math.sqrt(t.numel() / t.shape[0]) if t.dim() > 1 else 1)
            t.copy_(torch.from_numpy(v).reshape(t.shape).to(torch.float32))


def formula_input(shape, j):
    return torch.from_numpy(1.8 * hashed(math.prod(shape), 1000 + j)).reshape(shape).to(torch.float32)


class BasicBlock(nn.Module):
    """torchvision's ResNet basic block: its child names and forward."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNet18(nn.Module):
    """torchvision's resnet18 children, in order: conv1, bn1, relu, maxpool, layer1-4, avgpool, fc."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        widths = [(64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2)]
        for n, (cin, cout, s) in enumerate(widths, 1):
            setattr(self, f"layer{n}", nn.Sequential(BasicBlock(cin, cout, s), BasicBlock(cout, cout, 1)))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, 1000)


def torchvision_resnet18():
    try:
        from torchvision.models import resnet18  # noqa: F401
        return
    except Exception:  # not installed, or built for another torch
        pass
    tv = types.ModuleType("torchvision")
    models = types.ModuleType("torchvision.models")
    models.resnet18 = lambda pretrained=False: ResNet18()
    tv.models = models
    sys.modules["torchvision"] = tv
    sys.modules["torchvision.models"] = models


def case(net, inputs, train=False):
    """The network filled, its outputs on `inputs` (shapes -> formula inputs 0, 1, ...)."""
    fill(net)
    xs = [formula_input(s, j) for j, s in enumerate(inputs)]
    out = {"keys": list(net.state_dict().keys()), "input_shapes": [list(s) for s in inputs]}

    def outputs():
        with torch.no_grad():
            y = net(*xs)
        return list(y) if isinstance(y, (tuple, list)) else [y]

    net.eval()
    out["eval"] = [summary(y) for y in outputs()]
    if train:
        net.train()
        out["train"] = [summary(y) for y in outputs()]
        fill(net)  # the train pass moved the running statistics
    for mode in ["eval", "train"]:
        for k, s in enumerate(out.get(mode, [])):
            print(f"  {type(net).__name__} {mode} output {k}: shape {s['shape']}, sum {s['sum']:.5f}, |sum| {s['abs_sum']:.5f}")
    return out


def main():
    torch.set_num_threads(2)
    torchvision_resnet18()
    bicycle = load("bicyclegan")
    bicycle.in_channels = 3  # the reference's undefined pooling kernel (issue #105)
    munit = load("munit")
    shape = (3, 128, 128)
    fixture = {
        "bicyclegan_G": case(bicycle.Generator(8, shape), [(2, *shape), (2, 8)], train=True),
        "bicyclegan_E": case(bicycle.Encoder(8, shape), [(2, *shape)], train=True),
        "bicyclegan_D": case(bicycle.MultiDiscriminator(shape), [(2, *shape)], train=True),
        "munit_encoder": case(munit.Encoder(), [(2, 3, 64, 64)]),
        "munit_decoder": case(munit.Decoder(), [(2, 256, 16, 16), (2, 8, 1, 1)]),
        "munit_D": case(munit.MultiDiscriminator(), [(1, *shape)]),
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"wrote {OUT} ({os.path.getsize(OUT) // 1024} KB)")


if __name__ == "__main__":
    main()
