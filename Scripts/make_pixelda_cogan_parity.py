"""Parity fixtures for Tests/GANsTests/PixelDATests.swift and CoGANTests.swift: PyTorch-GAN's
own pixelda and cogan networks. Their scripts define the networks inline, so
reference_models.load_script executes only the class and function definitions of
implementations/NAME/NAME.py (never copied), with the scripts' default options.

    python3 Scripts/make_pixelda_cogan_parity.py
    # writes Tests/GANsTests/Fixtures/pixelda_parity.json and cogan_parity.json

Weights: element i (flattened) of the k-th state-dict key (k counts every key, buffers and
num_batches_tracked included) is 0.05 sin(0.37 ((i * i) mod 1013) + 1.3 k + phase);
running variances are 1 + 0.1 sin(...) (positive); num_batches_tracked is left alone. The
phase is 0 for G, 0.7 for D, 1.4 for the classifier. Inputs, element j of the flattened
tensor: images 0.9 sin(0.11 j + 0.5) ([2, 3, 32, 32]); pixelda's noise sin(0.7 j + 0.1)
([2, 10], inside U(-1, 1)'s range); cogan's noise 1.5 sin(0.3 j + 0.2) ([2, 100]).

Outputs (shape, sum, sum of |y| and a strided subset): every network in train mode (batch statistics) and eval mode (the filled running
statistics); cogan's discriminators in eval mode only (train mode draws dropout masks).
pixelda's classifier: the logits (its Linear, before the reference's Softmax) and the
reference's output (softmax probabilities). pixelda's losses of one training iteration
as pixelda.py computes them (labels 3 and 7; MNIST-M stand-in = the images reversed in the
batch), with the reference's double softmax and with cross-entropy on the logits.

Needs torch and numpy (not dependencies of the package).
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from reference_models import load_script  # noqa: E402

OUT = os.path.join(HERE, "..", "Tests", "GANsTests", "Fixtures")
SIZE = 32


def fill(net, phase):
    with torch.no_grad():
        for k, (key, t) in enumerate(net.state_dict().items()):
            if key.endswith("num_batches_tracked"):
                continue
            i = torch.arange(t.numel(), dtype=torch.int64)
            v = torch.sin(0.37 * ((i * i) % 1013).to(torch.float64) + 1.3 * k + phase)
            v = 1 + 0.1 * v if key.endswith("running_var") else 0.05 * v
            t.copy_(v.reshape(t.shape).to(t.dtype))


def formula(shape, scale, rate, offset):
    j = torch.arange(torch.Size(shape).numel(), dtype=torch.float64)
    return (scale * torch.sin(rate * j + offset)).reshape(shape).float()


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def summary(y, limit=500):
    """Shape, sum, sum of |y|, and every stride-th element (all of them for small outputs)."""
    values = y.detach().reshape(-1).to(torch.float64)
    stride = max(1, -(-values.numel() // limit))
    return {"shape": list(y.shape), "sum": values.sum().item(), "abs_sum": values.abs().sum().item(),
            "stride": stride, "values": flat(values[::stride])}


def keys(net):
    return [[name, list(t.shape)] for name, t in net.state_dict().items()]


def count(net):
    return sum(p.numel() for p in net.parameters())


def run(net, phase, *inputs, modes=("train", "eval")):
    """Outputs in each mode, from the same filled weights (a train pass moves running stats)."""
    out = {}
    for mode in modes:
        fill(net, phase)
        net.train(mode == "train")
        with torch.no_grad():
            y = net(*inputs)
        out[mode] = [summary(t) for t in y] if isinstance(y, tuple) else summary(y)
    fill(net, phase)
    net.train()
    return out


def pixelda():
    ref = load_script("pixelda", latent_dim=10, channels=3, img_size=SIZE, n_residual_blocks=6, n_classes=10)
    G, D, C = ref.Generator(), ref.Discriminator(), ref.Classifier()
    x = formula((2, 3, SIZE, SIZE), 0.9, 0.11, 0.5)
    z = formula((2, 10), 1.0, 0.7, 0.1)
    fixture = {"size": SIZE, "latent_dim": 10, "residual_blocks": 6, "classes": 10}
    for key, net, phase in [("generator", G, 0.0), ("discriminator", D, 0.7), ("classifier", C, 1.4)]:
        fixture[f"{key}_keys"] = keys(net)
        fixture[f"{key}_parameters"] = count(net)
    fixture["generator_output"] = run(G, 0.0, x, z)
    fixture["discriminator_output"] = run(D, 0.7, x)
    fixture["classifier_probabilities"] = run(C, 1.4, x)
    fill(C, 1.4)
    with torch.no_grad():
        features = C.model(x).view(2, -1)
        fixture["classifier_logits"] = flat(C.output_layer[0](features))

    # One iteration of pixelda.py's losses, before any update.
    for net, phase in [(G, 0.0), (D, 0.7), (C, 1.4)]:
        fill(net, phase)
        net.train()
    mse, ce = torch.nn.MSELoss(), torch.nn.CrossEntropyLoss()
    labels = torch.tensor([3, 7])
    imgs_A, imgs_B = x, x.flip(0)
    valid, fake = torch.ones(2, 1, 2, 2), torch.zeros(2, 1, 2, 2)
    fake_B = G(imgs_A, z)
    probabilities_fake, probabilities_source = C(fake_B), C(imgs_A)
    task_reference = (ce(probabilities_fake, labels) + ce(probabilities_source, labels)) / 2
    logits = lambda images: C.output_layer[0](C.model(images).view(images.shape[0], -1))  # noqa: E731
    task = (ce(logits(fake_B), labels) + ce(logits(imgs_A), labels)) / 2
    adversarial = mse(D(fake_B), valid)
    d_loss = (mse(D(imgs_B), valid) + mse(D(fake_B.detach()), fake)) / 2
    fixture["labels"] = labels.tolist()
    fixture["losses"] = {"d_loss": d_loss.item(), "g_loss": (adversarial + 0.1 * task).item(), "adv": adversarial.item(),
                         "task": task.item()}
    fixture["reference_losses"] = {"g_loss": (adversarial + 0.1 * task_reference).item(), "task": task_reference.item()}
    return fixture


def cogan():
    ref = load_script("cogan", latent_dim=100, channels=3, img_size=SIZE)
    G, D = ref.CoupledGenerators(), ref.CoupledDiscriminators()
    x1 = formula((2, 3, SIZE, SIZE), 0.9, 0.11, 0.5)
    x2 = formula((2, 3, SIZE, SIZE), 0.9, 0.13, 1.1)
    z = formula((2, 100), 1.5, 0.3, 0.2)
    fixture = {"size": SIZE, "latent_dim": 100}
    for key, net in [("generator", G), ("discriminator", D)]:
        fixture[f"{key}_keys"] = keys(net)
        fixture[f"{key}_parameters"] = count(net)
    fixture["generator_output"] = run(G, 0.0, z)
    fixture["discriminator_output"] = run(D, 0.7, x1, x2, modes=("eval",))
    return fixture


def write(name, fixture):
    path = os.path.join(OUT, f"{name}_parity.json")
    with open(path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path) // 1024} KB); parameters "
          + ", ".join(f"{k[:-11]} {v:,}" for k, v in fixture.items() if k.endswith("_parameters")))


def main():
    torch.set_num_threads(1)
    write("pixelda", pixelda())
    write("cogan", cogan())


if __name__ == "__main__":
    main()
