#!/usr/bin/env python3
"""python3 Scripts/torch_zoo/run.py MODEL bench [--iterations N] [--threads T]
   python3 Scripts/torch_zoo/run.py MODEL train --iterations N --out samples.npy [--n 1000] [--device cuda]"""
import argparse
import importlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("model")
p.add_argument("mode", choices=["bench", "train"])
p.add_argument("--iterations", type=int, default=20)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--threads", type=int, default=None)
p.add_argument("--batch-size", type=int, default=None)
p.add_argument("--out", default="samples.npy")
p.add_argument("--n", type=int, default=1000)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--device", default="cpu", help="cpu, or cuda to train on a GPU (full float32: TF32 off)")
a = p.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
if a.device != "cpu":
    # The modules create their tensors with torch.randn/ones/... and no device, so the
    # default device puts networks, latents and targets on the GPU; batches are moved there.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_default_device(a.device)
module = importlib.import_module(f"zoo_{a.model}")
opt = dict(module.DEFAULTS)
if a.batch_size:
    opt["batch_size"] = a.batch_size
torch.manual_seed(a.seed)
if a.mode == "bench":
    print(json.dumps({"model": a.model, **common.bench(module, opt, a.iterations, a.warmup)}))
else:
    common.train_and_sample(module, opt, a.iterations, a.n, a.out, a.seed)
