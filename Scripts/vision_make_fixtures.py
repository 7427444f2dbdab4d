#!/usr/bin/env python3
"""Writes the reference files that Tests/VisionTests compares against.

Needs Pillow, NumPy and torch (pip install pillow numpy torch==2.13.0+cpu) and, for the grid
references, torchvision (pip install torchvision==0.28.0 --no-deps): its utils.py is loaded
straight from its file, so its compiled ops need not match torch. Without it the grid
references are left as they are. Run from the repository root:
    python3 Scripts/vision_make_fixtures.py
"""
import importlib.util
import os
import sys

import numpy as np
from PIL import Image

OUT = os.path.join("Tests", "VisionTests", "Fixtures")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20261126)


def raw(name, image):
    """The decoded pixels as raw bytes (H, W, C interleaved), as Pillow holds them."""
    np.asarray(image).astype(np.uint8).tofile(os.path.join(OUT, name))


def smooth_rgb(w, h):
    """A photo-like test pattern: gradients, a disc, an edge and some noise."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255 * x / max(w - 1, 1)
    g = 255 * y / max(h - 1, 1)
    b = 255 * (((x - w / 2) ** 2 + (y - h / 3) ** 2) < (min(w, h) / 3) ** 2)
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, 20, (h, w, 3))
    img[:, w // 2:, 1] = 255 - img[:, w // 2:, 1]  # a hard edge, where filters ring
    return np.clip(img, 0, 255).astype(np.uint8)


# Resize references: Pillow's bilinear and bicubic, shrinking, enlarging, and mixed.
src = Image.fromarray(smooth_rgb(37, 29), "RGB")
src.save(os.path.join(OUT, "resize_source.png"))
for filt_name, filt in [("bilinear", Image.BILINEAR), ("bicubic", Image.BICUBIC)]:
    for tag, size in [("down", (16, 11)), ("up", (61, 47)), ("mixed", (20, 40))]:
        src.resize(size, filt).save(os.path.join(OUT, f"resize_{filt_name}_{tag}.png"))
        src.convert("L").resize(size, filt).save(os.path.join(OUT, f"resize_gray_{filt_name}_{tag}.png"))
src.convert("L").save(os.path.join(OUT, "resize_source_gray.png"))

# PNG colour types, with the pixels Pillow decodes (palette expanded to RGB).
base = Image.fromarray(smooth_rgb(13, 7), "RGB")
alpha = Image.fromarray(rng.integers(0, 256, (7, 13), dtype=np.uint8), "L")
gray = base.convert("L")
la = Image.merge("LA", (gray, alpha))
rgba = base.copy()
rgba.putalpha(alpha)
palette = base.quantize(colors=16)
for name, img in [("gray", gray), ("gray_alpha", la), ("rgb", base), ("rgba", rgba), ("palette", palette)]:
    img.save(os.path.join(OUT, f"png_{name}.png"))
    raw(f"png_{name}.raw", img.convert("RGB") if name == "palette" else img)

# Less common PNGs: palette with a transparent entry (tRNS), 16-bit gray (v * 257, so the
# high byte is v), and 1-bit gray.
palette.save(os.path.join(OUT, "png_palette_trns.png"), transparency=0)
raw("png_palette_trns.raw", Image.open(os.path.join(OUT, "png_palette_trns.png")).convert("RGBA"))
Image.fromarray(np.asarray(gray).astype(np.uint16) * 257).save(os.path.join(OUT, "png_gray16.png"))
raw("png_gray16.raw", gray)
bits = gray.point(lambda v: 255 if v > 127 else 0).convert("1")
bits.save(os.path.join(OUT, "png_gray1.png"))
raw("png_gray1.raw", bits.convert("L"))

# JPEG: baseline and progressive, colour and gray, with Pillow's decoded pixels.
photo = Image.fromarray(smooth_rgb(40, 24), "RGB")
for name, img, progressive in [("rgb_baseline", photo, False), ("rgb_progressive", photo, True),
                               ("gray_baseline", photo.convert("L"), False),
                               ("gray_progressive", photo.convert("L"), True)]:
    path = os.path.join(OUT, f"jpeg_{name}.jpg")
    img.save(path, quality=90, progressive=progressive)
    raw(f"jpeg_{name}.raw", Image.open(path))
photo.convert("CMYK").save(os.path.join(OUT, "jpeg_cmyk.jpg"), quality=90)  # Adobe, inverted
raw("jpeg_cmyk.raw", Image.open(os.path.join(OUT, "jpeg_cmyk.jpg")).convert("RGB"))

# .npy written by NumPy, for byte-for-byte comparison with the Swift writer.
np.save(os.path.join(OUT, "npy_2x3.npy"), np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5)
np.save(os.path.join(OUT, "npy_5.npy"), np.array([1.5, -2, 0, 3.25, 1e-3], dtype=np.float32))
np.save(os.path.join(OUT, "npy_scalar.npy"), np.array(7.0, dtype=np.float32))

# Sample grids with torchvision's own save_image (utils.py loaded from its file).
try:
    import torch
    import torchvision
    path = os.path.join(os.path.dirname(torchvision.__file__), "utils.py")
except Exception:  # torchvision's package import fails without its compiled ops; find it
    import site
    import torch
    path = None
    for d in site.getsitepackages():
        candidate = os.path.join(d, "torchvision", "utils.py")
        if os.path.exists(candidate):
            path = candidate
if path is None:
    sys.exit("torchvision not found: grid fixtures not regenerated")
spec = importlib.util.spec_from_file_location("tv_utils", path)
tv = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tv)
torch.manual_seed(0)
cases = {
    "grid_normalized": (torch.randn(5, 1, 6, 7), dict(nrow=3, normalize=True)),
    "grid_plain": (torch.rand(3, 3, 4, 5) * 1.4 - 0.2, dict(nrow=2, padding=1)),
    "grid_default": (torch.rand(10, 3, 3, 3), dict()),
    "grid_single": (torch.randn(1, 1, 5, 4), dict(normalize=True)),
}
for name, (batch, options) in cases.items():
    np.save(os.path.join(OUT, f"{name}_input.npy"), batch.numpy())
    tv.save_image(batch, os.path.join(OUT, f"{name}.png"), **options)
print("fixtures written to", OUT)
