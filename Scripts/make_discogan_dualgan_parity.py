"""Parity fixtures for Tests/GANsTests/DiscoGANTests.swift and DualGANTests.swift: PyTorch-GAN's
own discogan and dualgan networks (implementations/NAME/models.py, imported through
reference_models.py, never copied), filled with deterministic weights, run on a formula input.

    python3 Scripts/make_discogan_dualgan_parity.py
    # writes Tests/GANsTests/Fixtures/discogan_parity.json and dualgan_parity.json

Weights: element i (flattened) of the k-th state-dict key (k counts every key, buffers and
num_batches_tracked included) is 0.02 sin(0.37 i + 1.3 k); running variances are
1 + 0.1 sin(0.37 i + 1.3 k) (positive); num_batches_tracked is left alone (it does not enter
the forward pass); the gradient-penalty case uses sin(...) itself (scale 1). Inputs: element i is 0.9 sin(0.11 i + 0.5 + 0.7 j) for the j-th input.
The Swift tests fill their networks by the same state-dict key order with the same formulas.

Outputs: the generators in eval mode (dropout off; their instance norms use the instance's
statistics in either mode), the discriminators in eval mode and, for dualgan's batch-normed
critic, in train mode (batch statistics: deterministic), plus dualgan's critic loss with the
gradient penalty for given interpolation weights, and its gradients with respect to three
weights (a gradient of a gradient through batch norm). Large outputs
are recorded as a strided subset plus the sum and the sum of absolute values.

Needs torch (not a dependency of the package). dualgan's models.py imports torchvision's
vgg19 without using it; a stub stands in when torchvision is not installed.
"""
import json
import math
import os
import sys
import types

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from reference_models import load  # noqa: E402

OUT = os.path.join(HERE, "..", "Tests", "GANsTests", "Fixtures")


def stub_torchvision():
    try:
        import torchvision.models  # noqa: F401
    except ImportError:
        tv = types.ModuleType("torchvision")
        models = types.ModuleType("torchvision.models")
        models.vgg19 = None
        tv.models = models
        sys.modules["torchvision"] = tv
        sys.modules["torchvision.models"] = models


def fill(net, scale=0.02):
    """The deterministic weights described above, in state-dict order (`scale` replaces 0.02)."""
    with torch.no_grad():
        for k, (key, t) in enumerate(net.state_dict().items()):
            if key.endswith("num_batches_tracked"):
                continue
            i = torch.arange(t.numel(), dtype=torch.float64)
            v = torch.sin(0.37 * i + 1.3 * k)
            v = 1 + 0.1 * v if key.endswith("running_var") else scale * v
            t.copy_(v.reshape(t.shape).to(torch.float32))


def formula_input(shape, j=0):
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    return (0.9 * torch.sin(0.11 * i + 0.5 + 0.7 * j)).reshape(shape).to(torch.float32)


def floats(t):
    return [float(str(v)) for v in t.detach().reshape(-1).numpy()]


def summary(y, limit=600):
    """Shape, sum, sum of |y|, and every stride-th element (all of them for small outputs)."""
    flat = y.detach().reshape(-1).to(torch.float64)
    stride = max(1, math.ceil(flat.numel() / limit))
    return {"shape": list(y.shape), "sum": flat.sum().item(), "abs_sum": flat.abs().sum().item(),
            "stride": stride, "values": floats(y.reshape(-1)[::stride])}


def saturation(y):
    return (y.abs() > 0.99).float().mean().item()


def generator_case(G, shape):
    fill(G)
    G.eval()
    with torch.no_grad():
        y = G(formula_input(shape))
    print(f"  G {list(shape)} -> {list(y.shape)}, {saturation(y):.1%} saturated, sum {y.sum().item():.4f}")
    return {"input_shape": list(shape), "keys": list(G.state_dict().keys()), "eval": summary(y)}


def discriminator_case(D, shape, train=False, penalty=False):
    fill(D)
    case = {"input_shape": list(shape), "keys": list(D.state_dict().keys())}
    x = formula_input(shape)
    D.eval()
    with torch.no_grad():
        case["eval"] = summary(D(x))
    if train:
        D.train()
        with torch.no_grad():
            case["train"] = summary(D(x))
        fill(D)  # the train pass moved the running statistics
    if penalty:
        # dualgan's critic loss on real x, fake x', with one alpha per sample: three passes
        # in train mode, as the reference. Weights of scale 1 (at 0.02 the input gradients
        # are ~1e-7 and the penalty is 1 whatever they are).
        fill(D, 1.0)
        D.train()
        fake = formula_input(shape, 1)
        alpha = torch.tensor([0.25 + 0.5 * n / max(1, shape[0] - 1) for n in range(shape[0])]).reshape(-1, 1, 1, 1)
        inter = (alpha * x + (1 - alpha) * fake).requires_grad_(True)
        v = D(inter)
        g = torch.autograd.grad(v, inter, torch.ones_like(v), create_graph=True)[0]
        gp = ((g.reshape(g.shape[0], -1).norm(2, dim=1) - 1) ** 2).mean()
        loss = -torch.mean(D(x)) + torch.mean(D(fake)) + 10 * gp
        # The loss's gradients with respect to the weights, through the penalty's double backward.
        loss.backward()
        grads = {key: summary(dict(D.named_parameters())[key].grad) for key in ["model.0.weight", "model.2.weight", "model.9.weight"]}
        norms = g.reshape(g.shape[0], -1).norm(2, dim=1)
        print(f"  critic gradient norms {floats(norms)}, penalty {gp.item():.6f}, loss {loss.item():.6f}")
        case["penalty"] = {"weight_scale": 1.0, "alpha": floats(alpha), "gradient_norms": floats(norms),
                           "gradient_penalty": gp.item(), "critic_loss": loss.item(), "weight_gradients": grads}
        fill(D)
    return case


def write(name, fixture):
    path = os.path.join(OUT, f"{name}_parity.json")
    with open(path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path) // 1024} KB)")


def main():
    stub_torchvision()
    disco = load("discogan")
    print("discogan")
    write("discogan", {
        # 6 halvings: 64 px is the smallest size.
        "G": generator_case(disco.GeneratorUNet((3, 64, 64)), (2, 3, 64, 64)),
        "D": discriminator_case(disco.Discriminator((3, 64, 64)), (2, 3, 64, 64)),
    })
    dual = load("dualgan")
    print("dualgan")
    write("dualgan", {
        # 7 halvings: 128 px is the smallest size.
        "G": generator_case(dual.Generator(), (1, 3, 128, 128)),
        "D": discriminator_case(dual.Discriminator(), (2, 3, 64, 64), train=True, penalty=True),
    })


if __name__ == "__main__":
    main()
