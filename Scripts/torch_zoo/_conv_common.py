"""The DCGAN-style bodies shared by our acgan, sgan and infogan versions (as SwiftGAN's
upsamplingConvBlocks / downsamplingConvBlocks)."""
import torch.nn as nn


def weights_init_normal(m):
    if isinstance(m, nn.Conv2d):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def upsampling_blocks():
    return nn.Sequential(
        nn.BatchNorm2d(128), nn.Upsample(scale_factor=2), nn.Conv2d(128, 128, 3, 1, 1), nn.BatchNorm2d(128, 0.8),
        nn.LeakyReLU(0.2, inplace=True), nn.Upsample(scale_factor=2), nn.Conv2d(128, 64, 3, 1, 1),
        nn.BatchNorm2d(64, 0.8), nn.LeakyReLU(0.2, inplace=True), nn.Conv2d(64, 1, 3, 1, 1), nn.Tanh())


def downsampling_blocks():
    def block(i, o, bn=True):
        b = [nn.Conv2d(i, o, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True), nn.Dropout2d(0.25)]
        return b + [nn.BatchNorm2d(o, 0.8)] if bn else b

    return nn.Sequential(*block(1, 16, False), *block(16, 32), *block(32, 64), *block(64, 128))
