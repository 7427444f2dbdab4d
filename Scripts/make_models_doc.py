#!/usr/bin/env python3
"""Builds docs/MODELS.md from `gan list --markdown`, the results of Scripts/zoo_runs.py
(docs/zoo_results.jsonl) and the "Differs from the reference" notes in the model files.

    python3 Scripts/make_models_doc.py
"""
import glob
import json
import os
import re
import subprocess

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
GAN = os.path.join(ROOT, ".build", "release", "gan")


def differences():
    notes = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "Sources", "GANs", "Zoo", "*.swift"))):
        text = open(path).read()
        name = re.search(r'ModelInfo\(\s*name: "([a-z_]+)"', text)
        if not name:
            continue
        lines, grab = [], False
        for line in text.splitlines():
            stripped = line.strip()
            if re.search(r"Differ(s|ences) from (the reference|it)", stripped):
                grab = True
            if grab:
                if not stripped.startswith("//"):
                    break
                lines.append(stripped.lstrip("/ ").strip())
        if lines:
            notes[name.group(1)] = " ".join(lines)
    return notes


def permutation_p(a, b, resamples=200_000):
    """Two-sided p of a permutation test on the difference of the means: the share of ways to
    split the pooled runs into groups of these sizes whose means differ at least as much as the
    observed ones. Exact (every split) up to a million splits, else that many random splits
    drawn with a fixed seed, so the table is reproducible."""
    import math
    import random
    from itertools import combinations
    pooled, n = a + b, len(a)
    observed = abs(sum(a) / len(a) - sum(b) / len(b))
    total = sum(pooled)

    def differs(s):
        return abs(s / n - (total - s) / len(b)) >= observed - 1e-9
    splits = math.comb(len(pooled), n)
    if splits <= 1_000_000:
        return sum(differs(sum(group)) for group in combinations(pooled, n)) / splits
    rng = random.Random(0)
    return sum(differs(sum(rng.sample(pooled, n))) for _ in range(resamples)) / resamples


def seed_section(results):
    """Models run with more seeds (Scripts/zoo_seeds.py, docs/zoo_seeds.jsonl; seed 0 is the
    table's run): FD per side over all its seeds, and whether the difference is more than chance."""
    from statistics import median
    runs = {}
    path = os.path.join(ROOT, "docs", "zoo_seeds.jsonl")
    for line in open(path) if os.path.exists(path) else []:
        r = json.loads(line)
        key = (r["seed"], r.get("torch_device", "cpu"))
        runs.setdefault(r["model"], {}).setdefault(r["side"], {})[key] = r
    rows, both_collapse = [], []
    for m in sorted(runs):
        sides = {}
        for side in ("ours", "torch"):
            by_seed = dict(runs[m].get(side, {}))
            if m in results and side in results[m]:
                by_seed.setdefault((0, "cpu"), results[m][side])
            sides[side] = by_seed
        if min(len(sides["ours"]), len(sides["torch"])) < 3:
            continue
        fd = {side: [r["fd"] for r in sides[side].values()] for side in sides}
        cov = {side: sum(r["mode_coverage"] for r in sides[side].values()) / len(sides[side]) for side in sides}
        collapsed = {side: sum(1 for r in sides[side].values() if r["mode_coverage"] <= 2) for side in sides}
        if collapsed["ours"] and collapsed["torch"]:
            both_collapse.append(m)
        gpu = sum(1 for (_, device) in sides["torch"] if device != "cpu")
        runs_cell = f"{len(fd['ours'])} / {len(fd['torch'])}" + (f" ({gpu} on GPU)" if gpu else "")
        def spread(v):
            return f"{sum(v) / len(v):.0f} ({min(v):.0f}-{max(v):.0f})"
        rows.append(f"| {m} | {runs_cell} | {spread(fd['ours'])} | {spread(fd['torch'])} | "
                    f"{median(fd['ours']):.0f} / {median(fd['torch']):.0f} | "
                    f"{cov['ours']:.1f} / {cov['torch']:.1f} | {collapsed['ours']} / {collapsed['torch']} | "
                    f"{permutation_p(fd['ours'], fd['torch']):.2f} |")
    if not rows:
        return []
    return ["### Across seeds", "",
            "At these lengths a GAN's score depends on its seed about as much as on its implementation, "
            "so where single runs disagreed, both sides were trained again with more seeds "
            "(`Scripts/zoo_seeds.py`, results in `docs/zoo_seeds.jsonl`; seed 0 is the run above). "
            "Each side's runs are all of its seeds (the two sides' runs of one seed are not related: "
            "the random streams differ). FD is the mean over the runs with its range, then both medians; "
            "\"collapsed\" counts runs whose samples cover at most two digits; p is a permutation test "
            "on the difference of the means (exact, or 200,000 seeded random splits for larger sets; "
            "small p: a difference chance would rarely give). Some runs of both sides were made on a "
            "16-core machine lent for a session (`Scripts/zoo_seeds_farm.py`, one thread per run); there "
            "the PyTorch side of the convolutional models trained on its GPU, in float32 with TF32 off, "
            "because one thread of this project's CPUs needs 15 minutes per run. Rows with "
            "`torch_device` or `host` in the JSON file say which.", "",
            "| model | runs ours / PyTorch | FD ours | FD PyTorch | median FD ours / PyTorch | digits covered ours / PyTorch | collapsed ours / PyTorch | p |",
            "|---|---|---|---|---|---|---|---|"] + rows + [""] + (
            [f"Both implementations collapse on some seeds of {' and '.join(filter(None, [', '.join(both_collapse[:-1]), both_collapse[-1]]))} at these defaults "
             "(every sample nearly the same image), so the collapse belongs to the method at this length, "
             "not to either implementation; means include those runs, medians show the typical run.", ""]
            if both_collapse else []) + [
            "That the two implementations train alike, step for step, is checked directly for gan and "
            "bgan: from the same weights, batches and latent vectors, twenty steps give the losses "
            "PyTorch gives to 1e-3 (`ZooStepParityTests`, fixture from `Scripts/make_zoo_step_parity.py`; "
            "bgan's generator loss to 1e-2: it is D's log-odds squared, ~1e-5 at the start, and Adam divides "
            "its equally small gradient by its size, so float rounding shows sooner). Runs of hundreds of "
            "steps then part ways as any two float orders of summation do, which is why single runs differ."]


def quality_runs(models):
    """The runs of Scripts/translation_quality.py (records of kind "quality" in
    docs/image_zoo_results.jsonl) of `models`, by (model, iterations) and side."""
    path = os.path.join(ROOT, "docs", "image_zoo_results.jsonl")
    runs = {}
    for line in open(path) if os.path.exists(path) else []:
        r = json.loads(line)
        if r.get("kind") == "quality" and r["model"] in models:
            runs.setdefault((r["model"], r["iterations"]), {}).setdefault(r["side"], []).append(r)
    return runs


def mean_and_range(values, fmt):
    """The mean of `values`, with their range in brackets when there are several."""
    from statistics import mean
    spread = f" ({fmt.format(min(values))}-{fmt.format(max(values))})" if len(values) > 1 else ""
    return fmt.format(mean(values)) + spread


def sides_in_order(model, sides):
    """(run name, records) of each side of a quality comparison that ran: ours, then the script."""
    return [(name, sides[side]) for side, name in (("ours", "ours"), ("PyTorch-GAN script", f"PyTorch-GAN {model}.py"))
            if sides.get(side)]


def wall_seconds(rs):
    """The mean wall time of runs that recorded one, as a table cell."""
    from statistics import mean
    secs = [r["seconds"] for r in rs if r.get("seconds")]
    return str(round(mean(secs))) if secs else ""


def quality_picture(name, caption):
    """docs/images/NAME_quality.png with its caption, when it exists."""
    if not os.path.exists(os.path.join(ROOT, "docs", "images", f"{name}_quality.png")):
        return []
    return [f"![{caption}](images/{name}_quality.png)", "", caption + ".", ""]


def translation_quality_section():
    """Image-to-image runs at equal iterations, ours and PyTorch-GAN's own script: mean over
    seeds with the range, and the picture of the first seed when there is one."""
    runs = quality_runs(("pix2pix", "cyclegan", "discogan", "dualgan"))
    if not runs:
        return []
    out = ["Quality at equal iterations: our run at the defaults next to PyTorch-GAN's own script run for the same "
           "number of batches from the same seed, both scored by `gan eval` on the 106 test pairs of facades "
           "(the reference's generator loaded into our network by its parameter names; both in eval mode). "
           "pix2pix.py's dataset class also trains on the test pairs; here every script sees train/ only, as ours "
           "and the papers. dualgan's and discogan's scripts feed each batch's photos and label maps as aligned "
           "pairs, and discogan's adds an L1 term to the paired target; ours, at their defaults, draw the two "
           "domains independently and have no paired term, as the papers' unpaired setting (`--paired-l1` restores "
           "discogan's; that term learns the very pairing the test pairs score, an advantage in L1 and PSNR "
           "that ours, without it, does not have; at 30 batches neither discogan draws more than coloured "
           "bands). Iterations are batches of each model's default size (pix2pix 1 pair, dualgan 8, discogan "
           "64: its 30 are 1,920 pairs, nearly 5 passes over the 400 training pairs); dualgan's generators step "
           "every 5th batch, so its 201 are 41 generator steps, the last right before the run stops. cyclegan "
           "(batch 1) is scored with its label map -> photo generator (G_BA); its script reads the photos and label "
           "maps of train/ as two unpaired folders, as ours draws them. Mean over seeds, range in brackets; a row of "
           "one seed is a first look (at these lengths one seed says little); L1 in [0, 1] (lower is better), PSNR in dB and "
           "SSIM (higher is better). `Scripts/translation_quality.py`, records in "
           "`docs/image_zoo_results.jsonl`.", "",
           "| model | iterations | run | seeds | L1 | PSNR | SSIM | seconds per run |",
           "|---|---|---|---|---|---|---|---|"]
    def cell(rs, key, fmt):
        return mean_and_range([r[key] for r in rs], fmt)
    for (model, iterations), sides in sorted(runs.items()):
        for name, rs in sides_in_order(model, sides):
            out.append(f"| {model} | {iterations} | {name} | {len(rs)} | {cell(rs, 'l1', '{:.4f}')} | "
                       f"{cell(rs, 'psnr', '{:.2f}')} | {cell(rs, 'ssim', '{:.4f}')} | {wall_seconds(rs)} |")
    out += ["", "Seconds are wall time on a shared machine (other builds ran beside them): not a speed comparison.", ""]
    for model, _ in sorted(runs):
        out += quality_picture(model, f"{model}, first seed: label map (input) | ours | PyTorch-GAN's script | photo "
                                      "(target), on the first test pairs")
    return out


def multimodal_quality_section():
    """munit, bicyclegan and unit at equal iterations, ours and PyTorch-GAN's own script, with
    the diversity of the multimodal ones."""
    runs = quality_runs(("munit", "bicyclegan", "unit"))
    if not runs:
        return []
    out = ["### Many outputs from one input: munit, bicyclegan and unit", "",
           "Scored as above on the 106 test pairs of facades. munit and bicyclegan translate as their scripts "
           "do at their defaults, A -> B (facades: photo -> label map), scored with the zero code (the prior's "
           "mean); their diversity is the mean L1 between the outputs of one input for 8 random codes, averaged "
           "over the test inputs (0 when a model ignores its code). unit translates label map -> photo, as ours "
           "at its defaults. munit's script feeds each photo with its own label map, though no term of its loss uses "
           "the pairing; ours draws the two domains independently, as the paper. Every run trains on train/ only. "
           "Mean over seeds, range in brackets; a row of one seed is a first look (at these lengths one seed says "
           "little).", "",
           "| model | iterations | run | seeds | L1 | PSNR | SSIM | diversity | seconds per run |",
           "|---|---|---|---|---|---|---|---|---|"]
    def cell(rs, key, fmt):
        values = [r[key] for r in rs if r.get(key) is not None]
        return mean_and_range(values, fmt) if values else "–"
    for (model, iterations), sides in sorted(runs.items()):
        for name, rs in sides_in_order(model, sides):
            out.append(f"| {model} | {iterations} | {name} | {len(rs)} | {cell(rs, 'l1', '{:.4f}')} | "
                       f"{cell(rs, 'psnr', '{:.2f}')} | {cell(rs, 'ssim', '{:.4f}')} | {cell(rs, 'diversity', '{:.4f}')} | "
                       f"{wall_seconds(rs)} |")
    out += ["", "Seconds are wall time on a shared machine: not a speed comparison.", ""]
    captions = {
        "munit": "munit, first seed: photo (input) | ours for three style codes | PyTorch-GAN's script for the same "
                 "three codes | label map (target), on the first test pairs",
        "bicyclegan": "bicyclegan, first seed: photo (input) | ours for three latent codes | PyTorch-GAN's script for "
                      "the same three codes | label map (target), on the first test pairs",
        "unit": "unit, first seed: label map (input) | ours | PyTorch-GAN's script | photo (target), on the first "
                "test pairs"}
    for model, _ in sorted(runs):
        out += quality_picture(model, captions[model])
    return out


def inpainting_quality_section():
    """context_encoder and ccgan at equal iterations, ours and PyTorch-GAN's own script, scored
    inside the centred hole of our held-out faces, next to the mean face; the pictures."""
    runs = quality_runs(("context_encoder", "ccgan"))
    if not runs:
        return ["Trained runs next to the reference scripts' are not yet here.", ""]
    out = ["Inpainting at equal iterations: our run at the defaults (batch 8) next to PyTorch-GAN's own script run "
           "for the same number of batches from the same seed, both scored by `gan eval` inside the centred hole "
           "(64 px for context_encoder, 32 for ccgan) of the 1,000 held-out faces, the reference's generator loaded "
           "into our network by its parameter names. context_encoder.py trains on its first 6,000 faces (it holds out "
           "the last 4,000 itself); ccgan.py, which trains on every file, is given all but our held-out 1,000, and "
           "runs with the N(0, 0.02) initialisation it calls but does not define. Both of ccgan's generators are "
           "scored on the low-resolution copy of the masked face (ours trains on that; the reference's trains on a copy "
           "of the whole face, which no user has at test time). ccgan's generator learns from the adversarial loss alone, as in "
           "the paper (whose aim is features for a classifier, not faithful fills), so its fills are plausible texture at "
           "best, far from the pixels that were there. \"mean face\" fills the hole with the mean of 2,000 "
           "training faces. Mean over seeds, range in brackets; L1 in [0, 1] (lower is better), PSNR in dB (higher "
           "is better). `Scripts/translation_quality.py`, records in `docs/image_zoo_results.jsonl`.", "",
           "| model | iterations | run | seeds | L1 in the hole | PSNR in the hole | seconds per run |",
           "|---|---|---|---|---|---|---|"]
    from statistics import mean
    for (model, iterations), sides in sorted(runs.items()):
        for name, rs in sides_in_order(model, sides):
            out.append(f"| {model} | {iterations} | {name} | {len(rs)} | {mean_and_range([r['l1'] for r in rs], '{:.4f}')} | "
                       f"{mean_and_range([r['psnr'] for r in rs], '{:.2f}')} | {wall_seconds(rs)} |")
        any_run = next(iter(sides.values()))[0]
        out.append(f"| {model} | | mean face | | {any_run['mean_face_l1']:.4f} | {any_run['mean_face_psnr']:.2f} | |")
    out += ["", "Seconds are wall time on a shared machine: not a speed comparison."]
    behind = sorted({f"{model} ({iterations} iterations, {iterations * 8:,} faces)" for (model, iterations), sides in runs.items()
                     if all(mean(r["l1"] for r in rs) > rs[0]["mean_face_l1"] for rs in sides.values())})
    if behind:
        out += ["", f"Where both implementations fill worse than the mean face — {', '.join(behind)} — the runs are too "
                "short to have learnt more than colour and rough shading (the references train 200 epochs); the rows "
                "compare the two implementations at equal effort, not the method."]
    out += [""]
    for model, _ in sorted(runs):
        out += quality_picture(model, f"{model}, first seed: held-out face with the centred hole (grey) | ours | "
                                      "PyTorch-GAN's script | original")
    return out


def cogan_quality_section():
    """cogan at equal iterations, ours and PyTorch-GAN's own script: per domain FD and digits
    covered, and pair agreement, mean over seeds; the picture of the first seed's pairs."""
    runs = quality_runs(("cogan",))
    if not runs:
        return []
    out = ["cogan at the reference's defaults (batch 32), ours next to PyTorch-GAN's own `cogan.py` run for the same "
           "number of batches from the same seed (its MNIST-M import given a stand-in that reads ours), both scored "
           "by `gan eval` on 1,000 pairs (the reference's generators loaded into our network by their parameter "
           "names): each domain's FD and digits covered (the MNIST-M side in grayscale, through the MNIST "
           "classifier's features, so its FD is not comparable with an MNIST one), and the share of pairs whose "
           "two images the classifier reads as the same digit. Mean over seeds, range in brackets; "
           "`Scripts/translation_quality.py cogan`, records in `docs/image_zoo_results.jsonl`.", "",
           "| iterations | run | seeds | agreement | FD MNIST | digits MNIST | FD MNIST-M (gray) | digits MNIST-M (gray) |",
           "|---|---|---|---|---|---|---|---|"]
    for (model, iterations), sides in sorted(runs.items()):
        for name, rs in sides_in_order(model, sides):
            one, two = [r["domain1"] for r in rs], [r["domain2_grayscale"] for r in rs]
            out.append(f"| {iterations} | {name} | {len(rs)} | "
                       f"{mean_and_range([r['agreement'] for r in rs], '{:.3f}')} | "
                       f"{mean_and_range([d['fd'] for d in one], '{:.1f}')} | {mean_and_range([d['mode_coverage'] for d in one], '{:.1f}')} | "
                       f"{mean_and_range([d['fd'] for d in two], '{:.1f}')} | {mean_and_range([d['mode_coverage'] for d in two], '{:.1f}')} |")
    out += ["", "Chance agreement is about 0.1; a few hundred iterations only start the coupling (the reference "
            "trains 200 epochs of 1,875).", ""]
    out += quality_picture("cogan", "cogan, first seed: eight pairs (MNIST | MNIST-M) from the same noise vectors, "
                                    "ours left, PyTorch-GAN's script right")
    return out


def domain_section():
    """pixelda and cogan: parity, and pixelda's task accuracy on MNIST-M's test split from the
    runs of Scripts/pixelda_quality.py (docs/image_zoo_results.jsonl), averaged over seeds."""
    from statistics import mean
    runs = {}
    path = os.path.join(ROOT, "docs", "image_zoo_results.jsonl")
    for line in open(path) if os.path.exists(path) else []:
        r = json.loads(line)
        if r.get("model") == "pixelda" and "target_accuracy" in r:
            runs.setdefault(r["iterations"], {}).setdefault((r["side"], r["variant"]), []).append(r)
    out = ["## Two domains: pixelda and cogan (MNIST and MNIST-M)", "",
           "Both train on labelled MNIST digits and MNIST-M images built by `gan data mnistm` (Ganin & "
           "Lempitsky's recipe on BSDS500 photos, [DATA.md](DATA.md)), drawn independently. Each network's "
           "forward pass matches the classes of PyTorch-GAN's own `pixelda.py` and `cogan.py` with the same "
           "weights, in training and evaluation mode (fixtures from `Scripts/make_pixelda_cogan_parity.py`, "
           "which executes the scripts' class definitions from a checkout): pixelda's generator, discriminator "
           "and classifier to 1.3e-5 or better and one iteration's losses to 1e-4, cogan's coupled generators "
           "and discriminators to 1e-7; the parameter counts are the reference's (pixelda 483,715 / 1,555,585 / "
           "1,571,466, cogan 1,126,790 / 98,914). `gan eval RUN` reports pixelda's task accuracy on MNIST-M's "
           "test split and scores cogan's pairs per domain ([EVALUATION.md](EVALUATION.md)).", ""]
    if runs:
        out += ["pixelda's task classifier on MNIST-M's **test** split (10,000 images never seen in training), "
                "batch 64, the reference's defaults: adapted (pixelda), the same classifier trained on MNIST "
                "alone (`--source-only`: the gap the method closes), and PyTorch-GAN's own `pixelda.py` run "
                "for the same number of iterations on the same MNIST-M (`Scripts/run_reference_pixelda.py` "
                "gives it local stand-ins for its dataset and torchvision imports; its classifier scored the same "
                "way). Mean over seeds, range in brackets; `Scripts/pixelda_quality.py`, records in "
                "`docs/image_zoo_results.jsonl`. The paper reports about 98% after full training.", "",
                "| iterations | run | seeds | MNIST-M test accuracy | MNIST test accuracy |",
                "|---|---|---|---|---|"]
        names = {("ours", "adapted"): "pixelda (ours)", ("ours", "source-only"): "source only (ours, same classifier)",
                 ("reference", "adapted"): "PyTorch-GAN pixelda.py"}
        for iterations in sorted(runs):
            for key, name in names.items():
                rs = runs[iterations].get(key)
                if not rs:
                    continue
                t, s_ = [r["target_accuracy"] for r in rs], [r["source_accuracy"] for r in rs]
                spread = f" ({min(t):.3f}-{max(t):.3f})" if len(t) > 1 else ""
                out.append(f"| {iterations} | {name} | {len(rs)} | {mean(t):.3f}{spread} | {mean(s_):.3f} |")
        out += ["", "These are short runs (200 iterations is a fifth of an epoch) on a shared 2-core machine; rows "
                "with one seed say what one run gave, not how far apart the implementations are: GAN runs of this "
                "length differ by seed about as much as by implementation (see the MNIST zoo above).", ""]
    out += cogan_quality_section()
    for m, caption in [("pixelda", "pixelda, the final picture of its seed-0 run above: MNIST test digits (top), their translations (middle), MNIST-M test images (bottom)"),
                       ("cogan", "cogan, the final picture of a 300-iteration run of ours: pairs of one noise vector, MNIST left, MNIST-M right")]:
        if os.path.exists(os.path.join(ROOT, "docs", "images", f"{m}.png")):
            out += [f"![{caption}](images/{m}.png)", "", caption + ".", ""]
    return out


def main():
    listing = subprocess.run([GAN, "list", "--markdown"], check=True, capture_output=True, text=True).stdout.strip()
    results = {}
    path = os.path.join(ROOT, "docs", "zoo_results.jsonl")
    if os.path.exists(path):
        # A model's latest run of ours, with the latest PyTorch run of the same length
        # (the two halves may have been run at different times).
        torch_runs = {}
        for line in open(path):
            r = json.loads(line)
            if "ours" in r:
                results[r["model"]] = dict(r)
            if "torch" in r:
                torch_runs[(r["model"], r["iterations"])] = (r["torch"], r.get("torch_seconds"))
        for m, r in results.items():
            if (m, r["iterations"]) in torch_runs:
                r["torch"], r["torch_seconds"] = torch_runs[(m, r["iterations"])]
    out = ["# The zoo", "",
           "Every model trains with its reference script's defaults (`gan list --defaults`): the MNIST "
           "zoo on the built-in MNIST, the image-to-image models on their datasets "
           "([DATA.md](DATA.md): `gan data fetch NAME`, or `--data-dir`). For the MNIST zoo "
           "what you see while it trains: a live progress line with the "
           "model's losses as the reference prints them, and every `--sample-interval` batches a grid in "
           "`runs/MODEL/images/` — 5x5 samples from fixed noise, or for conditional models a 10x10 grid "
           "with one row per class — plus `loss_curve.svg` and `metrics.jsonl`.", "",
           "## Models, papers, commands and defaults", "", listing, ""]
    out += ["## Trained at the defaults", "",
            "Seed 0; five epochs for the MLP models, one for the convolutional ones (938 iterations per "
            "epoch at batch 64). Scores from `gan eval` on 1,000 samples against the MNIST test set "
            "(lower Fréchet distance is better; real digits score about 10 at this sample size, see "
            "[EVALUATION.md](EVALUATION.md)). \"PyTorch\" is our PyTorch version of the same "
            "architecture (`Scripts/torch_zoo`), trained for the same number of iterations and scored the "
            "same way. Wall-clock times are for the whole run on this project's 2-core machine, with the "
            "load average at the end of the run beside them (the machine is shared).", "",
            "| model | iterations | wall-clock | load | peak RSS MB | FD ours / PyTorch | classifier score ours / PyTorch | coverage ours / PyTorch | label acc. | samples |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    rows = [[c.strip() for c in r.split("|")] for r in listing.splitlines()[2:]]
    order = [cells[1] for cells in rows]
    image_models = [cells[1] for cells in rows if cells[4] != "mnist"]
    for m in order:
        if m in image_models:
            continue
        r = results.get(m)
        if not r or "ours" not in r:
            out.append(f"| {m} | not yet run | | | | | | | | |")
            continue
        o, t = r["ours"], r.get("torch", {})
        def pair(key, fmt):
            a = fmt.format(o[key]) if key in o else "–"
            b = fmt.format(t[key]) if key in t else "–"
            return f"{a} / {b}"
        acc = f"{o['label_acc']:.3f}" if "label_acc" in o else ""
        if "label_acc_matched" in o and o["label_acc_matched"] - o.get("label_acc", 0) > 0.05:
            # Codes learnt without labels (infogan) name digits in an arbitrary order.
            acc += f" (matched: {o['label_acc_matched']:.3f})"
        out.append(f"| {m} | {r['iterations']} ({r['epochs']} ep.) | {r['seconds'] / 60:.1f} min | {r.get('load', '')} | "
                   f"{r.get('peak_memory') or ''} | {pair('fd', '{:.1f}')} | {pair('is', '{:.2f}')} | "
                   f"{pair('mode_coverage', '{}')} | {acc} | ![{m}](images/{m}.png) |")
    out += ["", "\"label acc.\" is the share of samples the classifier assigns to the class they were generated "
            "for; infogan's categorical code is learnt without labels, so its codes name digits in an "
            "arbitrary order and the matched figure (best one-to-one renaming) is the meaningful one. "
            "Our PyTorch version of ebgan collapsed on this seed (every sample the same blob: classifier "
            "score 1.00, one digit); ours did not. Our column was rerun on 2026-11-27, one run at a time "
            "(load about 1-2: the run itself), after that day's kernel changes; the PyTorch column is from "
            "the earlier runs of the same length, whose wall-clock times (not shown) were taken while "
            "other runs shared the two cores. PERFORMANCE.md has per-iteration times of both on a quiet "
            "machine."]
    out += [""] + seed_section(results)
    out += ["", "## Image-to-image models", "",
            "Each network's forward pass matches PyTorch-GAN's own `models.py` with the same weights "
            "(fixtures from `Scripts/make_*_parity.py`, which import the reference's code from a checkout): "
            "pix2pix, discogan and dualgan to 4.5e-6 or better, cyclegan to 1.6e-5, and pix2pix's first 20 training "
            "steps and cyclegan's first one give the reference's losses (tests `*ParityTests`, "
            "`CycleGANTests`, `DiscoGANTests`, `DualGANTests`). `gan eval RUN` scores a run on its "
            "dataset's test pairs (L1, PSNR, SSIM). Per batch, measured back to back with the reference scripts "
            "on an AMD EPYC Zen 4 (AVX-512): discogan runs 1.84x, cyclegan 1.78-1.94x and pix2pix 1.63-1.74x faster than its "
            "script, and dualgan (its critic's gradient penalty) 1.03x; on an Intel Xeon discogan 2.1x, pix2pix 1.56x, "
            "cyclegan 1.15x and dualgan 0.8-1.0x; on an AMD EPYC Zen 2 (AVX2, "
            "no AVX-512) discogan 1.70x, pix2pix 1.60x, cyclegan 1.51x and dualgan 1.21x; on an AMD EPYC Zen 1 (AVX2 "
            "on 128-bit units) discogan 1.84x, cyclegan 1.78x, pix2pix 1.66x and dualgan 1.28-1.36x (PERFORMANCE.md).", ""]
    out += translation_quality_section()
    out += multimodal_quality_section()
    out += ["", "## Inpainting and super-resolution", "",
            "ccgan's, context_encoder's, srgan's and esrgan's networks match PyTorch-GAN's own `models.py`, and the VGG19 "
            "feature layers torchvision's, with the same weights to 2.8e-6 or better, parameter counts and state-dict names "
            "equal (`InpaintingSRParityTests`, fixture from `Scripts/make_inpainting_sr_parity.py`); the first training "
            "iteration of context_encoder, srgan and esrgan (srgan and esrgan with the reference's choices) gives the "
            "losses of the reference scripts to 1e-4 (`RestorationStepParityTests`, `Scripts/make_restoration_step_parity.py`; "
            "ccgan's first step draws dropout masks, which two libraries do not draw alike).", "",
            "**Data.** The inpainting models train on CelebA (our copy: 10,000 aligned faces at 89x109) stretched to "
            "128x128 as the references' `Resize((128, 128))`, so the faces are upsampled; the last 1,000 faces are held "
            "out for pictures and `gan eval`. The super-resolution models train on random crops of natural photographs "
            "at their own resolution (`--dataset bsds500`, or `--data-dir` any folder of photos), 96 px for srgan and "
            "128 px for esrgan as their papers, and 4x smaller bicubic copies; they are scored on Set5 and Set14.", "",
            "**VGG19 weights.** srgan's and esrgan's perceptual losses need ImageNet-trained VGG19 weights, which this "
            "tool cannot download. Make a safetensors file of torchvision's with (Python, torch, torchvision and "
            "safetensors installed):", "",
            "```python",
            "import torchvision, safetensors.torch",
            "vgg = torchvision.models.vgg19(weights=\"IMAGENET1K_V1\")",
            "safetensors.torch.save_file({k: v for k, v in vgg.state_dict().items() if k.startswith(\"features.\")}, \"vgg19.safetensors\")",
            "```", "",
            "and train with `gan train srgan --vgg19 vgg19.safetensors` (the file keeps torchvision's names, "
            "`features.0.weight`, ...; a full state dict works too). Without it training stops before the first step "
            "and says so; `--content-loss pixel` trains without it (srgan: the paper's pixel MSE; esrgan: its L1 alone).", "",
            "**Using them.** `gan sample srgan --checkpoint RUN --input photo.png --out big.png` enlarges a whole image "
            "at its own resolution, in tiles of `--tile` input pixels (default 128: memory of one tile plus the 8-bit output); `gan sample context_encoder --checkpoint RUN --input "
            "face.jpg --mask x,y,w,h` fills a region (in pixels of the model's 128x128 input). `gan eval RUN` scores "
            "a super-resolution run on Set5 and Set14 (PSNR and SSIM on the Y channel, 4-pixel border cropped, next "
            "to bicubic; SSIM is scikit-image's 7x7 uniform window, not the Gaussian MATLAB one of most papers) and "
            "an inpainting run on its held-out faces (L1 and PSNR inside the centred hole, next to the mean face).", ""]
    out += inpainting_quality_section()
    out += domain_section()
    notes = differences()
    out += ["", "## Where a model differs from the reference, and why", ""]
    for m in order:
        if m in notes:
            out.append(f"- **{m}**: {notes[m]}")
    out.append("")
    with open(os.path.join(ROOT, "docs", "MODELS.md"), "w") as f:
        f.write("\n".join(out))
    print("wrote docs/MODELS.md with", len(results), "result rows")


if __name__ == "__main__":
    main()
