#!/usr/bin/env python3
"""The step-time model of docs/DISTRIBUTED.md: K machines data-parallel, gradients averaged
by ring all-reduce, computed per step taken from the measured iteration times in
docs/image_zoo_results.jsonl. Prints the markdown tables the document shows.

Model (per step, per rank batch b):
  compute      t_c(b) = b * t_1            (measured t_1 per image at batch 1; forward ~1/3,
                                            backward ~2/3 of it, as for convolutional nets)
  all-reduce   t_ar   = 2 (K-1)/K * S / W  + 2 (K-1) * n_buckets * alpha
               S = 4 bytes x parameters, W = link bandwidth, alpha = 25 us per message,
               n_buckets = ceil(S / 25 MB)
  step, no overlap:           t_step = t_c + t_ar
  step, overlapped as DDP does (buckets start during backward; the last bucket's
  all-reduce cannot start before backward ends):
               t_step = t_c/3 + max(2 t_c/3 + t_ar / n_buckets, t_ar)
  efficiency   E = t_c / t_step ; throughput = K b / t_step
Rows "10x faster compute" divide t_1 by 10: a node ten times faster than this 2-core one,
where communication starts to show.
"""
import json, math, os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARAMETERS = {"pix2pix": 57e6, "cyclegan": 28e6, "esrgan": 43e6}
ALPHA = 25e-6
LINKS = {"10 Gb/s": 10e9 / 8, "100 Gb/s": 100e9 / 8}
KS = [2, 4, 8, 16, 32, 64]


def measured_seconds_per_image():
    """Median over the records of our own side, per image, by model (esrgan's, measured for
    this projection, is in distributed_results.jsonl)."""
    seen = {}
    lines = [l for f in ("image_zoo_results.jsonl", "distributed_results.jsonl") for l in open(os.path.join(ROOT, "docs", f))]
    for line in lines:
        r = json.loads(line)
        if r.get("model") not in PARAMETERS or r.get("side", "ours") != "ours":
            continue
        seconds = r.get("s_per_iteration") or (r["ms_per_iter"] / 1000 if "ms_per_iter" in r else None)
        if seconds and r.get("batch_size"):
            seen.setdefault(r["model"], []).append(seconds / r["batch_size"])
    return {m: sorted(v)[len(v) // 2] for m, v in seen.items()}


def step(t_c, parameters, k, bandwidth):
    """(no-overlap step, overlapped step, all-reduce time)."""
    size = 4 * parameters
    buckets = math.ceil(size / (25 * 2**20))
    t_ar = 2 * (k - 1) / k * size / bandwidth + 2 * (k - 1) * buckets * ALPHA
    return t_c + t_ar, t_c / 3 + max(2 * t_c / 3 + t_ar / buckets, t_ar), t_ar


def main():
    per_image = measured_seconds_per_image()
    print("Cells: scaling efficiency without overlap / with DDP's overlap (all-reduce time).")
    for model, params in PARAMETERS.items():
        t1 = per_image.get(model)
        if t1 is None:
            print(f"\n{model}: no measured iteration time in docs/*_results.jsonl; not projected.")
            continue
        print(f"\n**{model}** ({params / 1e6:.0f}M parameters, {4 * params / 2**20:.0f} MB of gradients; "
              f"measured {t1:.3f} s per image on one 2-core machine)\n")
        print("| compute | per-rank batch | link | " + " | ".join(f"K={k}" for k in KS) + " |")
        print("|---|---|---|" + "---|" * len(KS))
        for speed, label in ((1, "measured"), (10, "10x faster")):
            for b in (1, 4, 16):
                for name, bw in LINKS.items():
                    cells = []
                    for k in KS:
                        t_c = b * t1 / speed
                        plain, overlapped, t_ar = step(t_c, params, k, bw)
                        cells.append(f"{t_c / plain:.0%} / {t_c / overlapped:.0%} ({t_ar * 1000:.0f} ms)")
                    print(f"| {label} | {b} | {name} | " + " | ".join(cells) + " |")

    summary(per_image)


def summary(per_image):
    """Where each model stops scaling: the first K at which efficiency with overlap falls
    below 50% at per-rank batch 1, and the smallest per-rank batch (of 1, 2, 4, ..., 64)
    that keeps 90% at K = 64, on nodes 1x, 10x and 100x as fast as the measured one."""
    print("\nWhere scaling stops (with overlap): first K below 50% efficiency at per-rank batch 1 /"
          " smallest per-rank batch keeping 90% at K=64.\n")
    print("| model | node | " + " | ".join(LINKS) + " |")
    print("|---|---|" + "---|" * len(LINKS))
    for model, params in PARAMETERS.items():
        t1 = per_image.get(model)
        if t1 is None:
            continue
        for speed in (1, 10, 100):
            cells = []
            for bw in LINKS.values():
                eff = lambda b, k: b * t1 / speed / step(b * t1 / speed, params, k, bw)[1]
                stop = next((k for k in range(2, 65) if eff(1, k) < 0.5), None)
                batch = next((b for b in (1, 2, 4, 8, 16, 32, 64) if eff(b, 64) >= 0.9), None)
                cells.append(f"{'K=' + str(stop) if stop else 'not within 64'} / "
                             f"{'batch ' + str(batch) if batch else 'more than 64'}")
            label = "measured" if speed == 1 else f"{speed}x faster"
            print(f"| {model} | {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
