"""Fixture for Tests/GANsTests/ImageBlocksTests.swift: the image blocks' reference networks
(pix2pix, cyclegan, discogan, dualgan) built in PyTorch with PyTorch-GAN's module
structure, written from the layer descriptions in image-zoo-reference.md. Records each
network's ordered state-dict keys and shapes, parameter count and output shape at a small
size, plus forward outputs of three small blocks with fixed weights (numeric parity).

    python3 Scripts/make_block_fixtures.py   # writes Tests/GANsTests/Fixtures/image_blocks.json

Needs torch (not a dependency of the package). Float32 values are written as the doubles
they are, so the Swift side reads back the same weights.
"""
import json
import os

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "GANsTests", "Fixtures", "image_blocks.json")


def seq(*layers):
    return nn.Sequential(*[l for l in layers if l is not None])


def norm_layer(kind, c):
    return {
        "none": None,
        "in": lambda: nn.InstanceNorm2d(c),
        "in-a": lambda: nn.InstanceNorm2d(c, affine=True),
        "bn.8": lambda: nn.BatchNorm2d(c, eps=0.8),
    }[kind]() if kind != "none" else None


class Down(nn.Module):
    """Stride-2 encoder level: conv, optional norm, LeakyReLU(0.2), optional dropout."""

    def __init__(self, cin, cout, bias, norm, drop):
        super().__init__()
        self.model = seq(nn.Conv2d(cin, cout, 4, 2, 1, bias=bias), norm_layer(norm, cout), nn.LeakyReLU(0.2),
                         nn.Dropout(drop) if drop else None)

    def forward(self, x):
        return self.model(x)


class Up(nn.Module):
    """Transposed-conv decoder level; the skip is concatenated after it."""

    def __init__(self, cin, cout, bias, norm, drop):
        super().__init__()
        self.model = seq(nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=bias), norm_layer(norm, cout), nn.ReLU(),
                         nn.Dropout(drop) if drop else None)

    def forward(self, x, skip):
        return torch.cat([self.model(x), skip], 1)


class UNet(nn.Module):
    """down1..downN, up1..up(N-1), final; outermost and innermost down levels unnormalised."""

    def __init__(self, cin, cout, widths, bias, norm, down_drop, up_drop, final):
        super().__init__()
        n = len(widths)
        for lvl in range(1, n + 1):
            setattr(self, f"down{lvl}", Down(cin if lvl == 1 else widths[lvl - 2], widths[lvl - 1], bias,
                                             "none" if lvl in (1, n) else norm, 0.5 if lvl in down_drop else 0))
        c = widths[-1]
        for lvl in range(1, n):
            mirror = widths[n - lvl - 1]
            setattr(self, f"up{lvl}", Up(c, mirror, bias, norm, 0.5 if lvl in up_drop else 0))
            c = 2 * mirror
        if final == "zp4":
            self.final = nn.Sequential(nn.Upsample(scale_factor=2), nn.ZeroPad2d((1, 0, 1, 0)),
                                       nn.Conv2d(c, cout, 4, padding=1), nn.Tanh())
        else:
            self.final = nn.Sequential(nn.ConvTranspose2d(c, cout, 4, 2, 1), nn.Tanh())
        self.n = n

    def forward(self, x):
        skips = []
        for lvl in range(1, self.n + 1):
            x = getattr(self, f"down{lvl}")(x)
            skips.append(x)
        u = skips.pop()
        for lvl in range(1, self.n):
            u = getattr(self, f"up{lvl}")(u, skips.pop())
        return self.final(u)


class Res(nn.Module):
    """x + [RP1, C3, IN, ReLU, RP1, C3, IN](x), the Sequential named `block`."""

    def __init__(self, c):
        super().__init__()
        self.block = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c), nn.ReLU(),
                                   nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c))

    def forward(self, x):
        return x + self.block(x)


class CycleG(nn.Module):
    def __init__(self, ch=3, blocks=9):
        super().__init__()
        layers = [nn.ReflectionPad2d(ch), nn.Conv2d(ch, 64, 7), nn.InstanceNorm2d(64), nn.ReLU()]
        c = 64
        for _ in range(2):
            layers += [nn.Conv2d(c, 2 * c, 3, 2, 1), nn.InstanceNorm2d(2 * c), nn.ReLU()]
            c *= 2
        layers += [Res(c) for _ in range(blocks)]
        for _ in range(2):
            layers += [nn.Upsample(scale_factor=2), nn.Conv2d(c, c // 2, 3, 1, 1), nn.InstanceNorm2d(c // 2), nn.ReLU()]
            c //= 2
        layers += [nn.ReflectionPad2d(ch), nn.Conv2d(c, ch, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


class PatchD(nn.Module):
    def __init__(self, cin, widths, norm="in", head_pad=1, head_bias=True):
        super().__init__()
        layers, c = [], cin
        for i, w in enumerate(widths):
            layers += [nn.Conv2d(c, w, 4, 2, 1)]
            if i > 0 and norm != "none":
                layers.append(norm_layer(norm, w))
            layers.append(nn.LeakyReLU(0.2))
            c = w
        layers += [nn.ZeroPad2d((1, 0, 1, 0)), nn.Conv2d(c, 1, 4, padding=head_pad, bias=head_bias)]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


def describe(net, in_shape):
    net.eval()  # dropout off; shapes only
    with torch.no_grad():
        out = net(torch.zeros(in_shape))
    return {
        "parameters": sum(p.numel() for p in net.parameters()),
        "state": [[k, list(v.shape)] for k, v in net.state_dict().items()],
        "input_shape": list(in_shape),
        "output_shape": list(out.shape),
    }


def floats(t):
    # The shortest decimal that reads back as the same float32 (keeps the file small).
    return [float(str(v)) for v in t.detach().reshape(-1).numpy()]


def parity(net, in_shape, seed):
    """Random weights (every tensor, buffers included), a random input, the output."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    x = torch.randn(in_shape, generator=g)
    net.train()  # the blocks here have no dropout: training mode only means batch statistics
    with torch.no_grad():
        y = net(x)
    return {
        "weights": [[k, list(v.shape), floats(v)] for k, v in net.state_dict().items()
                    if not k.endswith("num_batches_tracked")],
        "input": [list(x.shape), floats(x)],
        "output": [list(y.shape), floats(y)],
    }


def main():
    torch.manual_seed(0)
    nets = {
        # The 8-level U-Net needs 256 px; a batch of one keeps it cheap.
        "pix2pix_G": (UNet(3, 3, [64, 128, 256, 512, 512, 512, 512, 512], False, "in", {4, 5, 6, 7, 8}, {1, 2, 3, 4}, "zp4"),
                      (1, 3, 256, 256)),
        "pix2pix_D": (PatchD(6, [64, 128, 256, 512], head_bias=False), (2, 6, 64, 64)),
        "cyclegan_G": (CycleG(3, 9), (1, 3, 32, 32)),
        "cyclegan_D": (PatchD(3, [64, 128, 256, 512]), (2, 3, 64, 64)),
        "discogan_G": (UNet(3, 3, [64, 128, 256, 512, 512, 512], True, "in", {3, 4, 5, 6}, {1, 2, 3}, "zp4"),
                       (2, 3, 64, 64)),
        "discogan_D": (PatchD(3, [64, 128, 256]), (2, 3, 64, 64)),
        "dualgan_G": (UNet(3, 3, [64, 128, 256, 512, 512, 512, 512], False, "in-a", {4, 5, 6, 7}, {1, 2, 3}, "ct4"),
                      (1, 3, 128, 128)),
        "dualgan_D": (PatchD(3, [64, 128, 256], norm="bn.8", head_pad=0), (2, 3, 64, 64)),
    }
    fixture = {"networks": {name: describe(net, shape) for name, (net, shape) in nets.items()}}
    fixture["parity"] = {
        "residual_block": parity(Res(3), (2, 3, 6, 6), 1),
        "unet": parity(UNet(2, 2, [4, 8, 8], True, "in", set(), set(), "zp4"), (2, 2, 8, 8), 2),
        "patch_d": parity(PatchD(6, [4, 8], head_bias=False), (2, 6, 16, 16), 3),
        "patch_d_bn": parity(PatchD(3, [4, 8], norm="bn.8", head_pad=0), (2, 3, 16, 16), 4),
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    for name, d in fixture["networks"].items():
        print(f"{name}: {d['parameters']:,} parameters, {len(d['state'])} tensors, out {d['output_shape']}")


if __name__ == "__main__":
    main()
