#!/usr/bin/env python3
"""Writes Tests/GANsTests/Fixtures/zoo_step_parity.json: the losses PyTorch reports for twenty
training steps of gan and bgan started from SwiftGAN's own seed-0 weights, on the batches and
latent vectors SwiftGAN uses in ZooStepParityTests.

    python3 Scripts/make_zoo_step_parity.py

It runs that test with SWIFTGAN_PARITY_EXPORT set (the test then writes each model's initial
state dicts and the inputs of every step instead of checking), loads them into the networks
of Scripts/torch_zoo/zoo_MODEL.py, and trains with that file's train_step, its latent draws
replaced by the exported vectors. Needs torch (CPU) and numpy.
"""
import importlib
import json
import os
import subprocess
import sys
import tempfile

import torch

from check_pytorch_generator import read_safetensors

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "Scripts", "torch_zoo"))
MODELS = ["gan", "bgan"]
STEPS, BATCH = 20, 64


def main():
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as export:
        subprocess.run(["swift", "test", "--filter", "ZooStepParityTests"], cwd=ROOT, check=True,
                       env=dict(os.environ, SWIFTGAN_PARITY_EXPORT=export))
        fixture = {}
        for name in MODELS:
            zoo = importlib.import_module(f"zoo_{name}")
            opt = dict(zoo.DEFAULTS)
            m = zoo.build(opt)
            m["G"].load_state_dict(read_safetensors(os.path.join(export, f"{name}_generator.safetensors")))
            m["D"].load_state_dict(read_safetensors(os.path.join(export, f"{name}_discriminator.safetensors")))
            m["G"].train()
            m["D"].train()
            inputs = read_safetensors(os.path.join(export, f"{name}_inputs.safetensors"))
            losses = {"d_loss": [], "g_loss": []}
            draw = torch.randn
            for step in range(STEPS):
                z = inputs["z"][step * BATCH:(step + 1) * BATCH]
                torch.randn = lambda *shape, **kw: z.clone()
                try:
                    r = zoo.train_step(m, inputs["images"][step * BATCH:(step + 1) * BATCH], None, opt)
                finally:
                    torch.randn = draw
                for k in losses:
                    losses[k].append(r[k])
            fixture[name] = losses
            print(name, "d_loss", [round(v, 5) for v in losses["d_loss"][:3]], "g_loss", losses["g_loss"][:3])
    path = os.path.join(ROOT, "Tests", "GANsTests", "Fixtures", "zoo_step_parity.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(fixture, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
