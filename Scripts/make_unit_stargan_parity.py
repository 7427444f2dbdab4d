"""Parity fixtures for Tests/GANsTests/UNITTests.swift and StarGANTests.swift: PyTorch-GAN's
own unit and stargan networks, imported from implementations/NAME/models.py (never copied).

    python3 Scripts/make_unit_stargan_parity.py
    # writes Tests/GANsTests/Fixtures/unit_parity.json and stargan_parity.json

Weights and summaries as Scripts/make_pixelda_cogan_parity.py (whose helpers this uses):
element i of the k-th state-dict key is 0.05 sin(0.37 ((i * i) mod 1013) + 1.3 k + phase),
running variances 1 + 0.1 sin(...), num_batches_tracked left alone. Phases: 0 for encoders
and generators, 0.7 for discriminators.

unit at 32 px: an Encoder (with its shared block) on images 0.9 sin(0.11 j + 0.5)
([2, 3, 32, 32]), its output mu (z adds the reference's numpy noise, so it is not compared);
a Generator (with its shared block) on latents 0.9 sin(0.07 j + 0.3) ([2, 256, 8, 8]); the
Discriminator on the images. Parameter counts at the defaults (256 px, dim 64): E, G, D and
the unique parameters of E1, E2, G1, G2 around one shared block each.

stargan: GeneratorResNet at 32 px with the default 6 residual blocks and 5 attributes, on the
images and labels [[1, 0, 0, 1, 0], [0, 1, 0, 0, 1]], in train mode (instance statistics) and
eval mode (the filled running statistics); Discriminator at 64 px (the smallest size its
constructor takes with 6 stride-2 convs; the class head then has a 1x1 kernel) on images
0.9 sin(0.05 j + 0.2) ([2, 3, 64, 64]): both outputs. Parameter counts at 128 px.

Needs torch and numpy (not dependencies of the package).
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_pixelda_cogan_parity import count, fill, formula, keys, run, summary  # noqa: E402
from reference_models import load  # noqa: E402

OUT = os.path.join(HERE, "..", "Tests", "GANsTests", "Fixtures")


def unit():
    ref = load("unit")
    size = 32
    E = ref.Encoder(shared_block=ref.ResidualBlock(256))
    G = ref.Generator(shared_block=ref.ResidualBlock(256))
    D = ref.Discriminator((3, size, size))
    x = formula((2, 3, size, size), 0.9, 0.11, 0.5)
    latent = formula((2, 256, size // 4, size // 4), 0.9, 0.07, 0.3)
    fixture = {"size": size}
    for key, net in [("encoder", E), ("generator", G), ("discriminator", D)]:
        fixture[f"{key}_keys"] = keys(net)
        fixture[f"{key}_parameters"] = count(net)
    fill(E, 0.0)
    with torch.no_grad():
        fixture["encoder_output"] = summary(E(x)[0])
    fixture["generator_output"] = run(G, 0.0, latent, modes=("train",))["train"]
    fixture["discriminator_output"] = run(D, 0.7, x, modes=("train",))["train"]

    # The script's networks at its defaults: E1, E2 around shared_E, G1, G2 around shared_G.
    shared_E, shared_G = ref.ResidualBlock(256), ref.ResidualBlock(256)
    nets = [ref.Encoder(shared_block=shared_E), ref.Encoder(shared_block=shared_E),
            ref.Generator(shared_block=shared_G), ref.Generator(shared_block=shared_G)]
    unique = {id(p): p.numel() for net in nets for p in net.parameters()}
    fixture["generator_side_parameters"] = sum(unique.values())
    fixture["default_discriminator_parameters"] = count(ref.Discriminator((3, 256, 256)))
    fixture["shared_block_parameters"] = count(shared_E)
    return fixture


def stargan():
    ref = load("stargan")
    g_size, d_size, attributes = 32, 64, 5
    G = ref.GeneratorResNet(img_shape=(3, g_size, g_size), res_blocks=6, c_dim=attributes)
    D = ref.Discriminator(img_shape=(3, d_size, d_size), c_dim=attributes)
    x = formula((2, 3, g_size, g_size), 0.9, 0.11, 0.5)
    labels = torch.tensor([[1.0, 0, 0, 1, 0], [0, 1, 0, 0, 1]])
    x64 = formula((2, 3, d_size, d_size), 0.9, 0.05, 0.2)
    fixture = {"generator_size": g_size, "discriminator_size": d_size, "residual_blocks": 6, "labels": labels.tolist()}
    for key, net in [("generator", G), ("discriminator", D)]:
        fixture[f"{key}_keys"] = keys(net)
        fixture[f"{key}_parameters"] = count(net)
    fixture["generator_output"] = run(G, 0.0, x, labels)
    fixture["discriminator_output"] = run(D, 0.7, x64, modes=("train",))["train"]
    fixture["default_generator_parameters"] = count(ref.GeneratorResNet(img_shape=(3, 128, 128), res_blocks=6, c_dim=5))
    fixture["default_discriminator_parameters"] = count(ref.Discriminator(img_shape=(3, 128, 128), c_dim=5))
    return fixture


def write(name, fixture):
    path = os.path.join(OUT, f"{name}_parity.json")
    with open(path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path) // 1024} KB); parameters "
          + ", ".join(f"{k} {v:,}" for k, v in fixture.items() if k.endswith("_parameters")))


def main():
    torch.set_num_threads(1)
    write("unit", unit())
    write("stargan", stargan())


if __name__ == "__main__":
    main()
