"""A scratch folder in which PyTorch-GAN's scripts run unchanged on this project's data:
`data/NAME` (the path the reference's scripts read, from implementations/MODEL/) holds links
to a local dataset's splits, and a sitecustomize makes torchvision importable.

torchvision: only its PyPI wheel (built for CUDA) installs here, and its compiled ops do not
load beside torch's CPU build. The scripts use none of them (transforms, datasets and
save_image are Python), but importing torchvision registers fake kernels for two detection
ops, so the sitecustomize declares those two schemas first.
"""
import os
import subprocess
import sys

TORCHVISION_OPS = """import torch
_torchvision_ops = torch.library.Library("torchvision", "DEF")
for _op in ("nms", "qnms"):
    _torchvision_ops.define(_op + "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
"""

# ccgan.py applies `weights_init_normal` without defining or importing it (the reference's
# issue #159) and stops at once; the N(0, 0.02) initialisation of its sibling scripts, made
# a builtin, lets it run unchanged.
CCGAN_INIT = """import builtins
def _normal_init(module):
    kind = type(module).__name__
    if "Conv" in kind:
        torch.nn.init.normal_(module.weight.data, 0.0, 0.02)
    elif "BatchNorm2d" in kind:
        torch.nn.init.normal_(module.weight.data, 1.0, 0.02)
        torch.nn.init.constant_(module.bias.data, 0.0)
builtins.weights_init_normal = _normal_init
"""

# bicyclegan's models.py sizes an AvgPool2d with a global `in_channels` that nothing defines (the
# reference's issue #105) and stops at once; the intended value, 3, made a builtin, lets it run.
BICYCLEGAN_IN_CHANNELS = """import builtins
builtins.in_channels = 3
"""

# cogan.py imports the reference's mnistm.py (beside it, so first on the path), which downloads
# a pickle of another MNIST-M. This stand-in, put in sys.modules by the sitecustomize before
# the script starts, reads the IDX files `gan data mnistm` writes from the same root (link
# them with --data mnistm=FOLDER) and hands out (PIL RGB image, label) as the original does.
MNISTM_STAND_IN = """import gzip, os
import numpy as np
import torch.utils.data
from PIL import Image


def _idx(root, name):
    path = os.path.join(root, name)
    path = path if os.path.exists(path) else path + ".gz"
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    dims = [int.from_bytes(data[4 + 4 * k: 8 + 4 * k], "big") for k in range(data[3])]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * data[3]).reshape(dims)


class MNISTM(torch.utils.data.Dataset):
    def __init__(self, root, mnist_root="data", train=True, transform=None, target_transform=None, download=False):
        prefix = "train" if train else "t10k"
        self.images = _idx(root, prefix + "-images-idx4-ubyte")
        self.labels = _idx(root, prefix + "-labels-idx1-ubyte")
        self.transform, self.target_transform = transform, target_transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        img, target = Image.fromarray(self.images[index], mode="RGB"), int(self.labels[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target
"""


# srgan.py and esrgan.py build torchvision's vgg19(pretrained=True), which fetches ImageNet weights
# into torch's hub cache, and these machines are offline. A cache holding random weights under the
# file name torchvision looks for lets the scripts run, for timing only: their perceptual loss needs
# the real weights for anything else.
VGG19_CACHE_FILE = "vgg19-dcbb9e9d.pth"


def random_vgg19_cache(scratch):
    """A TORCH_HOME in `scratch` whose hub cache holds a VGG19 state dict of random weights."""
    checkpoints = os.path.join(scratch, "torch_home", "hub", "checkpoints")
    os.makedirs(checkpoints)
    code = TORCHVISION_OPS + ("import sys, torchvision\ntorch.manual_seed(0)\n"
                              "torch.save(torchvision.models.vgg19().state_dict(), sys.argv[1])\n")
    subprocess.run([sys.executable, "-c", code, os.path.join(checkpoints, VGG19_CACHE_FILE)], check=True)
    return os.path.join(scratch, "torch_home")


def split_pairs(folder, target, splits=None):
    """Each split's A|B images as two folders of halves, A (left) and B (right)."""
    from PIL import Image
    for split in sorted(os.listdir(folder)):
        source = os.path.join(folder, split)
        if not os.path.isdir(source) or (splits is not None and split not in splits):
            continue
        for half in "AB":
            os.makedirs(os.path.join(target, split, half))
        for file in sorted(os.listdir(source)):
            with Image.open(os.path.join(source, file)) as image:
                w, h = image.size
                image.crop((0, 0, w // 2, h)).save(os.path.join(target, split, "A", file))
                image.crop((w // 2, 0, w, h)).save(os.path.join(target, split, "B", file))


def prepare(scratch, model, data=(), aliases=(), unpaired=(), splits=None, files=()):
    """Lays out `scratch` for implementations/MODEL/MODEL.py and returns the folder to run it
    in. data: NAME=FOLDER specs linked as data/NAME; aliases: NEW=OLD, a split also linked
    under another name (facades has no val/: val=test); unpaired: NAME=FOLDER of A|B pairs
    split into data/NAME/SPLIT/A and B; splits: the only splits to expose (None: all);
    files: NAME=FILE, a file also linked into data/NAME (stargan's attribute list beside its faces)."""
    work = os.path.join(scratch, "implementations", model)
    os.makedirs(work)
    os.makedirs(os.path.join(scratch, "data"))
    for spec in data:
        name, folder = spec.split("=", 1)
        target = os.path.join(scratch, "data", name)
        os.makedirs(target)
        for entry in os.listdir(folder):
            if splits is None or entry in splits:
                os.symlink(os.path.abspath(os.path.join(folder, entry)), os.path.join(target, entry))
        for alias in aliases:
            new, old = alias.split("=", 1)
            if os.path.exists(os.path.join(folder, old)) and not os.path.exists(os.path.join(target, new)):
                os.symlink(os.path.abspath(os.path.join(folder, old)), os.path.join(target, new))
    for spec in unpaired:
        name, folder = spec.split("=", 1)
        split_pairs(folder, os.path.join(scratch, "data", name), splits)
    for spec in files:
        name, file = spec.split("=", 1)
        os.symlink(os.path.abspath(file), os.path.join(scratch, "data", name, os.path.basename(file)))
    with open(os.path.join(scratch, "sitecustomize.py"), "w") as f:
        f.write(TORCHVISION_OPS)
        if model == "ccgan":
            f.write(CCGAN_INIT)
        if model == "bicyclegan":
            f.write(BICYCLEGAN_IN_CHANNELS)
        if model in ("srgan", "esrgan"):
            f.write(f"import os as _os\n_os.environ['TORCH_HOME'] = {random_vgg19_cache(scratch)!r}\n")
        if model == "cogan":
            f.write("import sys as _sys, types as _types\n_mnistm = _types.ModuleType('mnistm')\n"
                    f"exec({MNISTM_STAND_IN!r}, _mnistm.__dict__)\n_sys.modules['mnistm'] = _mnistm\n")
    return work
