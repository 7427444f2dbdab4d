#!/usr/bin/env python3
"""Writes Tests/AutogradTests/Fixtures/ops.json: for every op, PyTorch's output and the
gradients of its inputs for a random upstream gradient. Also writes wgan_gp.json: the
gradient-penalty gradients of a small MLP critic and a small conv critic with batch norm.

Run:  pip install torch==2.13.0+cpu && python3 Scripts/make_autograd_fixtures.py
Our tests rebuild each case by name (Tests/AutogradTests/OpParityTests.swift) and compare.
"""
import json
import os
import torch
import torch.nn.functional as F

torch.manual_seed(1234)
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "AutogradTests", "Fixtures")


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.reshape(-1).tolist()]}


def away(shape, lo=0.2, hi=1.5):
    """Values of random sign with magnitude in [lo, hi]: away from the kinks at 0."""
    mag = torch.rand(shape) * (hi - lo) + lo
    sign = torch.where(torch.rand(shape) < 0.5, -1.0, 1.0)
    return mag * sign


def distinct(shape):
    """A random permutation of well-separated values (no ties for max/min)."""
    n = 1
    for d in shape:
        n *= d
    return (torch.randperm(n).to(torch.float32) * 0.1 - 0.05 * n).reshape(shape)


cases = []


def case(name, inputs, fn, grad_mask=None):
    ins = [x.clone().requires_grad_(grad_mask[i] if grad_mask else True) for i, x in enumerate(inputs)]
    out = fn(*ins)
    gout = torch.randn(out.shape)
    wrt = [x for x in ins if x.requires_grad]
    grads = torch.autograd.grad(out, wrt, gout, allow_unused=True)
    it = iter(grads)
    all_grads = []
    for x in ins:
        g = next(it) if x.requires_grad else None
        all_grads.append(enc(g) if g is not None else None)
    cases.append({"name": name, "inputs": [enc(x) for x in inputs], "gout": enc(gout),
                  "output": enc(out), "grads": all_grads})


r = torch.randn
# Elementwise and broadcasting
case("add", [r(3, 4), r(4)], lambda a, b: a + b)
case("add_broadcast", [r(2, 1, 3), r(4, 1)], lambda a, b: a + b)
case("sub", [r(3, 4), r(3, 1)], lambda a, b: a - b)
case("mul", [r(2, 3, 4), r(3, 1)], lambda a, b: a * b)
case("div", [r(3, 4), torch.rand(4) + 0.5], lambda a, b: a / b)
case("neg", [r(5)], lambda a: -a)
case("add_scalar", [r(5)], lambda a: a + 2.5)
case("mul_scalar", [r(5)], lambda a: a * -1.5)
case("rsub_scalar", [r(5)], lambda a: 3.0 - a)
case("rdiv_scalar", [torch.rand(5) + 0.5], lambda a: 2.0 / a)
case("pow_tensor", [torch.rand(3, 4) + 0.5, r(4)], lambda a, b: a ** b)
case("pow_scalar", [r(3, 4)], lambda a: a ** 3)
case("pow_half", [torch.rand(3, 4) + 0.5], lambda a: a ** 0.5)
case("exp", [r(3, 4)], lambda a: a.exp())
case("log", [torch.rand(3, 4) + 0.2], lambda a: a.log())
case("log1p", [torch.rand(3, 4)], lambda a: a.log1p())
case("sqrt", [torch.rand(3, 4) + 0.2], lambda a: a.sqrt())
case("abs", [away((3, 4))], lambda a: a.abs())
case("clamp", [away((4, 5), 0.1, 1.0)], lambda a: a.clamp(-0.5, 0.5))
case("maximum", [distinct((3, 4)), distinct((3, 4)) + 0.03], lambda a, b: torch.maximum(a, b))
case("minimum", [distinct((3, 4)), distinct((4,)) + 0.03], lambda a, b: torch.minimum(a, b))
cond = (torch.rand(3, 4) < 0.5).float()
case("where", [cond, r(3, 4), r(4)], lambda c, a, b: torch.where(c != 0, a, b), grad_mask=[False, True, True])
# Reductions
case("sum_all", [r(3, 4)], lambda a: a.sum())
case("sum_dims", [r(2, 3, 4)], lambda a: a.sum(dim=(0, 2), keepdim=True))
case("sum_dim", [r(2, 3, 4)], lambda a: a.sum(dim=1))
case("mean_all", [r(3, 4)], lambda a: a.mean())
case("mean_dims", [r(2, 3, 4)], lambda a: a.mean(dim=(0, 2)))
case("var_unbiased", [r(3, 5)], lambda a: a.var(dim=1))
case("var_biased", [r(3, 5)], lambda a: a.var(dim=(0, 1), unbiased=False, keepdim=True))
case("max_dim", [distinct((3, 4, 2))], lambda a: a.max(dim=1).values)
case("max_dim_keep", [distinct((3, 4))], lambda a: a.max(dim=0, keepdim=True).values)
# Products
case("matmul", [r(3, 4), r(4, 5)], lambda a, b: a @ b)
case("matmul_batched", [r(2, 3, 4), r(2, 4, 5)], lambda a, b: a @ b)
case("matmul_broadcast", [r(2, 3, 4), r(4, 5)], lambda a, b: a @ b)
case("matmul_batch_broadcast", [r(2, 1, 3, 4), r(3, 4, 2)], lambda a, b: a @ b)
case("linear", [r(3, 4), r(5, 4), r(5)], lambda x, w, b: F.linear(x, w, b))
# Shapes
case("reshape", [r(2, 6)], lambda a: a.reshape(3, 4) * torch.arange(12.0).reshape(3, 4))
case("flatten", [r(2, 3, 4)], lambda a: a.flatten(1))
case("permute", [r(2, 3, 4)], lambda a: a.permute(2, 0, 1))
case("transpose", [r(2, 3, 4)], lambda a: a.transpose(0, 2))
case("unsqueeze", [r(3, 4)], lambda a: a.unsqueeze(1) * torch.arange(4.0))
case("squeeze", [r(3, 1, 4)], lambda a: a.squeeze(1))
case("expand", [r(3, 1)], lambda a: a.expand(2, 3, 4))
case("slice", [r(4, 7)], lambda a: a[:, 1:6:2])
case("index_select", [r(4, 3)], lambda a: a.index_select(0, torch.tensor([2, 0, 2, 3])))
case("gather", [r(3, 4)], lambda a: a.gather(1, torch.tensor([[0, 3], [2, 2], [1, 0]])))
case("concat", [r(2, 3), r(2, 2)], lambda a, b: torch.cat([a, b], 1))
case("stack", [r(2, 3), r(2, 3)], lambda a, b: torch.stack([a, b], 1))
case("split", [r(5, 2)], lambda a: torch.split(a, [2, 3], 0)[1])
case("chunk", [r(7, 2)], lambda a: torch.chunk(a, 3, 0)[2])
# Activations
case("relu", [away((3, 4))], lambda a: F.relu(a))
case("leaky_relu", [away((3, 4))], lambda a: F.leaky_relu(a, 0.2))
case("elu", [away((3, 4))], lambda a: F.elu(a, 1.0))
case("prelu", [away((2, 3, 2, 2)), torch.tensor([0.25, 0.1, -0.3])], lambda a, w: F.prelu(a, w))
case("sigmoid", [r(3, 4)], lambda a: torch.sigmoid(a))
case("tanh", [r(3, 4)], lambda a: torch.tanh(a))
case("softplus", [r(3, 4) * 4], lambda a: F.softplus(a, beta=2.0, threshold=5.0))
case("softmax", [r(3, 5)], lambda a: F.softmax(a, dim=1))
case("log_softmax", [r(3, 5)], lambda a: F.log_softmax(a, dim=1))
case("softmax_dim0", [r(4, 3)], lambda a: F.softmax(a, dim=0))
# Convolutions
case("conv2d", [r(2, 3, 7, 6), r(4, 3, 3, 3), r(4)], lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1))
case("conv2d_dilation_groups", [r(2, 4, 9, 8), r(6, 2, 3, 2)],
     lambda x, w: F.conv2d(x, w, stride=(1, 2), padding=(2, 1), dilation=(2, 1), groups=2))
case("conv_transpose2d", [r(2, 3, 4, 5), r(3, 2, 4, 4), r(2)],
     lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1))
case("conv_transpose2d_groups", [r(1, 4, 3, 3), r(4, 3, 3, 3)],
     lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=0, groups=2, dilation=1))
case("max_pool2d", [distinct((2, 2, 4, 6))], lambda x: F.max_pool2d(x, 2))
case("max_pool2d_pad", [distinct((1, 2, 7, 7))], lambda x: F.max_pool2d(x, 3, stride=2, padding=1))
case("avg_pool2d", [r(2, 2, 4, 6)], lambda x: F.avg_pool2d(x, 2))
case("avg_pool2d_pad", [r(1, 2, 7, 6)], lambda x: F.avg_pool2d(x, 3, stride=2, padding=1))
case("avg_pool2d_pad_exclude", [r(1, 2, 7, 6)], lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False))
case("adaptive_avg_pool2d", [r(2, 3, 4, 5)], lambda x: F.adaptive_avg_pool2d(x, 1))
case("upsample_nearest", [r(2, 2, 3, 4)], lambda x: F.interpolate(x, scale_factor=2, mode="nearest"))
case("upsample_bilinear", [r(2, 2, 3, 4)], lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False))
case("upsample_bilinear_x3", [r(1, 1, 4, 3)], lambda x: F.interpolate(x, scale_factor=3, mode="bilinear", align_corners=False))
case("pad_zeros", [r(1, 2, 3, 4)], lambda x: F.pad(x, (1, 2, 0, 1)))
case("pad_constant", [r(1, 2, 3, 4)], lambda x: F.pad(x, (1, 1, 2, 0), value=0.5))
case("pad_reflect", [r(1, 2, 4, 5)], lambda x: F.pad(x, (2, 1, 3, 1), mode="reflect"))
case("pad_replicate", [r(1, 2, 3, 4)], lambda x: F.pad(x, (2, 3, 1, 2), mode="replicate"))
case("pixel_shuffle", [r(2, 8, 3, 2)], lambda x: F.pixel_shuffle(x, 2))
# Normalisation (batch_norm_train also records the updated running statistics)
rm, rv = torch.randn(3) * 0.1, torch.rand(3) + 0.5
bn_rm, bn_rv = rm.clone(), rv.clone()
case("batch_norm_train", [r(4, 3, 2, 3) * 2 + 1, r(3), r(3)],
     lambda x, w, b: F.batch_norm(x, bn_rm, bn_rv, w, b, training=True, momentum=0.1, eps=1e-5))
cases[-1]["running_mean_before"] = enc(rm)
cases[-1]["running_var_before"] = enc(rv)
cases[-1]["running_mean_after"] = enc(bn_rm)
cases[-1]["running_var_after"] = enc(bn_rv)
case("batch_norm_eps", [r(5, 4) * 3, r(4), r(4)],
     lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True, eps=0.8))
case("batch_norm_eval", [r(4, 3, 2, 2), r(3), r(3)],
     lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False, eps=1e-5))
case("instance_norm", [r(2, 3, 4, 4), r(3), r(3)], lambda x, w, b: F.instance_norm(x, weight=w, bias=b, eps=1e-5))
case("layer_norm", [r(2, 3, 4), r(3, 4), r(3, 4)], lambda x, w, b: F.layer_norm(x, (3, 4), w, b, eps=1e-5))
# Look-ups and norms
case("embedding", [r(5, 3)], lambda w: F.embedding(torch.tensor([4, 0, 4, 2]), w))
case("norm2", [r(3, 5)], lambda a: a.norm(2, dim=1))
case("norm2_all", [r(3, 5)], lambda a: torch.linalg.vector_norm(a))
case("norm1", [away((3, 5))], lambda a: a.norm(1, dim=1, keepdim=True))
case("norm3", [away((3, 5))], lambda a: torch.linalg.vector_norm(a, 3, dim=(0, 1)))
# Losses
p = torch.rand(4, 3) * 0.8 + 0.1
t = torch.rand(4, 3)
case("bce", [p, t], lambda p, t: F.binary_cross_entropy(p, t))
case("bce_sum", [p, (t > 0.5).float()], lambda p, t: F.binary_cross_entropy(p, t, reduction="sum"), grad_mask=[True, False])
case("bce_logits", [r(4, 3) * 3, t], lambda x, t: F.binary_cross_entropy_with_logits(x, t))
case("mse", [r(4, 3), r(4, 3)], lambda a, b: F.mse_loss(a, b))
case("l1", [r(4, 3), r(4, 3)], lambda a, b: F.l1_loss(a, b))
case("smooth_l1", [r(4, 3) * 2, r(4, 3)], lambda a, b: F.smooth_l1_loss(a, b, beta=1.0))
case("cross_entropy", [r(4, 5)], lambda a: F.cross_entropy(a, torch.tensor([1, 0, 4, 2])))
case("nll", [F.log_softmax(r(4, 5), 1)], lambda a: F.nll_loss(a, torch.tensor([3, 3, 0, 1])))
case("mse_none", [r(2, 3), r(2, 3)], lambda a, b: F.mse_loss(a, b, reduction="none"))

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "ops.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))


# ---- WGAN-GP: gradient of the penalty w.r.t. every critic parameter ----------------
def penalty_case(name, params, critic, real, fake, alpha):
    ps = [p.clone().requires_grad_(True) for p in params]
    interp = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    out = critic(ps, interp)
    g, = torch.autograd.grad(out, interp, torch.ones_like(out), create_graph=True)
    gp = 10.0 * ((g.reshape(g.shape[0], -1).norm(2, dim=1) - 1) ** 2).mean()
    # The last bias does not change d critic / d input, so its gradient is zero (unused).
    pg = [g if g is not None else torch.zeros_like(p)
          for g, p in zip(torch.autograd.grad(gp, ps, allow_unused=True), ps)]
    return {"name": name, "params": [enc(p) for p in params], "real": enc(real), "fake": enc(fake),
            "alpha": enc(alpha), "critic_out": enc(out), "penalty": float(gp.detach()), "param_grads": [enc(x) for x in pg]}


def mlp_critic(ps, x):
    w1, b1, w2, b2, w3, b3 = ps
    h = F.leaky_relu(F.linear(x.reshape(x.shape[0], -1), w1, b1), 0.2)
    h = F.leaky_relu(F.linear(h, w2, b2), 0.2)
    return F.linear(h, w3, b3)


def conv_critic(ps, x):
    w1, b1, w2, b2, g2, be2, w3, b3 = ps
    h = F.leaky_relu(F.conv2d(x, w1, b1, stride=2, padding=1), 0.2)
    h = F.conv2d(h, w2, b2, stride=2, padding=1)
    h = F.batch_norm(h, None, None, g2, be2, training=True, eps=0.8)
    h = F.leaky_relu(h, 0.2)
    return F.linear(h.reshape(h.shape[0], -1), w3, b3)


mlp_params = [r(16, 12) * 0.3, r(16) * 0.1, r(8, 16) * 0.3, r(8) * 0.1, r(1, 8) * 0.3, r(1) * 0.1]
real, fake = r(4, 1, 3, 4), r(4, 1, 3, 4)
alpha = torch.rand(4, 1, 1, 1)
conv_params = [r(4, 1, 3, 3) * 0.3, r(4) * 0.1, r(6, 4, 3, 3) * 0.2, r(6) * 0.1,
               1 + r(6) * 0.1, r(6) * 0.1, r(1, 6 * 2 * 2) * 0.3, r(1) * 0.1]
real2, fake2 = r(3, 1, 8, 8), r(3, 1, 8, 8)
alpha2 = torch.rand(3, 1, 1, 1)
with open(os.path.join(OUT, "wgan_gp.json"), "w") as f:
    json.dump({"torch": torch.__version__,
               "cases": [penalty_case("mlp", mlp_params, mlp_critic, real, fake, alpha),
                         penalty_case("conv_bn", conv_params, conv_critic, real2, fake2, alpha2)]},
              f, separators=(",", ":"))
print("wrote", len(cases), "op cases and 2 WGAN-GP cases to", os.path.normpath(OUT))
