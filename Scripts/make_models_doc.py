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
        name = re.search(r'ModelInfo\(name: "([a-z_]+)"', text)
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
    out = ["# The MNIST zoo", "",
           "Every model trains on the built-in MNIST with its reference script's defaults "
           "(`gan list --defaults`). What you see while it trains: a live progress line with the "
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
    order = [cells[1].strip() for cells in (r.split("|") for r in listing.splitlines()[2:])]
    for m in order:
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
    out += ["", "One seed per model, and at these lengths the seed moves the scores as much as the gaps between the two columns: "
            "wgan_gp trained with seeds 0, 1 and 2 scored FD 466, 477 and 417 here (the build of 2026-11-26; "
            "489 with seed 0 now) and 414, 409 and 454 in PyTorch (means 453 and 426, ranges overlapping), so a single-seed gap of ~50 is noise. "
            "Seeds 1 and 2 on 2026-11-27: wgan_div scored 380 and 394 here, 410 and 421 in PyTorch (three-seed means 401 and 402, "
            "the same); bgan, with seeds 1-4, scored 696, 728, 920 and 788 here and 622, 719, 770 and 772 in PyTorch (five-seed means "
            "785 and 715, PyTorch lower on every seed, and our runs cover fewer digits: a real gap, not yet explained; the two "
            "implementations use the same networks, losses, order of updates, initialisation and evaluation, and gan, which "
            "differs only in the generator's loss, scores better here; computing the sigmoid as torch does, 1 / (1 + exp(-x)) "
            "for negative x too, moved single runs a lot but not the mean: 814). "
            "\"label acc.\" is the share of samples the classifier assigns to the class they were generated "
            "for; infogan's categorical code is learnt without labels, so its codes name digits in an "
            "arbitrary order and the matched figure (best one-to-one renaming) is the meaningful one. "
            "Our PyTorch version of ebgan collapsed on this seed (every sample the same blob: classifier "
            "score 1.00, one digit); ours did not. Our column was rerun on 2026-11-27, one run at a time "
            "(load about 1-2: the run itself), after that day's kernel changes; the PyTorch column is from "
            "the earlier runs of the same length, whose wall-clock times (not shown) were taken while "
            "other runs shared the two cores. PERFORMANCE.md has per-iteration times of both on a quiet "
            "machine."]
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
