"""lsgan (Mao et al., 2016): the same networks, least-squares losses and update order as SwiftGAN's LSGAN."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from zoo_dcgan import weights_init_normal

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=100, img_size=32, batch_size=64)


class Generator(nn.Module):
    """dcgan's generator without the batch norm in front of the first upsampling."""

    def __init__(self, opt):
        super().__init__()
        self.init_size = opt["img_size"] // 4
        self.l1 = nn.Sequential(nn.Linear(opt["latent_dim"], 128 * self.init_size ** 2))
        self.conv_blocks = nn.Sequential(
            nn.Upsample(scale_factor=2), nn.Conv2d(128, 128, 3, 1, 1), nn.BatchNorm2d(128, 0.8),
            nn.LeakyReLU(0.2, inplace=True), nn.Upsample(scale_factor=2), nn.Conv2d(128, 64, 3, 1, 1),
            nn.BatchNorm2d(64, 0.8), nn.LeakyReLU(0.2, inplace=True), nn.Conv2d(64, 1, 3, 1, 1), nn.Tanh())

    def forward(self, z):
        return self.conv_blocks(self.l1(z).view(z.shape[0], 128, self.init_size, self.init_size))


class Discriminator(nn.Module):
    """dcgan's discriminator with a plain linear output (no sigmoid)."""

    def __init__(self, opt):
        super().__init__()

        def block(i, o, bn=True):
            b = [nn.Conv2d(i, o, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True), nn.Dropout2d(0.25)]
            return b + [nn.BatchNorm2d(o, 0.8)] if bn else b

        self.model = nn.Sequential(*block(1, 16, False), *block(16, 32), *block(32, 64), *block(64, 128))
        self.adv_layer = nn.Linear(128 * (opt["img_size"] // 16) ** 2, 1)

    def forward(self, img):
        return self.adv_layer(self.model(img).flatten(1))


def build(opt):
    G, D = Generator(opt), Discriminator(opt)
    G.apply(weights_init_normal)
    D.apply(weights_init_normal)
    betas = (opt["b1"], opt["b2"])
    return dict(G=G, D=D, opt_G=torch.optim.Adam(G.parameters(), lr=opt["lr"], betas=betas),
                opt_D=torch.optim.Adam(D.parameters(), lr=opt["lr"], betas=betas))


def train_step(m, imgs, labels, opt):
    G, D = m["G"], m["D"]
    n = imgs.shape[0]
    valid, fake = torch.ones(n, 1), torch.zeros(n, 1)
    m["opt_G"].zero_grad()
    gen = G(torch.randn(n, opt["latent_dim"]))
    g_loss = F.mse_loss(D(gen), valid)
    g_loss.backward()
    m["opt_G"].step()
    m["opt_D"].zero_grad()
    d_loss = 0.5 * (F.mse_loss(D(imgs), valid) + F.mse_loss(D(gen.detach()), fake))
    d_loss.backward()
    m["opt_D"].step()
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}


def sample(m, n, opt, labels=None):
    return m["G"](torch.randn(n, opt["latent_dim"]))
