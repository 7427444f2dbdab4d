"""PyTorch-GAN's own networks, for parity fixtures: imports implementations/NAME/models.py
from a checkout of github.com/eriklindernoren/PyTorch-GAN (never copied into this repository).

The checkout is found in $PYTORCH_GAN, or given to `load`. Example:

    from reference_models import load
    models = load("cyclegan")
    G = models.GeneratorResNet((3, 64, 64), 9)
"""
import importlib.util
import os
import sys

DEFAULT_CHECKOUT = "/work/.mirror/eriklindernoren+PyTorch-GAN/checkout"


def checkout(path=None):
    """The folder holding implementations/ (a plain checkout of the reference)."""
    root = path or os.environ.get("PYTORCH_GAN") or DEFAULT_CHECKOUT
    if not os.path.isdir(os.path.join(root, "implementations")):
        sys.exit(f"no PyTorch-GAN checkout at {root}: set PYTORCH_GAN to a clone of eriklindernoren/PyTorch-GAN")
    return root


def load(name, path=None):
    """The module implementations/NAME/models.py of the reference, imported as it is."""
    file = os.path.join(checkout(path), "implementations", name, "models.py")
    spec = importlib.util.spec_from_file_location(f"pytorch_gan_{name}_models", file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_script(name, path=None, **options):
    """The classes and functions of implementations/NAME/NAME.py, for the models whose script
    defines its networks inline (pixelda, cogan). Only the script's class and function
    definitions are executed (not its argument parsing, data loading or training), with
    `opt` holding `options` as the script's parsed arguments would. Example:

        ref = load_script("pixelda", latent_dim=10, channels=3, img_size=32, n_residual_blocks=6, n_classes=10)
        G = ref.Generator()
    """
    import argparse
    import ast
    import types

    import numpy
    import torch

    file = os.path.join(checkout(path), "implementations", name, f"{name}.py")
    with open(file) as f:
        tree = ast.parse(f.read(), file)
    definitions = [node for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))]
    namespace = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "np": numpy,
                 "opt": argparse.Namespace(**options)}
    exec(compile(ast.Module(body=definitions, type_ignores=[]), file, "exec"), namespace)
    return types.SimpleNamespace(**namespace)
