#!/usr/bin/env python3
"""python3 Scripts/torch_zoo/run.py MODEL bench [--iterations N] [--threads T]
   python3 Scripts/torch_zoo/run.py MODEL train --iterations N --out samples.npy [--n 1000]"""
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
a = p.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
module = importlib.import_module(f"zoo_{a.model}")
opt = dict(module.DEFAULTS)
if a.batch_size:
    opt["batch_size"] = a.batch_size
torch.manual_seed(a.seed)
if a.mode == "bench":
    print(json.dumps({"model": a.model, **common.bench(module, opt, a.iterations, a.warmup)}))
else:
    common.train_and_sample(module, opt, a.iterations, a.n, a.out, a.seed)
