"""Fixture for Tests/EvaluationTests/ImageSimilarityTests.swift: L1, PSNR and SSIM of real
image pairs computed by scikit-image (`structural_similarity` with its defaults and
channel_axis for colour, `peak_signal_noise_ratio`), data range 1.

Pairs are crops of facades test images (/work/shared/data/facades/test/*.jpg, photo and
label-map halves): photo vs its label map, photo vs a noisy copy, photo vs a blurred copy,
in colour and in gray, at odd sizes. Images are stored as uint8 (base64, NCHW); scikit-image
is given them as float32 u / 255 widened to float64, exactly the values the Swift test
feeds in, so agreement is limited by arithmetic order alone.

    python3 Scripts/make_similarity_fixtures.py   # writes Tests/EvaluationTests/Fixtures/image_similarity.json

Needs numpy, Pillow and scikit-image (not dependencies of the package).
"""
import base64
import json
import os

import numpy as np
from PIL import Image, ImageFilter
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "/work/shared/data/facades/test"
OUT = os.path.join(HERE, "..", "Tests", "EvaluationTests", "Fixtures", "image_similarity.json")


def halves(index):
    im = Image.open(os.path.join(DATA, f"{index}.jpg")).convert("RGB")
    w, h = im.size
    return im.crop((0, 0, w // 2, h)), im.crop((w // 2, 0, w, h))


def crop(im, left, top, width, height):
    return im.crop((left, top, left + width, top + height))


def noisy(im, sigma, rng):
    a = np.asarray(im).astype(np.float64) + rng.normal(0, sigma, np.asarray(im).shape)
    return Image.fromarray(np.clip(np.rint(a), 0, 255).astype(np.uint8))


def as_float(u8):
    """What the Swift test builds: float32 u / 255, then widened."""
    return (u8.astype(np.float32) / np.float32(255)).astype(np.float64)


def scores(a_u8, b_u8):
    """a, b: uint8 [C, H, W]."""
    a, b = as_float(a_u8), as_float(b_u8)
    kw = {"channel_axis": 0} if a.shape[0] > 1 else {}
    sa, sb = (a, b) if a.shape[0] > 1 else (a[0], b[0])
    return {
        "l1": float(np.mean(np.abs(a - b))),
        "psnr": float(peak_signal_noise_ratio(a, b, data_range=1)),
        "ssim": float(structural_similarity(sa, sb, data_range=1, **kw)),
    }


def batch(pairs, gray):
    def chw(im):
        im = im.convert("L") if gray else im
        a = np.asarray(im, dtype=np.uint8)
        return a[None] if gray else a.transpose(2, 0, 1)

    a = np.stack([chw(p[0]) for p in pairs])
    b = np.stack([chw(p[1]) for p in pairs])
    return {
        "shape": list(a.shape),
        "a": base64.b64encode(np.ascontiguousarray(a).tobytes()).decode(),
        "b": base64.b64encode(np.ascontiguousarray(b).tobytes()).decode(),
        "expected": [scores(x, y) for x, y in zip(a, b)],
    }


def main():
    rng = np.random.default_rng(0)
    photo1, labels1 = halves(1)
    photo2, labels2 = halves(17)
    photo3, _ = halves(42)
    # Colour, 37 x 45 (odd both ways).
    c1 = crop(photo1, 50, 60, 45, 37)
    c2 = crop(photo2, 101, 33, 45, 37)
    c3 = crop(photo3, 7, 150, 45, 37)
    colour = [
        (c1, crop(labels1, 50, 60, 45, 37)),                       # photo vs its label map
        (c2, noisy(c2, 12, rng)),                                  # mild noise
        (c3, c3.filter(ImageFilter.GaussianBlur(1.2))),            # blur
    ]
    # Gray, 31 x 23, and the smallest size the window allows (7 x 9).
    g1 = crop(photo1, 120, 10, 23, 31)
    g2 = crop(photo2, 30, 190, 23, 31)
    gray = [(g1, noisy(g1, 30, rng)), (g2, crop(labels2, 30, 190, 23, 31))]
    g3 = crop(photo3, 200, 200, 9, 7)
    tiny = [(g3, g3.filter(ImageFilter.GaussianBlur(0.8)))]
    import skimage

    fixture = {"scikit_image": skimage.__version__, "colour": batch(colour, False), "gray": batch(gray, True), "tiny": batch(tiny, True)}
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1)
    for k, v in fixture.items():
        if k == "scikit_image":
            continue
        print(k, v["shape"], [{m: round(s, 5) for m, s in e.items()} for e in v["expected"]])


if __name__ == "__main__":
    main()
