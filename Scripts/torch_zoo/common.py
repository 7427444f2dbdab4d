"""Shared harness for our PyTorch versions of the zoo's models (the same architectures,
losses and update order as SwiftGAN's), used to benchmark against PyTorch and to produce
samples for `gan eval`. Never a dependency of SwiftGAN itself.

Each model module defines:
    DEFAULTS: dict of options (lr, b1, b2, latent_dim, img_size, batch_size, n_critic, ...)
    build(opt) -> dict of networks and optimisers
    train_step(m, imgs, labels, opt) -> dict of losses (one iteration = one batch)
    sample(m, n, opt, labels=None) -> tensor [n, C, H, W] in [-1, 1]
Run a model:  python3 Scripts/torch_zoo/run.py MODEL bench|train [options]
"""
import gzip
import json
import os
import struct
import time

import numpy as np
import torch

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def load_mnist(img_size, limit=None, split="train"):
    """MNIST as the reference scripts see it: PIL bilinear resize of the 8-bit images,
    ToTensor, Normalize(0.5, 0.5). Returns ([N,1,S,S] float tensor in [-1,1], labels)."""
    from PIL import Image
    prefix = "train" if split == "train" else "t10k"
    with gzip.open(os.path.join(ROOT, "Data", "mnist", f"{prefix}-images-idx3-ubyte.gz")) as f:
        _, n, rows, cols = struct.unpack(">IIII", f.read(16))
        pixels = np.frombuffer(f.read(), dtype=np.uint8).reshape(n, rows, cols)
    with gzip.open(os.path.join(ROOT, "Data", "mnist", f"{prefix}-labels-idx1-ubyte.gz")) as f:
        f.read(8)
        labels = np.frombuffer(f.read(), dtype=np.uint8).astype(np.int64)
    if limit:
        pixels, labels = pixels[:limit], labels[:limit]
    if img_size != rows:
        pixels = np.stack([np.asarray(Image.fromarray(p).resize((img_size, img_size), Image.BILINEAR)) for p in pixels])
    x = torch.from_numpy(pixels.astype(np.float32) / 255.0 * 2 - 1).unsqueeze(1)
    return x, torch.from_numpy(labels)


def batches(x, y, batch_size, generator):
    """Shuffled batches of one epoch, the last one smaller (DataLoader(shuffle=True))."""
    perm = torch.randperm(x.shape[0], generator=generator, device="cpu")
    device = torch.get_default_device()
    for i in range(0, x.shape[0], batch_size):
        idx = perm[i:i + batch_size]
        yield x[idx].to(device), y[idx].to(device)


def bench(module, opt, iterations, warmup):
    """Times training iterations on data in memory; whole n_critic cycles, per batch."""
    m = module.build(opt)
    x, y = load_mnist(opt["img_size"], limit=max(opt["batch_size"] * 4, 256))
    g = torch.Generator(device="cpu").manual_seed(0)
    data = []
    while len(data) < warmup + iterations + opt.get("n_critic", 1) * 2:
        data.extend(b for b in batches(x, y, opt["batch_size"], g) if b[0].shape[0] == opt["batch_size"])
    it = iter(data)
    for _ in range(warmup):
        imgs, labels = next(it)
        module.train_step(m, imgs, labels, opt)
    cycle = max(1, opt.get("n_critic", 1) if opt.get("cycle_is_n_critic") else 1)
    cycles = (iterations + cycle - 1) // cycle
    per_batch = []
    for _ in range(cycles):
        start = time.perf_counter()
        for _ in range(cycle):
            imgs, labels = next(it)
            module.train_step(m, imgs, labels, opt)
        per_batch.append((time.perf_counter() - start) * 1000 / cycle)
    per_batch.sort()
    median = float(np.median(per_batch))
    return {"ms_per_iter": median, "ms_min": per_batch[0], "ms_max": per_batch[-1],
            "samples_per_s": opt["batch_size"] / (median / 1000), "threads": torch.get_num_threads()}


def train_and_sample(module, opt, iterations, n_samples, out, seed=0):
    """Trains for `iterations` batches over shuffled epochs, then writes n samples (.npy)."""
    torch.manual_seed(seed)
    m = module.build(opt)
    x, y = load_mnist(opt["img_size"])
    g = torch.Generator(device="cpu").manual_seed(seed)
    done = 0
    start = time.time()
    while done < iterations:
        for imgs, labels in batches(x, y, opt["batch_size"], g):
            losses = module.train_step(m, imgs, labels, opt)
            done += 1
            if done % 200 == 0:
                print(json.dumps({"batches_done": done, **{k: float(v) for k, v in losses.items()},
                                  "seconds": round(time.time() - start, 1)}), flush=True)
            if done >= iterations:
                break
    labels = torch.arange(n_samples) % opt.get("n_classes", 10)
    with torch.no_grad():
        for net in m.values():
            if isinstance(net, torch.nn.Module):
                net.eval()
        samples = module.sample(m, n_samples, opt, labels=labels)
    np.save(out, samples.detach().cpu().numpy().astype(np.float32))
    if getattr(module, "CONDITIONAL", False):
        np.savetxt(out.replace(".npy", "_labels.txt"), labels.cpu().numpy(), fmt="%d")
    print(json.dumps({"wrote": out, "iterations": done, "seconds": round(time.time() - start, 1)}))
