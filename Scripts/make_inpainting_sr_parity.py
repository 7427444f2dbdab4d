"""Fixture for Tests/GANsTests/InpaintingSRParityTests.swift: PyTorch-GAN's own ccgan,
context_encoder, srgan and esrgan networks (implementations/NAME/models.py, imported through
reference_models.py, never copied), and torchvision's VGG19 feature layers (configuration
"E", built here layer by layer as torchvision builds them), with every state-dict tensor k
(in state-dict order; num_batches_tracked left alone) filled element by element:

    s = sin(0.37 * ((i * i) mod 1013) + 1.3 * k + phase)         (integers i, k)
    weights of 2 or more dimensions:  s / sqrt(numel / shape[0])   (about unit gain)
    vectors (biases, norm weights, running statistics, PReLU slopes):  0.5 + 0.25 * s

and inputs x[j] = 0.9 * sin(0.11 * j + phase) over the flattened shape. Forward passes run
in training mode (batch statistics) with dropout switched off (ccgan's). Small sizes keep it
quick: ccgan at 64 px, context_encoder at 32, srgan and esrgan from 8x8 to 32x32 (esrgan
with 2 RRDBs: the reference's constructor takes the count), VGG19 at 32 px. Outputs longer
than 1024 values are stored every `stride`-th value.

    python3 Scripts/make_inpainting_sr_parity.py   # writes Tests/GANsTests/Fixtures/inpainting_sr_parity.json

Needs torch (not a dependency of the package); torchvision is not needed.
"""
import json
import math
import os
import sys
import types

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from reference_models import load  # noqa: E402

OUT = os.path.join(HERE, "..", "Tests", "GANsTests", "Fixtures", "inpainting_sr_parity.json")
MAX_VALUES = 1024

# srgan's and esrgan's models.py import torchvision's vgg19 for their FeatureExtractor, which
# the fixture does not build; a stand-in module lets them import without torchvision.
try:
    import torchvision.models  # noqa: F401
except Exception:  # absent, or installed for another torch version
    tv, tvm = types.ModuleType("torchvision"), types.ModuleType("torchvision.models")
    tvm.vgg19 = None
    tv.models = tvm
    sys.modules["torchvision"], sys.modules["torchvision.models"] = tv, tvm


def fill(module, phase):
    with torch.no_grad():
        for k, (name, t) in enumerate(module.state_dict().items()):
            if name.endswith("num_batches_tracked"):
                continue
            i = torch.arange(t.numel(), dtype=torch.int64)
            s = torch.sin(0.37 * ((i * i) % 1013).to(torch.float64) + 1.3 * k + phase)
            v = s / math.sqrt(t.numel() / t.shape[0]) if t.dim() >= 2 else 0.5 + 0.25 * s
            t.copy_(v.reshape(t.shape).to(t.dtype))


def inputs(shape, phase):
    j = torch.arange(math.prod(shape), dtype=torch.float64)
    return (0.9 * torch.sin(0.11 * j + phase)).reshape(shape).float()


class VGG19Slice(nn.Module):
    """torchvision's VGG19 `features`, cut after `layers` layers, under its name."""

    def __init__(self, layers):
        super().__init__()
        self.features = nn.Sequential(*vgg19_layers()[:layers])

    def forward(self, x):
        return self.features(x)


def vgg19_layers():
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]
    out, c = [], 3
    for v in cfg:
        if v == "M":
            out.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            out += [nn.Conv2d(c, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            c = v
    return out


def record(net, args, phase=0.0, no_dropout=False):
    fill(net, phase)
    net.train()
    if no_dropout:
        for m in net.modules():
            if isinstance(m, nn.Dropout):
                m.eval()
    with torch.no_grad():
        out = net(*args)
    flat = out.detach().reshape(-1)
    stride = max(1, math.ceil(flat.numel() / MAX_VALUES))
    return {
        "parameters": sum(p.numel() for p in net.parameters()),
        "state": [[n, list(t.shape)] for n, t in net.state_dict().items()],
        "input_shapes": [list(a.shape) for a in args],
        "phase": phase,
        "output_shape": list(out.shape),
        "stride": stride,
        "output": [float(v) for v in flat[::stride].tolist()],
    }


def main():
    torch.set_num_threads(1)
    cc, ce, sr, es = load("ccgan"), load("context_encoder"), load("srgan"), load("esrgan")
    nets = {
        "ccgan_G": record(cc.Generator((3, 64, 64)), [inputs((2, 3, 64, 64), 0.5), inputs((2, 3, 16, 16), 0.2)], no_dropout=True),
        "ccgan_D": record(cc.Discriminator((3, 32, 32)), [inputs((2, 3, 32, 32), 0.5)], phase=0.7),
        "context_encoder_G": record(ce.Generator(3), [inputs((2, 3, 32, 32), 0.5)]),
        "context_encoder_D": record(ce.Discriminator(3), [inputs((2, 3, 16, 16), 0.5)], phase=0.7),
        "srgan_G": record(sr.GeneratorResNet(), [inputs((2, 3, 8, 8), 0.5)]),
        "srgan_D": record(sr.Discriminator((3, 32, 32)), [inputs((2, 3, 32, 32), 0.5)], phase=0.7),
        "esrgan_G": record(es.GeneratorRRDB(3, filters=64, num_res_blocks=2), [inputs((2, 3, 8, 8), 0.5)]),
        "esrgan_D": record(es.Discriminator((3, 32, 32)), [inputs((2, 3, 32, 32), 0.5)], phase=0.7),
        "vgg19_relu3_4": record(VGG19Slice(18), [inputs((2, 3, 32, 32), 0.5)]),
        "vgg19_conv5_4": record(VGG19Slice(35), [inputs((2, 3, 32, 32), 0.5)]),
    }
    fixture = {
        "formula": "s = sin(0.37 * ((i * i) mod 1013) + 1.3 * k + phase); >=2-d: s / sqrt(numel / shape[0]); vectors: 0.5 + 0.25 s; x[j] = 0.9 sin(0.11 j + phase)",
        "networks": nets,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")
    for name, n in nets.items():
        print(f"  {name}: {n['parameters']} parameters, output {n['output_shape']}, stride {n['stride']}")


if __name__ == "__main__":
    main()
