"""Runs PyTorch-GAN's own pixelda.py (implementations/pixelda/pixelda.py of a checkout,
executed as it is, never copied) on this project's MNIST and MNIST-M, for the comparison in
docs/MODELS.md, then scores its task classifier as `gan eval` scores ours.

    nice -n 10 python3 Scripts/run_reference_pixelda.py --iterations 500 --seed 0 \\
        --mnistm ../shared/data/mnistm --mnist ../shared/data/mnist

The script downloads MNIST through torchvision and MNIST-M through its mnistm.py (a pickle of
another MNIST-M). Here both come from local files through stand-ins for the few pieces it
imports: torchvision's transforms.Compose/Resize/ToTensor/Normalize (Resize: PIL's bilinear,
as torchvision's on PIL images), datasets.MNIST (the IDX files), utils.save_image (no
pictures are written), and mnistm.MNISTM (the IDX files `gan data mnistm` writes). The script
runs with its default options (batch 64, lr 2e-4, betas 0.5/0.999, lambda_task 0.1); it is
stopped after --iterations batches (its progress lines are counted), then its classifier is
scored on the MNIST-M and MNIST test splits, transformed as in training. Prints one JSON line
(the format of docs/image_zoo_results.jsonl), with the median seconds between the script's
progress lines after the first three (one line per batch: its speed as its users see it, data
loading included; compare `gan bench pixelda`).

Needs torch, numpy and PIL (not dependencies of the package).
"""
import argparse
import datetime
import gzip
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import types

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from reference_models import checkout  # noqa: E402


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * k: 8 + 4 * k], "big") for k in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def idx_file(folder, name):
    plain = os.path.join(folder, name)
    return plain if os.path.exists(plain) else plain + ".gz"


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x


class Resize:
    """torchvision's Resize(int) on a PIL image: the shorter side to `size`, bilinear."""
    def __init__(self, size):
        self.size = size

    def __call__(self, img):
        w, h = img.size
        if w <= h:
            return img.resize((self.size, int(self.size * h / w)), Image.BILINEAR)
        return img.resize((int(self.size * w / h), self.size), Image.BILINEAR)


class ToTensor:
    def __call__(self, img):
        a = np.asarray(img, dtype=np.float32) / 255
        return torch.from_numpy(a[None] if a.ndim == 2 else a.transpose(2, 0, 1).copy())


class Normalize:
    def __init__(self, mean, std):
        self.mean, self.std = torch.tensor(mean).reshape(-1, 1, 1), torch.tensor(std).reshape(-1, 1, 1)

    def __call__(self, t):
        return (t - self.mean) / self.std


class Digits(torch.utils.data.Dataset):
    """MNIST (gray, mode L) or MNIST-M (RGB) from IDX files, as (PIL image, label)."""
    def __init__(self, folder, train, transform, rank):
        prefix = "train" if train else "t10k"
        self.images = read_idx(idx_file(folder, f"{prefix}-images-idx{rank}-ubyte"))
        self.labels = read_idx(idx_file(folder, f"{prefix}-labels-idx1-ubyte"))
        self.transform = transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        img = Image.fromarray(self.images[i], mode="L" if self.images.ndim == 3 else "RGB")
        return (self.transform(img) if self.transform else img), int(self.labels[i])


class StopTraining(Exception):
    pass


def stand_ins(mnist_dir, mnistm_dir):
    """Modules named as the ones pixelda.py imports, reading local files."""
    tv = types.ModuleType("torchvision")
    tv.transforms = types.ModuleType("torchvision.transforms")
    tv.transforms.Compose, tv.transforms.Resize, tv.transforms.ToTensor, tv.transforms.Normalize = Compose, Resize, ToTensor, Normalize
    tv.datasets = types.ModuleType("torchvision.datasets")
    tv.datasets.MNIST = lambda root, train=True, download=False, transform=None: Digits(mnist_dir, train, transform, 3)
    tv.utils = types.ModuleType("torchvision.utils")
    tv.utils.save_image = lambda *args, **kwargs: None
    mnistm = types.ModuleType("mnistm")
    mnistm.MNISTM = lambda root, train=True, download=False, transform=None, **kw: Digits(mnistm_dir, train, transform, 4)
    return {"torchvision": tv, "torchvision.transforms": tv.transforms, "torchvision.datasets": tv.datasets,
            "torchvision.utils": tv.utils, "mnistm": mnistm}


def accuracy(classifier, dataset):
    loader = torch.utils.data.DataLoader(dataset, batch_size=500, shuffle=False)
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            if images.shape[1] == 1:
                images = images.expand(images.shape[0], 3, *images.shape[2:])
            correct += (classifier(images).argmax(1) == labels).sum().item()
    return correct / len(dataset)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mnist", default=os.path.join(HERE, "..", "..", "shared", "data", "mnist"))
    parser.add_argument("--mnistm", default=os.path.join(HERE, "..", "..", "shared", "data", "mnistm"))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    mnist_dir, mnistm_dir = os.path.abspath(args.mnist), os.path.abspath(args.mnistm)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)
    sys.modules.update(stand_ins(mnist_dir, mnistm_dir))

    script = os.path.join(checkout(), "implementations", "pixelda", "pixelda.py")
    done, stamps = 0, []

    def counting_print(*values, **kwargs):
        nonlocal done
        if values and str(values[0]).startswith("[Epoch"):
            stamps.append(time.monotonic())
            done += 1
            if done % 100 == 0:
                sys.stderr.write(f"{done} {values[0]}\n")
            if done >= args.iterations:
                raise StopTraining()

    namespace = {"__name__": "__main__", "__file__": script, "print": counting_print}
    started = time.time()
    workdir = tempfile.mkdtemp(prefix="pixelda-reference-")
    cwd = os.getcwd()
    os.chdir(workdir)   # the script writes images/ and ../../data/ relative to where it runs
    sys.argv = [script]
    try:
        with open(script) as f:
            exec(compile(f.read(), script, "exec"), namespace)
    except StopTraining:
        pass
    finally:
        os.chdir(cwd)
    seconds = time.time() - started
    intervals = [b - a for a, b in zip(stamps[3:], stamps[4:])]
    classifier = namespace["classifier"]
    transform = namespace["transforms"]
    target = Digits(mnistm_dir, False, Compose([Resize(32), ToTensor(), Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]), 4)
    source = Digits(mnist_dir, False, Compose([Resize(32), ToTensor(), Normalize([0.5], [0.5])]), 3)
    del transform
    print(json.dumps({
        "model": "pixelda", "side": "reference", "variant": "adapted", "iterations": done, "batch_size": 64, "seed": args.seed,
        "target_accuracy": accuracy(classifier, target), "target_n": len(target),
        "source_accuracy": accuracy(classifier, source), "source_n": len(source),
        "seconds": round(seconds, 1), "threads": args.threads,
        "s_per_iteration": round(statistics.median(intervals), 4) if intervals else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
        "script": "PyTorch-GAN implementations/pixelda/pixelda.py via Scripts/run_reference_pixelda.py",
    }))


if __name__ == "__main__":
    main()
