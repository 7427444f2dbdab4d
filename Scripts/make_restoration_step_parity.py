"""Fixture for Tests/GANsTests/RestorationStepParityTests.swift: the losses of the first
training iteration of PyTorch-GAN's context_encoder.py, srgan.py and esrgan.py (the loss
formulas of those scripts, written out here), on the reference's own networks
(implementations/NAME/models.py, imported, never copied) and torchvision's VGG19 feature
layers, with the weights and inputs of Scripts/make_inpainting_sr_parity.py (G phase 0, D
phase 0.7, VGG19 phase 0.3; images phase 0.5, low-resolution inputs phase 0.2).

- context_encoder at 32 px, batch 2, holes of 16 at (x, y) = (3, 5) and (10, 1); also the
  paper's L2 reconstruction loss on the same output.
- srgan from 8x8 to 32x32, batch 2, VGG19 through relu3_4 (the reference's).
- esrgan from 8x8 to 32x32, batch 2, 2 RRDBs, VGG19 through conv5_4, no warm-up; the
  generator's relativistic loss as the reference (one term) and with both terms averaged.

ccgan is left out: its first step draws dropout masks, which no two libraries draw alike.

    python3 Scripts/make_restoration_step_parity.py   # writes Tests/GANsTests/Fixtures/restoration_step_parity.json

Needs torch (not a dependency of the package).
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_inpainting_sr_parity import VGG19Slice, fill, inputs  # noqa: E402
from reference_models import load  # noqa: E402

OUT = os.path.join(HERE, "..", "Tests", "GANsTests", "Fixtures", "restoration_step_parity.json")
CORNERS = [(3, 5), (10, 1)]


def ones(t):
    return torch.ones_like(t)


def context_encoder():
    ce = load("context_encoder")
    G, D = ce.Generator(3), ce.Discriminator(3)
    fill(G, 0.0), fill(D, 0.7)
    imgs = inputs((2, 3, 32, 32), 0.5)
    masked, parts = imgs.clone(), []
    for i, (x, y) in enumerate(CORNERS):
        masked[i, :, y:y + 16, x:x + 16] = 1
        parts.append(imgs[i:i + 1, :, y:y + 16, x:x + 16])
    parts = torch.cat(parts)
    gen = G(masked)
    score = D(gen)
    g_adv, g_pixel = F.mse_loss(score, ones(score)), F.l1_loss(gen, parts)
    real, fake = D(parts), D(gen.detach())
    d_loss = 0.5 * (F.mse_loss(real, ones(real)) + F.mse_loss(fake, torch.zeros_like(fake)))
    # The paper's L2 reconstruction loss (the models' own option), on the same output.
    return {"d_loss": d_loss.item(), "g_adv": g_adv.item(), "g_pixel": g_pixel.item(), "g_pixel_l2": F.mse_loss(gen, parts).item(),
            "corners": CORNERS}


def srgan():
    sr = load("srgan")
    G, D, vgg = sr.GeneratorResNet(), sr.Discriminator((3, 32, 32)), VGG19Slice(18)
    fill(G, 0.0), fill(D, 0.7), fill(vgg, 0.3)
    hr, lr = inputs((2, 3, 32, 32), 0.5), inputs((2, 3, 8, 8), 0.2)
    gen = G(lr)
    score = D(gen)
    adv = F.mse_loss(score, ones(score))
    content = F.l1_loss(vgg(gen), vgg(hr).detach())
    g_loss = content + 1e-3 * adv
    real, fake = D(hr), D(gen.detach())
    d_loss = (F.mse_loss(real, ones(real)) + F.mse_loss(fake, torch.zeros_like(fake))) / 2
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item(), "content": content.item(), "adv": adv.item()}


def esrgan():
    es = load("esrgan")
    G, D, vgg = es.GeneratorRRDB(3, filters=64, num_res_blocks=2), es.Discriminator((3, 32, 32)), VGG19Slice(35)
    fill(G, 0.0), fill(D, 0.7), fill(vgg, 0.3)
    hr, lr = inputs((2, 3, 32, 32), 0.5), inputs((2, 3, 8, 8), 0.2)
    bce = F.binary_cross_entropy_with_logits
    gen = G(lr)
    pixel = F.l1_loss(gen, hr)
    pred_real, pred_fake = D(hr).detach(), D(gen)
    fake_vs_real = bce(pred_fake - pred_real.mean(0, keepdim=True), ones(pred_fake))
    real_vs_fake = bce(pred_real - pred_fake.mean(0, keepdim=True), torch.zeros_like(pred_real))
    content = F.l1_loss(vgg(gen), vgg(hr).detach())
    g_loss = content + 5e-3 * fake_vs_real + 1e-2 * pixel
    both = 0.5 * (fake_vs_real + real_vs_fake)
    real, fake = D(hr), D(gen.detach())
    d_loss = (bce(real - fake.mean(0, keepdim=True), ones(real)) + bce(fake - real.mean(0, keepdim=True), torch.zeros_like(fake))) / 2
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item(), "content": content.item(), "adv": fake_vs_real.item(),
            "pixel": pixel.item(), "adv_both_terms": both.item(), "g_loss_both_terms": (content + 5e-3 * both + 1e-2 * pixel).item()}


def main():
    torch.set_num_threads(1)
    fixture = {"context_encoder": context_encoder(), "srgan": srgan(), "esrgan": esrgan()}
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1)
    print(json.dumps(fixture, indent=1))


if __name__ == "__main__":
    main()
