"""Fixture for Tests/GANsTests/CycleGANTests.swift: PyTorch-GAN's own cyclegan networks
(implementations/cyclegan/models.py, imported through reference_models.py, never copied)
at 3x32x32 (the smallest size whose PatchGAN keeps 2x2 pixels for its last instance norm),
with every state-dict tensor filled by a formula of its key's position k and element index i:

    value = 0.05 * sin(0.37 * m + 1.3 * k + phase),   m = (i * i) mod 1013 (integers)

The quadratic index scrambles the weights: with sin(0.37 * i) itself, neighbouring weights
form a smooth wave, each conv's output nearly cancels, and the instance norms blow the
rounding up (PyTorch's own float32 output then differs from its float64 one by 0.08).

(phase 0 for G_AB and D_A, 0.7 for G_BA and D_B), and the input images

    x[j] = 0.9 * sin(0.11 * j + 0.5)      (j over the flattened [2, 3, 32, 32] batch)

Records the ordered state-dict keys and shapes, G(x) and D(x) (train mode; the networks hold
only instance norms without running statistics and no dropout, so eval mode gives the same
numbers, which the script checks), and the losses of one training iteration of cyclegan.py
on real_A = x[0:1], real_B = x[1:2] with the default weights (lambda_cyc 10, lambda_id 5)
and empty replay buffers.

    python3 Scripts/make_cyclegan_parity.py   # writes Tests/GANsTests/Fixtures/cyclegan_parity.json

Needs torch (not a dependency of the package).
"""
import copy
import json
import math
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from reference_models import load  # noqa: E402

OUT = os.path.join(HERE, "..", "Tests", "GANsTests", "Fixtures", "cyclegan_parity.json")
SIZE = 32
BLOCKS = 9


def fill(module, phase):
    with torch.no_grad():
        for k, (name, t) in enumerate(module.state_dict().items()):
            i = torch.arange(t.numel(), dtype=torch.int64)
            m = ((i * i) % 1013).to(torch.float64)
            t.copy_((0.05 * torch.sin(0.37 * m + 1.3 * k + phase)).reshape(t.shape).to(t.dtype))


def keys(module):
    return [[name, list(t.shape)] for name, t in module.state_dict().items()]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def main():
    torch.set_num_threads(1)
    models = load("cyclegan")
    shape = (3, SIZE, SIZE)
    G_AB, G_BA = models.GeneratorResNet(shape, BLOCKS), models.GeneratorResNet(shape, BLOCKS)
    D_A, D_B = models.Discriminator(shape), models.Discriminator(shape)
    for net, phase in [(G_AB, 0.0), (D_A, 0.0), (G_BA, 0.7), (D_B, 0.7)]:
        fill(net, phase)

    j = torch.arange(2 * 3 * SIZE * SIZE, dtype=torch.float64)
    x = (0.9 * torch.sin(0.11 * j + 0.5)).reshape(2, 3, SIZE, SIZE).float()

    with torch.no_grad():
        g_train, d_train = G_AB(x), D_A(x)
        g64 = copy.deepcopy(G_AB).double()(x.double())
        print(f"G float32 vs float64: max |difference| {(g_train.double() - g64).abs().max().item():.2e}")
        G_AB.eval(), D_A.eval()
        assert torch.equal(G_AB(x), g_train) and torch.equal(D_A(x), d_train), "eval mode differs from train mode"
        G_AB.train(), D_A.train()

    # One iteration of cyclegan.py's losses (before any update), as the script writes them.
    mse, l1 = torch.nn.MSELoss(), torch.nn.L1Loss()
    real_A, real_B = x[0:1], x[1:2]
    valid = torch.ones((1, *D_A.output_shape))
    fake = torch.zeros((1, *D_A.output_shape))
    loss_identity = (l1(G_BA(real_A), real_A) + l1(G_AB(real_B), real_B)) / 2
    fake_B = G_AB(real_A)
    fake_A = G_BA(real_B)
    loss_GAN = (mse(D_B(fake_B), valid) + mse(D_A(fake_A), valid)) / 2
    loss_cycle = (l1(G_BA(fake_B), real_A) + l1(G_AB(fake_A), real_B)) / 2
    loss_G = loss_GAN + 10.0 * loss_cycle + 5.0 * loss_identity
    # The G step changes only G; D_A and D_B see the first fakes (the buffers return them while
    # filling). Those fakes are from G before its step, as in the script.
    loss_D_A = (mse(D_A(real_A), valid) + mse(D_A(fake_A.detach()), fake)) / 2
    loss_D_B = (mse(D_B(real_B), valid) + mse(D_B(fake_B.detach()), fake)) / 2
    loss_D = (loss_D_A + loss_D_B) / 2

    fixture = {
        "size": SIZE,
        "residual_blocks": BLOCKS,
        "formula": "0.05 * sin(0.37 * ((i * i) mod 1013) + 1.3 * k + phase); G_AB, D_A phase 0; G_BA, D_B phase 0.7; x[j] = 0.9 * sin(0.11 * j + 0.5)",
        "generator_keys": keys(G_AB),
        "discriminator_keys": keys(D_A),
        "generator_parameters": sum(p.numel() for p in G_AB.parameters()),
        "discriminator_parameters": sum(p.numel() for p in D_A.parameters()),
        "input_shape": list(x.shape),
        "generator_output_shape": list(g_train.shape),
        "generator_output": flat(g_train),
        "discriminator_output_shape": list(d_train.shape),
        "discriminator_output": flat(d_train),
        "losses": {
            "d_loss": loss_D.item(), "g_loss": loss_G.item(), "adv": loss_GAN.item(),
            "cycle": loss_cycle.item(), "identity": loss_identity.item(),
        },
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes); G params {fixture['generator_parameters']}, "
          f"D params {fixture['discriminator_parameters']}; losses {fixture['losses']}")


if __name__ == "__main__":
    main()
