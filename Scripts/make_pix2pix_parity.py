#!/usr/bin/env python3
"""Writes Tests/GANsTests/Fixtures/pix2pix_parity.json: pix2pix against PyTorch-GAN's own
networks (implementations/pix2pix/models.py of a checkout, imported by reference_models.py).

    python3 Scripts/make_pix2pix_parity.py            # both parts
    python3 Scripts/make_pix2pix_parity.py forward    # only "forward" (no Swift needed)
    python3 Scripts/make_pix2pix_parity.py steps      # only "steps"
    python3 Scripts/make_pix2pix_parity.py steps-on-this-cpu   # add this CPU kind's float32 runs

forward: the reference's GeneratorUNet and Discriminator with every state-dict tensor set by
`fill` below (a formula of the key's position and the element's index, so the Swift test
sets the same weights without a weight file), in eval mode (no dropout; instance norm keeps
no running statistics), on formula inputs at 256 px. Stored: a strided subset of each
output (all of D's), and its sum, sum of squares and sum of magnitudes.

steps: twenty training steps from SwiftGAN's seed-0 weights on the same facades batches.
It runs Pix2PixParityTests/testTrainingStepsMatchPyTorch with SWIFTGAN_PARITY_EXPORT set (the
test then writes its initial state dicts and the 20 (input, target) batches instead of
checking), loads them into the reference networks and trains them with `train_step` below,
which follows the reference's pix2pix.py: G (LSGAN + 100 L1) then D (0.5 (real + fake)),
Adam 2e-4 (0.5, 0.999), with the dropout layers in eval mode (ours: the same in the test).
Stored: the four losses per step and a few parameter sums after the last step, of a float64
run (the reference) and of four float32 runs (2 threads and 1, each with oneDNN's convolutions
and with PyTorch's own im2col ones), on an Intel AVX-512 CPU, and four more added on each other
CPU kind (`steps-on-this-cpu`: an AVX2 one, AMD Zen 4): float32 rounding alone moves
PyTorch's own losses by ~3e-4 at step 1 and by several per cent by step 8 (one image per
step, instance norm down to 2x2 and Adam's sign-like first steps amplify it), so the test's
tolerance at each step is a multiple of that measured spread.

Needs torch (CPU) and numpy.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
from check_pytorch_generator import read_safetensors  # noqa: E402
from reference_models import load  # noqa: E402

FIXTURE = os.path.join(ROOT, "Tests", "GANsTests", "Fixtures", "pix2pix_parity.json")
SIZE, STEPS, LAMBDA_PIXEL, STRIDE = 256, 20, 100.0, 97
# Parameters whose sums after the last step are stored (besides each network's total).
WATCHED = {"generator": ["down1.model.0.weight", "up7.model.0.weight", "final.2.weight", "final.2.bias"],
           "discriminator": ["model.0.weight", "model.0.bias", "model.8.weight", "model.12.weight"]}


def fill(k, shape):
    """State-dict tensor number k, element i (flat index): sin(0.37 i + 1.3 k) times 0.25 /
    sqrt(numel / shape[0]) for a weight, 0.1 for a bias (1-D): the sine is correlated along
    i, and at this scale G's tanh stays out of saturation (pre-activation std ~0.9).
    Computed in float64, stored as float32 (the Swift test does the same)."""
    n = int(np.prod(shape))
    scale = 0.25 / math.sqrt(n // shape[0]) if len(shape) > 1 else 0.1
    i = np.arange(n, dtype=np.float64)
    return torch.from_numpy((np.sin(0.37 * i + 1.3 * k) * scale).astype(np.float32).reshape(shape))


def image(phase, shape):
    """A formula image in [-0.9, 0.9]: 0.9 sin(0.021 i + phase), i the flat element index."""
    i = np.arange(int(np.prod(shape)), dtype=np.float64)
    return torch.from_numpy((0.9 * np.sin(0.021 * i + phase)).astype(np.float32).reshape(shape))


def filled(net):
    state = net.state_dict()
    net.load_state_dict({key: fill(k, t.shape) for k, (key, t) in enumerate(state.items())}, strict=True)
    return net


def summary(t):
    flat = t.detach().double().flatten()
    stride = 1 if flat.numel() <= 4096 else STRIDE  # D's 16x16 patch scores: all of them
    return {"shape": list(t.shape), "stride": stride, "values": flat[::stride].tolist(),
            "sum": flat.sum().item(), "sum_squares": (flat * flat).sum().item(), "sum_abs": flat.abs().sum().item()}


def forward():
    models = load("pix2pix")
    torch.set_num_threads(2)
    G, D = filled(models.GeneratorUNet()).eval(), filled(models.Discriminator()).eval()
    x = image(0.7, (1, 3, SIZE, SIZE))
    y = image(-1.1, (1, 3, SIZE, SIZE))
    with torch.no_grad():
        g, d = G(x), D(y, x)
    for name, t in [("generator", g), ("discriminator", d)]:
        print(f"{name}: out {tuple(t.shape)} mean {t.mean():.4f} std {t.std():.4f} |max| {t.abs().max():.4f}")
    return {"formula": "state-dict key k, element i: sin(0.37 i + 1.3 k) * (0.25 / sqrt(numel / shape[0]), biases 0.1); "
                       "inputs: 0.9 sin(0.021 i + phase), x phase 0.7, y phase -1.1; D(y, x)",
            "generator": summary(g), "discriminator": summary(d)}


def train_step(G, D, opt_G, opt_D, real_A, real_B):
    """One iteration of the reference's loop (pix2pix.py): real_A the condition, real_B the target."""
    mse, l1 = nn.MSELoss(), nn.L1Loss()
    opt_G.zero_grad()
    fake_B = G(real_A)
    pred_fake = D(fake_B, real_A)
    loss_gan = mse(pred_fake, torch.ones_like(pred_fake))
    loss_pixel = l1(fake_B, real_B)
    loss_G = loss_gan + LAMBDA_PIXEL * loss_pixel
    loss_G.backward()
    opt_G.step()

    opt_D.zero_grad()
    pred_real = D(real_B, real_A)
    loss_real = mse(pred_real, torch.ones_like(pred_real))
    pred_fake = D(fake_B.detach(), real_A)
    loss_fake = mse(pred_fake, torch.zeros_like(pred_fake))
    loss_D = 0.5 * (loss_real + loss_fake)
    loss_D.backward()
    opt_D.step()
    return {"d_loss": loss_D.item(), "g_loss": loss_G.item(), "pixel": loss_pixel.item(), "adv": loss_gan.item()}


def run(models, state, batches, dtype, threads, onednn=True):
    """Twenty steps of the reference networks from the exported weights in `dtype`; with
    onednn False, convolutions go through PyTorch's im2col + GEMM path (another order of
    float32 sums, as valid as oneDNN's)."""
    with torch.backends.mkldnn.flags(enabled=onednn):
        return run_steps(models, state, batches, dtype, threads)


def run_steps(models, state, batches, dtype, threads):
    torch.set_num_threads(threads)
    G, D = models.GeneratorUNet(), models.Discriminator()
    G.load_state_dict(state["generator"], strict=True)
    D.load_state_dict(state["discriminator"], strict=True)
    G, D = G.to(dtype).train(), D.to(dtype).train()
    for m in G.modules():
        if isinstance(m, nn.Dropout):
            m.eval()  # dropout off; everything else in training mode, as ours
    opt_G = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_D = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    losses = {"d_loss": [], "g_loss": [], "pixel": [], "adv": []}
    inputs, targets = batches["input"].to(dtype), batches["target"].to(dtype)
    assert inputs.shape == (STEPS, 3, SIZE, SIZE) and targets.shape == inputs.shape, inputs.shape
    for step in range(STEPS):
        r = train_step(G, D, opt_G, opt_D, inputs[step:step + 1], targets[step:step + 1])
        for k in losses:
            losses[k].append(r[k])
        print(dtype, threads, step, " ".join(f"{k} {v:.6f}" for k, v in r.items()), flush=True)
    sums = {}
    for name, net in [("generator", G), ("discriminator", D)]:
        params = dict(net.named_parameters())
        total = sum(p.detach().double().sum().item() for p in params.values())
        total_abs = sum(p.detach().double().abs().sum().item() for p in params.values())
        sums[name] = {"(all)": [total, total_abs]}
        for key in WATCHED[name]:
            p = params[key].detach().double()
            sums[name][key] = [p.sum().item(), p.abs().sum().item()]
    return {"losses": losses, "parameter_sums": sums}


def export_start():
    """SwiftGAN's seed-0 weights and the 20 batches, written by the Swift test."""
    with tempfile.TemporaryDirectory() as export:
        subprocess.run(["swift", "test", "--filter", "Pix2PixParityTests/testTrainingStepsMatchPyTorch"], cwd=ROOT,
                       check=True, env=dict(os.environ, SWIFTGAN_PARITY_EXPORT=export))
        state = {net: read_safetensors(os.path.join(export, f"pix2pix_{net}.safetensors"))
                 for net in ["generator", "discriminator"]}
        batches = read_safetensors(os.path.join(export, "pix2pix_batches.safetensors"))
    return state, batches


def float32_runs(models, state, batches, prefix):
    return {f"{prefix}_2threads": run(models, state, batches, torch.float32, 2),
            f"{prefix}_1thread": run(models, state, batches, torch.float32, 1),
            f"{prefix}_2threads_im2col": run(models, state, batches, torch.float32, 2, onednn=False),
            f"{prefix}_1thread_im2col": run(models, state, batches, torch.float32, 1, onednn=False)}


def steps():
    """The reference's 20 steps in float64 (the trajectory without rounding to speak of), and
    in float32 with 2 threads and with 1, each with oneDNN's convolutions and without: how far
    float32 rounding alone takes PyTorch from it, step by step (the test's tolerance). Two
    runs sampled that spread too thinly: a change of summation order in our kernels that made
    steps 0-2 closer to float64 still landed 1.15x outside it at step 3."""
    models = load("pix2pix")
    state, batches = export_start()
    out = {"batches": {k: [batches[k].double().sum().item(), (batches[k].double() ** 2).sum().item()]
                       for k in ["input", "target"]}}
    out.update({"steps": STEPS,
                "note": "float64: the reference run; float32_*: the same in float32 (PyTorch's rounding spread); "
                        "parameter_sums: [sum, sum of magnitudes] after the last step; "
                        "batches: [sum, sum of squares] of the 20 inputs and targets"})
    out["float64"] = run(models, state, batches, torch.float64, 2)
    out.update(float32_runs(models, state, batches, "float32"))
    return out


def steps_on_this_cpu(fixture):
    """Adds to the stored steps the four float32 runs on this machine's kernels, named by the
    instruction set PyTorch dispatches to (float32_avx2_*): the float32 spread differs between
    CPU kinds, and the fixture's first runs were all made on AVX-512. The start and the batches
    must be the stored ones (their sums are checked), and the float64 reference stays."""
    stored = fixture["steps"]
    models = load("pix2pix")
    state, batches = export_start()
    for k in ["input", "target"]:
        now = [batches[k].double().sum().item(), (batches[k].double() ** 2).sum().item()]
        if any(abs(a - b) > 1e-9 * max(1.0, abs(b)) for a, b in zip(now, stored["batches"][k])):
            sys.exit(f"the exported {k} batches differ from the fixture's: {now} against {stored['batches'][k]}")
    capability = torch.backends.cpu.get_cpu_capability().lower()
    stored.update(float32_runs(models, state, batches, f"float32_{capability}"))
    return stored


def main():
    parts = sys.argv[1:] or ["forward", "steps"]
    fixture = {}
    if os.path.exists(FIXTURE):
        with open(FIXTURE) as f:
            fixture = json.load(f)
    for part in parts:
        if part == "steps-on-this-cpu":
            fixture["steps"] = steps_on_this_cpu(fixture)
        else:
            fixture[part] = {"forward": forward, "steps": steps}[part]()
    with open(FIXTURE, "w") as f:
        json.dump(fixture, f, indent=1)
    print("wrote", FIXTURE, os.path.getsize(FIXTURE), "bytes")


if __name__ == "__main__":
    main()
