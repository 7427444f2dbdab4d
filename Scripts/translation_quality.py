#!/usr/bin/env python3
"""Quality of a zoo model at equal iterations: our `gan train NAME` against PyTorch-GAN's own
script (implementations/NAME/NAME.py, executed unchanged), each for the same number of batches
from the same seed, both scored by `gan eval`: the image-to-image models on the dataset's
evaluation pairs (L1, PSNR, SSIM in [0, 1]; for munit and bicyclegan also the diversity, the
mean L1 between one input's outputs for 8 random codes); stargan on its held-out faces (the attribute
accuracy of their edits by the shipped CelebA classifier, L1 to the input on [0, 1]); the
inpainting models (context_encoder, ccgan) inside the centred hole of our 1,000 held-out faces
(L1, PSNR, and the mean face's); cogan on 1,000 pairs (per-domain FD and digits covered, and
how often a pair shows one digit).

    nice -n 10 python3 Scripts/translation_quality.py pix2pix --iterations 400 --seeds 0 1 2 \\
        [--data ../shared/data/facades] [--gan .build/release/gan] [--out /tmp/quality] \\
        [--results docs/image_zoo_results.jsonl] [--picture docs/images/pix2pix_quality.png]
    nice -n 10 python3 Scripts/translation_quality.py stargan --iterations 200 --seeds 0 \\
        --data ../shared/data/celeba --eval-n 200 [--results docs/image_zoo_results.jsonl]
    nice -n 10 python3 Scripts/translation_quality.py context_encoder --iterations 200 --seeds 0 1 2 \\
        --data ../shared/data/celeba [--picture docs/images/context_encoder_quality.png]
    nice -n 10 python3 Scripts/translation_quality.py cogan --iterations 300 --seeds 0 1 2 \\
        --data MNISTM_FOLDER --mnist MNIST_ROOT
        (MNISTM_FOLDER what `gan data mnistm` writes; MNIST_ROOT holds MNIST/raw/ as torchvision reads it)

The reference's generator is scored by our network: its state dict is written as
safetensors (PyTorch's names, which ours keep) into a copy of our run's checkpoint of the same
seed, and `gan eval` runs on that copy; both networks are in eval mode there, so where their
dropout sits does not matter. The reference trains on train/ only here: its dataset class
also adds test/ to the training images, which would score it on pairs it trained on, so its
scratch data folder exposes train/ and, as val/, the test pairs it pictures from. stargan's
reference reads data/img_align_celeba/ (the faces and list_attr_celeba.txt) and holds out the
last 2000 faces itself, as ours does; context_encoder's holds out its last 4,000; ccgan's trains
on every file in its folder, which therefore holds all faces but our held-out 1,000.

Each side prints one JSON line (the format of docs/image_zoo_results.jsonl) and, with
--results, appends it there. --picture draws the first seed's outputs beside the reference's.

Needs torch, torchvision, numpy and PIL (not dependencies of the package).
"""
import argparse
import datetime
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import reference_scratch  # noqa: E402
from reference_models import checkout  # noqa: E402

# Per model: the reference's networks scored (script variable -> our checkpoint files it
# replaces: its own, and the checkpoint's generator.safetensors where the sampled network has
# another name, since that copy is what `gan eval` loads), and the script's options that select
# the dataset.
# Also per model: the scratch data folder (reference_scratch.prepare's arguments from the data
# folder) and the numbers of `gan eval --json` recorded.
MODELS = {
    "pix2pix": {"networks": {"generator": ["generator.safetensors"]}, "args": ["--dataset_name", "facades"],
                "scratch": lambda data, mnist, scratch: {"data": [f"facades={data}"], "aliases": ["val=test"], "splits": ["train"]},
                "scores": ("split", "n", "l1", "psnr", "ssim"), "trained_on": "train/ only"},
    # dualgan.py and discogan.py read A|B pairs as pix2pix.py does; cyclegan.py reads train/A and
    # train/B (the facades photos and label maps as two folders) and pictures from test/. Scored:
    # G_BA, labels -> photo, as ours.
    "dualgan": {"networks": {"G_BA": ["G_BA.safetensors", "generator.safetensors"]}, "args": ["--dataset_name", "facades"],
                "scratch": lambda data, mnist, scratch: {"data": [f"facades={data}"], "aliases": ["val=test"], "splits": ["train"]},
                "scores": ("split", "n", "l1", "psnr", "ssim"), "trained_on": "train/ only"},
    "discogan": {"networks": {"G_BA": ["G_BA.safetensors", "generator.safetensors"]}, "args": ["--dataset_name", "facades"],
                 "scratch": lambda data, mnist, scratch: {"data": [f"facades={data}"], "aliases": ["val=test"], "splits": ["train"]},
                 "scores": ("split", "n", "l1", "psnr", "ssim"), "trained_on": "train/ only"},
    "cyclegan": {"networks": {"G_BA": ["G_BA.safetensors", "generator.safetensors"]}, "args": ["--dataset_name", "facades"],
                 "scratch": lambda data, mnist, scratch: {"unpaired": [f"facades={data}"], "splits": ["train", "test"]},
                 "scores": ("split", "n", "l1", "psnr", "ssim"), "trained_on": "train/ as two unpaired domains"},
    # The multimodal models: munit.py and bicyclegan.py read A|B pairs (facades: photo | label
    # map) and translate A -> B, as ours at their defaults; scored on that direction with the
    # zero code, and their outputs' diversity over 8 random codes. unit.py reads train/A and
    # train/B as cyclegan.py; scored: label map -> photo (E2, then G1), as ours.
    "munit": {"networks": {"Enc1": ["Enc1.safetensors"], "Dec2": ["Dec2.safetensors", "generator.safetensors"]},
              "args": ["--dataset_name", "facades"],
              "scratch": lambda data, mnist, scratch: {"data": [f"facades={data}"], "aliases": ["val=test"], "splits": ["train"]},
              "scores": ("split", "n", "l1", "psnr", "ssim", "diversity"), "trained_on": "train/ only", "a_to_b": True},
    "bicyclegan": {"networks": {"generator": ["generator.safetensors"]}, "args": ["--dataset_name", "facades"],
                   "scratch": lambda data, mnist, scratch: {"data": [f"facades={data}"], "aliases": ["val=test"], "splits": ["train"]},
                   "scores": ("split", "n", "l1", "psnr", "ssim", "diversity"), "trained_on": "train/ only", "a_to_b": True},
    "unit": {"networks": {"E2": ["E2.safetensors", "generator.safetensors:encoder."],
                          "G1": ["G1.safetensors", "generator.safetensors:generator."]},
             "args": ["--dataset_name", "facades"],
             "scratch": lambda data, mnist, scratch: {"unpaired": [f"facades={data}"], "splits": ["train", "test"]},
             "scores": ("split", "n", "l1", "psnr", "ssim"), "trained_on": "train/ as two unpaired domains"},
    "stargan": {"networks": {"generator": ["generator.safetensors"]}, "args": [],
                "scratch": lambda data, mnist, scratch: {"data": [f"img_align_celeba={data}/img_align_celeba"],
                                         "files": [f"img_align_celeba={data}/list_attr_celeba.txt"]},
                "scores": ("n", "accuracy", "l1", "edit_accuracy", "input_accuracy"), "trained_on": "all but the last 2000 faces"},
    # The inpainting models are scored on our held-out faces (the last 1,000): context_encoder.py holds
    # out its last 4,000 itself; ccgan.py trains on every file, so its folder lacks our held-out ones.
    "context_encoder": {"networks": {"generator": ["generator.safetensors"]}, "args": [],
                        "scratch": lambda data, mnist, scratch: {"data": [f"img_align_celeba={data}/img_align_celeba"]},
                        "scores": ("n", "l1", "psnr", "mean_face_l1", "mean_face_psnr"), "trained_on": "its first 6,000 faces"},
    "ccgan": {"networks": {"generator": ["generator.safetensors"]}, "args": [],
              "scratch": lambda data, mnist, scratch: {"data": [f"img_align_celeba={training_faces(data, 1000, scratch)}"]},
              "scores": ("n", "l1", "psnr", "mean_face_l1", "mean_face_psnr"), "trained_on": "all but the last 1,000 faces"},
    # cogan reads MNIST as torchvision's MNIST(root) and MNIST-M through the stand-in for its mnistm.py.
    "cogan": {"networks": {"coupled_generators": ["generator.safetensors"]}, "args": [],
              "scratch": lambda data, mnist, scratch: {"data": [f"mnist={mnist}", f"mnistm={data}"]},
              "scores": ("n", "agreement", "domain1", "domain2_grayscale"), "trained_on": "MNIST and MNIST-M train"},
}


def training_faces(data, held_out, scratch):
    """A folder in `scratch` of links to the CelebA faces of `data` but the last `held_out` (in
    name order)."""
    faces = os.path.join(data, "img_align_celeba")
    folder = os.path.join(scratch, "training_faces")
    os.makedirs(folder)
    for name in sorted(os.listdir(faces))[:-held_out]:
        os.symlink(os.path.join(faces, name), os.path.join(folder, name))
    return folder


class StopTraining(Exception):
    pass


PROGRESS = re.compile(r"\[Epoch (\d+)/\d+\] \[Batch (\d+)/(\d+)\]")


class CountingOutput:
    """Stands in for sys.stdout: follows the script's progress lines ("[Epoch e/E] [Batch i/N]",
    written once batch i's optimiser steps are done) and stops it once `limit` batches are done.
    The batch count comes from the line, since dualgan.py and stargan.py print only every
    n_critic-th batch (i % 5 == 0): a run of 5k + 1 batches stops right after a generator step."""

    def __init__(self, stream, limit):
        self.stream, self.limit, self.done = stream, limit, 0

    def write(self, text):
        progress = PROGRESS.search(text)
        if progress:
            epoch, batch, per_epoch = (int(g) for g in progress.groups())
            before, self.done = self.done, epoch * per_epoch + batch + 1
            if self.done // 100 > before // 100:
                sys.stderr.write(f"reference: {self.done} batches\n")
            if self.done >= self.limit:
                raise StopTraining()
        return len(text)

    def flush(self):
        pass


def write_safetensors(tensors, path):
    """A safetensors file of a state dict (name -> torch tensor): int64 buffers (batch norm's
    num_batches_tracked) as I64, everything else as float32."""
    import torch
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        t = t.detach().to("cpu").contiguous()
        integer = t.dtype == torch.int64
        data = (t if integer else t.float()).numpy().tobytes()
        header[name] = {"dtype": "I64" if integer else "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def run_reference(model, data, mnist, iterations, seed, checkpoint):
    """Runs the reference script in this process until `iterations` batches are done, then
    writes the state dicts of its scored networks over their files in `checkpoint`."""
    import numpy as np
    import torch
    spec = MODELS[model]
    impl = os.path.join(checkout(), "implementations", model)
    scratch = tempfile.mkdtemp(prefix=f"{model}-reference-")
    work = reference_scratch.prepare(scratch, model, **spec["scratch"](data, mnist, scratch))
    # The scratch's sitecustomize (torchvision's schemas, the script's stand-ins), run here as
    # the interpreter would at start; its namespace keeps the declared schemas alive.
    declared = {}
    with open(os.path.join(scratch, "sitecustomize.py")) as f:
        exec(f.read(), declared)
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)
    sys.path.insert(0, impl)
    script = os.path.join(impl, model + ".py")
    sys.argv = [script] + spec["args"]
    namespace = {"__name__": "__main__", "__file__": script}
    counter = CountingOutput(sys.stdout, iterations)
    cwd, stdout = os.getcwd(), sys.stdout
    os.chdir(work)
    sys.stdout = counter
    started = time.time()
    try:
        with open(script) as f:
            exec(compile(f.read(), script, "exec"), namespace)
    except StopTraining:
        pass
    finally:
        sys.stdout = stdout
        os.chdir(cwd)
    seconds = time.time() - started
    # A file named "FILE:PREFIX" gets the network's tensors under PREFIX, merged with the other
    # networks' of the same file (unit's generator.safetensors: E2 as encoder., G1 as generator.).
    merged = {}
    for variable, files in spec["networks"].items():
        for name in files:
            file, _, prefix = name.partition(":")
            merged.setdefault(file, {}).update({prefix + k: v for k, v in namespace[variable].state_dict().items()})
    for file, tensors in merged.items():
        write_safetensors(tensors, os.path.join(checkpoint, file))
    shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps({"iterations": counter.done, "seconds": round(seconds, 1)}))


def latest_checkpoint(run):
    return os.path.realpath(os.path.join(run, "checkpoints", "latest"))


def evaluate(gan, model, path, n=None):
    out = subprocess.run([gan, "eval", path, "--json"] + (["--n", str(n)] if n else []),
                         check=True, capture_output=True, text=True).stdout
    report = json.loads(out)
    return {k: report[k] for k in MODELS[model]["scores"]}


def record(line, results):
    text = json.dumps(line)
    print(text, flush=True)
    if results:
        with open(results, "a") as f:
            f.write(text + "\n")


def picture(gan, model, ours, theirs, data, path, count=4, codes=3):
    """Rows of input | ours | reference | target for the first `count` evaluation pairs; for a
    multimodal model (`gan sample` writes the input, then its outputs for 8 random codes), the
    outputs of the first `codes` codes of each side."""
    from PIL import Image
    split = os.path.join(data, "val") if os.path.isdir(os.path.join(data, "val")) else os.path.join(data, "test")
    files = sorted(os.listdir(split))[:count]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, file in enumerate(files):
            pair = Image.open(os.path.join(split, file)).convert("RGB")
            w, h = pair.size
            left, right = pair.crop((0, 0, w // 2, h)), pair.crop((w // 2, 0, w, h))
            source, target = (left, right) if MODELS[model].get("a_to_b") else (right, left)
            source_path = os.path.join(tmp, f"in{i}.png")
            source.save(source_path)
            outputs, size = [], source.size
            for side, run in (("ours", ours), ("theirs", theirs)):
                out = os.path.join(tmp, f"{side}{i}.png")
                subprocess.run([gan, "sample", model, "--checkpoint", run, "--input", source_path, "--out", out],
                               check=True, capture_output=True)
                image = Image.open(out).convert("RGB")
                side_px = image.size[1]
                if image.size[0] >= 2 * side_px:   # input, then one output per code: cells at the model's size
                    size = (side_px, side_px)
                    outputs += [image.crop((k * side_px, 0, (k + 1) * side_px, side_px)) for k in range(1, 1 + codes)]
                else:
                    outputs.append(image)
            rows.append([cell.resize(size) for cell in [source] + outputs + [target]])
    save_grid(rows, path)


def inpainting_picture(gan, model, ours, theirs, data, path, count=4):
    """Rows of masked | ours | reference | original for the first `count` held-out faces, the
    centred hole of `gan eval` (64 px for context_encoder, 32 for ccgan) shown grey."""
    from PIL import Image
    hole = 64 if model == "context_encoder" else 32
    start = (128 - hole) // 2
    mask = f"{start},{start},{hole},{hole}"
    faces = sorted(os.listdir(os.path.join(data, "img_align_celeba")))[-1000:][:count]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, name in enumerate(faces):
            face = os.path.join(data, "img_align_celeba", name)
            original = Image.open(face).convert("RGB").resize((128, 128), Image.BICUBIC)
            masked = original.copy()
            masked.paste((128, 128, 128), (start, start, start + hole, start + hole))
            cells = [masked]
            for side, run in (("ours", ours), ("theirs", theirs)):
                out = os.path.join(tmp, f"{side}{i}.png")
                subprocess.run([gan, "sample", model, "--checkpoint", run, "--input", face, "--mask", mask, "--out", out],
                               check=True, capture_output=True)
                cells.append(Image.open(out).convert("RGB"))
            cells.append(original)
            rows.append(cells)
    save_grid(rows, path)


def pairs_picture(gan, model, ours, theirs, path, count=8):
    """cogan: `count` pairs (MNIST | MNIST-M) from the same latent vectors, ours left and the
    reference's right."""
    from PIL import Image
    with tempfile.TemporaryDirectory() as tmp:
        cells = []
        for side, run in (("ours", ours), ("theirs", theirs)):
            out = os.path.join(tmp, f"{side}.png")
            subprocess.run([gan, "sample", model, "--checkpoint", run, "--n", str(count), "--nrow", "1", "--seed", "0",
                            "--out", out], check=True, capture_output=True)
            grid = Image.open(out).convert("RGB")
            cells.append(grid.resize((3 * grid.width, 3 * grid.height), Image.NEAREST))   # 32 px digits, enlarged
    save_grid([cells], path, gap=12)


def save_grid(rows, path, gap=4):
    """Pictures in rows, each cell as large as the first, on white with `gap` pixels between."""
    from PIL import Image
    cw, ch = rows[0][0].size
    columns = max(len(cells) for cells in rows)
    grid = Image.new("RGB", (columns * cw + (columns - 1) * gap, len(rows) * ch + (len(rows) - 1) * gap), "white")
    for r, cells in enumerate(rows):
        for c, cell in enumerate(cells):
            grid.paste(cell, (c * (cw + gap), r * (ch + gap)))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    grid.save(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=sorted(MODELS))
    ap.add_argument("--iterations", type=int, required=True)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "facades"))
    ap.add_argument("--gan", default=os.path.join(ROOT, ".build", "release", "gan"))
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "translation-quality"))
    ap.add_argument("--results", help="append each JSON line to this file")
    ap.add_argument("--mnist", default=os.path.join(tempfile.gettempdir(), "mnistroot"),
                    help="cogan: torchvision's MNIST root for the reference (MNIST/raw/ with the unpacked IDX files)")
    ap.add_argument("--picture", help="write the first seed's outputs beside the reference's here: input | ours | reference | "
                                      "target (pix2pix), masked | ours | reference | original (inpainting), pairs (cogan)")
    ap.add_argument("--eval-n", type=int, help="score only the first N evaluation pairs or held-out faces")
    ap.add_argument("--reference-checkpoint", help=argparse.SUPPRESS)   # child mode: run the reference only
    a = ap.parse_args()
    data = os.path.abspath(a.data)
    if a.reference_checkpoint:
        run_reference(a.model, data, os.path.abspath(a.mnist), a.iterations, a.seeds[0], a.reference_checkpoint)
        return
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    common = {"kind": "quality", "model": a.model, "iterations": a.iterations, "data": a.data, "cpu": cpu, "date": date}
    spec = MODELS[a.model]
    os.makedirs(a.out, exist_ok=True)
    for seed in a.seeds:
        ours = os.path.join(a.out, f"{a.model}-ours-{seed}")
        if not os.path.exists(ours):
            started = time.time()
            subprocess.run([a.gan, "train", a.model, "--data-dir", data, "--iterations", str(a.iterations),
                            "--seed", str(seed), "--out", ours, "--checkpoint-interval", "0", "--quiet"], check=True)
            took = round(time.time() - started, 1)
        else:
            took = None
        record(dict(common, side="ours", seed=seed, seconds=took, **evaluate(a.gan, a.model, ours, a.eval_n),
                    command=f"gan train {a.model} --iterations {a.iterations} --seed {seed}"), a.results)

        theirs = os.path.join(a.out, f"{a.model}-reference-{seed}")
        if not os.path.exists(theirs):
            scratch = theirs + ".partial"
            shutil.rmtree(scratch, ignore_errors=True)
            shutil.copytree(latest_checkpoint(ours), scratch)
            child = subprocess.run([sys.executable, os.path.abspath(__file__), a.model, "--iterations", str(a.iterations),
                                    "--seeds", str(seed), "--data", data, "--mnist", a.mnist,
                                    "--reference-checkpoint", scratch],
                                   check=True, capture_output=True, text=True)
            done = json.loads(child.stdout.strip().splitlines()[-1])
            with open(os.path.join(scratch, "reference.json"), "w") as f:
                json.dump(done, f)
            os.rename(scratch, theirs)
        with open(os.path.join(theirs, "reference.json")) as f:
            done = json.load(f)
        record(dict(common, side="PyTorch-GAN script", seed=seed, seconds=done["seconds"], **evaluate(a.gan, a.model, theirs, a.eval_n),
                    command=" ".join([f"implementations/{a.model}/{a.model}.py"] + spec["args"] + [f"({spec['trained_on']}, torch seed {seed})"]),
                    batches_run=done["iterations"]), a.results)
        if a.picture and seed == a.seeds[0]:
            if a.model in ("pix2pix", "dualgan", "discogan", "cyclegan", "munit", "bicyclegan", "unit"):
                picture(a.gan, a.model, ours, theirs, data, a.picture)
            elif a.model in ("context_encoder", "ccgan"):
                inpainting_picture(a.gan, a.model, ours, theirs, data, a.picture)
            elif a.model == "cogan":
                pairs_picture(a.gan, a.model, ours, theirs, a.picture)


if __name__ == "__main__":
    main()
