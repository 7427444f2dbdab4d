#!/usr/bin/env python3
"""Reference fixtures for the NN library, computed with PyTorch.

Writes Tests/NNTests/Fixtures/*.safetensors (our own writer below, so only torch is
needed): per-layer forward/backward cases, three small GAN models with the structure of
PyTorch-GAN's gan.py and dcgan.py (state dict, input batch, outputs, parameter gradients
of a loss, parameters after three Adam and three RMSprop steps), and one file per dtype.

Run from the repository root:  python3 Scripts/nn_fixtures.py
torch is only needed to regenerate fixtures; the Swift build never uses it.
"""
import json
import os
import struct

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "NNTests", "Fixtures")
DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
          torch.uint8: "U8", torch.bool: "BOOL"}


def write_safetensors(path, tensors, metadata=None):
    """Header length (u64 LE), JSON header padded to 8 bytes, then raw LE data."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


# ---------------------------------------------------------------- layers

def layer_cases():
    """name -> (module, input, train mode)."""
    g = torch.Generator().manual_seed(1)

    def r(*shape):
        return torch.randn(*shape, generator=g)

    def randomize(m):
        # Non-default affine parameters and running stats, so loading them is tested.
        with torch.no_grad():
            for n, p in m.named_parameters():
                p.copy_(r(*p.shape) * 0.5 + (1.0 if n == "weight" and "Norm" in type(m).__name__ else 0.0))
            for n, b in m.named_buffers():
                if n == "running_mean":
                    b.copy_(r(*b.shape) * 0.3)
                elif n == "running_var":
                    b.copy_(r(*b.shape).abs() + 0.5)
                elif n == "num_batches_tracked":
                    b.fill_(7)
        return m

    cases = {
        "linear": (nn.Linear(5, 3), r(4, 5), True),
        "linear_nobias": (nn.Linear(5, 3, bias=False), r(4, 5), True),
        "conv2d": (nn.Conv2d(3, 4, 3, 2, 1), r(2, 3, 7, 7), True),
        "conv2d_groups_dilation": (nn.Conv2d(4, 6, 3, padding=2, dilation=2, groups=2), r(1, 4, 6, 6), True),
        "conv_transpose2d": (nn.ConvTranspose2d(3, 2, 4, 2, 1), r(2, 3, 4, 4), True),
        "conv_transpose2d_outpad_groups": (nn.ConvTranspose2d(2, 4, 3, stride=2, padding=1, output_padding=1, groups=2), r(1, 2, 3, 3), True),
        "batchnorm1d_train": (randomize(nn.BatchNorm1d(5, 0.8)), r(6, 5), True),
        "batchnorm1d_3d_train": (randomize(nn.BatchNorm1d(3)), r(4, 3, 5), True),
        "batchnorm2d_train": (randomize(nn.BatchNorm2d(3)), r(4, 3, 3, 3), True),
        "batchnorm2d_eval": (randomize(nn.BatchNorm2d(3, 0.8)), r(4, 3, 3, 3), False),
        "batchnorm2d_cumulative_train": (randomize(nn.BatchNorm2d(3, momentum=None)), r(2, 3, 3, 3), True),
        "instancenorm2d": (nn.InstanceNorm2d(3), r(2, 3, 4, 4), True),
        "instancenorm2d_affine": (randomize(nn.InstanceNorm2d(3, affine=True)), r(2, 3, 4, 4), True),
        "instancenorm2d_tracked_eval": (randomize(nn.InstanceNorm2d(3, track_running_stats=True)), r(2, 3, 4, 4), False),
        "layernorm": (randomize(nn.LayerNorm([4, 4])), r(2, 3, 4, 4), True),
        "relu": (nn.ReLU(), r(3, 7), True),
        "leaky_relu": (nn.LeakyReLU(0.2), r(3, 7), True),
        "prelu": (randomize(nn.PReLU(3)), r(2, 3, 2, 2), True),
        "elu": (nn.ELU(), r(3, 7), True),
        "sigmoid": (nn.Sigmoid(), r(3, 7), True),
        "tanh": (nn.Tanh(), r(3, 7), True),
        "softmax": (nn.Softmax(dim=1), r(3, 7), True),
        "upsample_nearest": (nn.Upsample(scale_factor=2), r(1, 2, 3, 3), True),
        "upsample_bilinear": (nn.Upsample(scale_factor=2, mode="bilinear"), r(1, 2, 3, 3), True),
        "zeropad2d": (nn.ZeroPad2d((1, 2, 0, 3)), r(1, 2, 3, 3), True),
        "reflectionpad2d": (nn.ReflectionPad2d(2), r(1, 2, 4, 4), True),
        "maxpool2d": (nn.MaxPool2d(2), r(1, 2, 4, 4), True),
        "maxpool2d_padded": (nn.MaxPool2d(3, stride=2, padding=1), r(1, 2, 5, 5), True),
        "avgpool2d": (nn.AvgPool2d(2), r(1, 2, 4, 4), True),
        "avgpool2d_padded_exclude": (nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), r(1, 2, 5, 5), True),
        "pixelshuffle": (nn.PixelShuffle(2), r(1, 8, 2, 2), True),
        "flatten": (nn.Flatten(), r(2, 3, 2, 2), True),
        "identity": (nn.Identity(), r(2, 3), True),
        "dropout_eval": (nn.Dropout(0.5), r(2, 3), False),
        "dropout2d_eval": (nn.Dropout2d(0.5), r(2, 3, 2, 2), False),
    }
    return cases, g


def export_layers():
    cases, g = layer_cases()
    out = {}
    for name, (m, x, training) in cases.items():
        m.train(training)
        for k, v in m.state_dict().items():
            out[f"{name}.param.{k}"] = v.clone()
        x = x.clone().requires_grad_(True)
        y = m(x)
        probe = torch.randn(y.shape, generator=g)
        (y * probe).sum().backward()
        out[f"{name}.input"] = x
        out[f"{name}.output"] = y
        out[f"{name}.probe"] = probe
        out[f"{name}.grad_input"] = x.grad
        for k, p in m.named_parameters():
            out[f"{name}.grad.{k}"] = p.grad
        for k, b in m.named_buffers():
            out[f"{name}.after.{k}"] = b
    # Embedding takes integer indices: no input gradient.
    emb = nn.Embedding(10, 4)
    idx = torch.tensor([[3, 0, 9], [3, 3, 1]])
    y = emb(idx)
    probe = torch.randn(y.shape, generator=g)
    (y * probe).sum().backward()
    out.update({"embedding.param.weight": emb.weight.detach().clone(), "embedding.input": idx.float(),
                "embedding.output": y, "embedding.probe": probe, "embedding.grad.weight": emb.weight.grad})
    write_safetensors(os.path.join(OUT, "layers.safetensors"), out)


# ---------------------------------------------------------------- models (PyTorch-GAN structure, small)

LATENT = 6


class MLPGenerator(nn.Module):
    """gan.py's generator: Linear, BatchNorm1d(out, 0.8) (eps = 0.8), LeakyReLU, Tanh."""

    def __init__(self, img_shape=(1, 6, 6)):
        super().__init__()
        self.img_shape = img_shape

        def block(in_feat, out_feat, normalize=True):
            layers = [nn.Linear(in_feat, out_feat)]
            if normalize:
                layers.append(nn.BatchNorm1d(out_feat, 0.8))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers

        self.model = nn.Sequential(*block(LATENT, 16, normalize=False), *block(16, 32), *block(32, 64),
                                   nn.Linear(64, 36), nn.Tanh())

    def forward(self, z):
        img = self.model(z)
        return img.view(img.size(0), *self.img_shape)


class DCGANGenerator(nn.Module):
    """dcgan.py's generator with 8/4 channels instead of 128/64, 8x8 images."""

    def __init__(self):
        super().__init__()
        self.init_size = 2
        self.l1 = nn.Sequential(nn.Linear(LATENT, 8 * self.init_size ** 2))
        self.conv_blocks = nn.Sequential(
            nn.BatchNorm2d(8),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(8, 8, 3, stride=1, padding=1),
            nn.BatchNorm2d(8, 0.8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(8, 4, 3, stride=1, padding=1),
            nn.BatchNorm2d(4, 0.8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(4, 1, 3, stride=1, padding=1),
            nn.Tanh(),
        )

    def forward(self, z):
        out = self.l1(z)
        out = out.view(out.shape[0], 8, self.init_size, self.init_size)
        return self.conv_blocks(out)


class DCGANDiscriminator(nn.Module):
    """dcgan.py's discriminator: Conv2d(3, 2, 1), LeakyReLU, Dropout2d, BatchNorm2d(0.8)."""

    def __init__(self):
        super().__init__()

        def discriminator_block(in_filters, out_filters, bn=True):
            block = [nn.Conv2d(in_filters, out_filters, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True), nn.Dropout2d(0.25)]
            if bn:
                block.append(nn.BatchNorm2d(out_filters, 0.8))
            return block

        self.model = nn.Sequential(*discriminator_block(1, 4, bn=False), *discriminator_block(4, 8),
                                   *discriminator_block(8, 8))
        self.adv_layer = nn.Sequential(nn.Linear(8, 1), nn.Sigmoid())

    def forward(self, img):
        out = self.model(img)
        out = out.view(out.shape[0], -1)
        return self.adv_layer(out)


def weights_init_normal(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        torch.nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm2d") != -1:
        torch.nn.init.normal_(m.weight.data, 1.0, 0.02)
        torch.nn.init.constant_(m.bias.data, 0.0)


def mse(out, target):
    return ((out - target) ** 2).mean()


def bce(p, target):
    # Written with elementary ops so the Swift test can mirror it without the loss library.
    return -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean()


def export_model(name, model, x, target, loss_fn, training, seed, frozen=()):
    """`frozen`: biases that feed a batch norm in training mode, directly or through a
    LeakyReLU whose inputs share one sign over the batch. Their true gradient is zero
    (the norm subtracts the batch mean), so what backward returns is rounding noise, and
    Adam/RMSprop divide by its own magnitude: steps of +-lr in a random direction that no
    two implementations share. They are frozen for the optimiser runs, which also tests
    that frozen parameters are skipped."""
    torch.manual_seed(seed)
    model.train(training)
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    write_safetensors(os.path.join(OUT, f"{name}_state.safetensors"), initial, {"format": "pt"})

    data = {"input": x, "target": target}
    y = model(x)
    loss = loss_fn(y, target)
    loss.backward()
    data["output"] = y
    data["loss"] = loss.reshape([])
    for k, p in model.named_parameters():
        data[f"grad.{k}"] = p.grad.clone()

    for opt_name, make in [("adam", lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.5, 0.999))),
                           ("rmsprop", lambda ps: torch.optim.RMSprop(ps, lr=0.01))]:
        model.load_state_dict(initial)
        for k, p in model.named_parameters():
            p.requires_grad_(k not in frozen)
        opt = make([p for p in model.parameters() if p.requires_grad])
        for _ in range(3):
            opt.zero_grad()
            loss_fn(model(x), target).backward()
            opt.step()
        for k, v in model.state_dict().items():
            data[f"{opt_name}.{k}"] = v.clone()
    write_safetensors(os.path.join(OUT, f"{name}_data.safetensors"), data, {"frozen": ",".join(frozen)})


def export_models():
    g = torch.Generator().manual_seed(2)
    torch.manual_seed(3)
    mlp = MLPGenerator()
    export_model("mlp_generator", mlp, torch.randn(8, LATENT, generator=g),
                 torch.rand(8, 1, 6, 6, generator=g) * 2 - 1, mse, True, 10,
                 frozen=("model.0.bias", "model.2.bias", "model.5.bias"))

    torch.manual_seed(4)
    gen = DCGANGenerator()
    gen.apply(weights_init_normal)
    export_model("dcgan_generator", gen, torch.randn(4, LATENT, generator=g),
                 torch.rand(4, 1, 8, 8, generator=g) * 2 - 1, mse, True, 11,
                 frozen=("conv_blocks.2.bias", "conv_blocks.6.bias"))

    torch.manual_seed(5)
    disc = DCGANDiscriminator()
    disc.apply(weights_init_normal)
    with torch.no_grad():  # trained-looking running statistics, so eval mode is tested
        for mod in disc.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.running_mean.copy_(torch.randn(mod.num_features, generator=g) * 0.1)
                mod.running_var.copy_(torch.rand(mod.num_features, generator=g) + 0.5)
                mod.num_batches_tracked.fill_(100)
    export_model("dcgan_discriminator", disc, torch.randn(4, 1, 8, 8, generator=g),
                 torch.tensor([[1.0], [0.0], [1.0], [0.0]]), bce, False, 12)


OPTIMIZER_VARIANTS = {
    "adam_weight_decay": lambda ps: torch.optim.Adam(ps, lr=0.05, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1),
    "adam_amsgrad": lambda ps: torch.optim.Adam(ps, lr=0.05, amsgrad=True),
    "rmsprop_centered_momentum": lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1,
                                                                momentum=0.5, centered=True),
    "sgd_momentum_dampening": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.01),
    "sgd_nesterov": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
}


def export_optimizers():
    """Five steps of each variant on f(p) = sum(sin(3p) + p^2), gradient 3cos(3p) + 2p."""
    g = torch.Generator().manual_seed(6)
    start = torch.randn(3, 4, generator=g)
    out = {"start": start}
    for name, make in OPTIMIZER_VARIANTS.items():
        p = start.clone().requires_grad_(True)
        opt = make([p])
        for _ in range(5):
            opt.zero_grad()
            (torch.sin(3 * p) + p * p).sum().backward()
            opt.step()
        out[name] = p.detach().clone()
    write_safetensors(os.path.join(OUT, "optimizers.safetensors"), out)


def export_dtypes():
    values = torch.tensor([0.0, 1.0, -2.0, 3.5, 100.0, -0.25])
    write_safetensors(os.path.join(OUT, "dtypes.safetensors"), {
        "f32": values, "f64": values.double(), "f16": values.half(), "bf16": values.bfloat16(),
        "i64": values.long(), "i32": values.int(), "i16": values.short(), "i8": values.to(torch.int8),
        "u8": values.abs().to(torch.uint8), "bool": values != 0,
        "scalar_i64": torch.tensor(42), "empty": torch.zeros(0, 3),
    })


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    torch.set_default_dtype(torch.float32)
    export_layers()
    export_models()
    export_optimizers()
    export_dtypes()
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)), "bytes")
