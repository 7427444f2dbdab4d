#!/usr/bin/env python3
"""Checks that a SwiftGAN generator checkpoint loads into the PyTorch reference architecture
with load_state_dict(strict=True) and gives the same outputs.

    python3 Scripts/check_pytorch_generator.py MODEL RUN_DIR
    python3 Scripts/check_pytorch_generator.py MODEL --from-pytorch

It writes latent vectors to a temporary .npy, asks `gan sample` (release build) for the
outputs, runs the same vectors through the PyTorch Generator of Scripts/torch_zoo/zoo_MODEL.py
in eval mode with the loaded state dict, and compares. Exit status 0 when they agree to 1e-4.
With --from-pytorch the direction is reversed: a PyTorch generator's state dict (random
weights, batch-norm statistics perturbed) is written as safetensors and sampled with
`gan sample --generator-weights`.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "Scripts", "torch_zoo"))

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def write_safetensors(tensors, path):
    names = {torch.float32: "F32", torch.int64: "I64"}
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        b = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def from_pytorch(model):
    module = __import__(f"zoo_{model}")
    opt = dict(module.DEFAULTS)
    torch.manual_seed(0)
    G = module.Generator(opt)
    for name, buf in G.named_buffers():
        if name.endswith("running_mean"):
            buf.normal_(0, 0.1)
        elif name.endswith("running_var"):
            buf.uniform_(0.5, 1.5)
    G.eval()
    tmp = tempfile.mkdtemp()
    write_safetensors(G.state_dict(), os.path.join(tmp, "g.safetensors"))
    z = np.random.default_rng(1).standard_normal((16, opt["latent_dim"])).astype(np.float32)
    np.save(os.path.join(tmp, "z.npy"), z)
    gan = os.path.join(ROOT, ".build", "release", "gan")
    subprocess.run([gan, "sample", model, "--generator-weights", os.path.join(tmp, "g.safetensors"),
                    "--z", os.path.join(tmp, "z.npy"), "--out", os.path.join(tmp, "ours.npy")], check=True)
    with torch.no_grad():
        theirs = G(torch.from_numpy(z)).numpy()
    diff = float(np.abs(np.load(os.path.join(tmp, "ours.npy")) - theirs).max())
    print(json.dumps({"model": model, "direction": "pytorch->swiftgan", "max_abs_diff": diff}))
    sys.exit(0 if diff < 1e-4 else 1)


def main():
    model, run = sys.argv[1], sys.argv[2]
    if run == "--from-pytorch":
        return from_pytorch(model)
    module = __import__(f"zoo_{model}")
    with open(os.path.join(run, "checkpoints", "latest", "state.json")) as f:
        state = json.load(f)
    common = state["config"]["common"]
    opt = dict(module.DEFAULTS)
    opt.update({k: common[k] for k in ("latent_dim", "img_size", "lr", "b1", "b2", "batch_size")})
    G = module.Generator(opt)
    weights = read_safetensors(os.path.join(run, "checkpoints", "latest", "generator.safetensors"))
    G.load_state_dict(weights, strict=True)
    G.eval()
    tmp = tempfile.mkdtemp()
    z = np.random.default_rng(0).standard_normal((16, opt["latent_dim"])).astype(np.float32)
    np.save(os.path.join(tmp, "z.npy"), z)
    gan = os.path.join(ROOT, ".build", "release", "gan")
    subprocess.run([gan, "sample", model, "--checkpoint", run, "--z", os.path.join(tmp, "z.npy"),
                    "--out", os.path.join(tmp, "ours.npy")], check=True)
    ours = np.load(os.path.join(tmp, "ours.npy"))
    with torch.no_grad():
        theirs = G(torch.from_numpy(z)).numpy()
    diff = float(np.abs(ours - theirs).max())
    print(json.dumps({"model": model, "loaded_strict": True, "tensors": len(weights), "max_abs_diff": diff}))
    sys.exit(0 if diff < 1e-4 else 1)


if __name__ == "__main__":
    main()
