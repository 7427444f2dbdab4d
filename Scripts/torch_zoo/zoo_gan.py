"""gan (Goodfellow et al., 2014): the same MLP networks and update order as SwiftGAN's GAN."""
import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=100, img_size=28, batch_size=64)


def _block(i, o, normalize=True):
    layers = [nn.Linear(i, o)]
    if normalize:
        layers.append(nn.BatchNorm1d(o, 0.8))
    layers.append(nn.LeakyReLU(0.2, inplace=True))
    return layers


class Generator(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.shape = (1, opt["img_size"], opt["img_size"])
        self.model = nn.Sequential(*_block(opt["latent_dim"], 128, False), *_block(128, 256), *_block(256, 512),
                                   *_block(512, 1024), nn.Linear(1024, opt["img_size"] ** 2), nn.Tanh())

    def forward(self, z):
        return self.model(z).view(z.shape[0], *self.shape)


class Discriminator(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(opt["img_size"] ** 2, 512), nn.LeakyReLU(0.2, inplace=True),
                                   nn.Linear(512, 256), nn.LeakyReLU(0.2, inplace=True), nn.Linear(256, 1), nn.Sigmoid())

    def forward(self, img):
        return self.model(img.view(img.shape[0], -1))


def build(opt):
    G, D = Generator(opt), Discriminator(opt)
    betas = (opt["b1"], opt["b2"])
    return dict(G=G, D=D, opt_G=torch.optim.Adam(G.parameters(), lr=opt["lr"], betas=betas),
                opt_D=torch.optim.Adam(D.parameters(), lr=opt["lr"], betas=betas))


def train_step(m, imgs, labels, opt):
    G, D = m["G"], m["D"]
    n = imgs.shape[0]
    valid, fake = torch.ones(n, 1), torch.zeros(n, 1)
    m["opt_G"].zero_grad()
    gen = G(torch.randn(n, opt["latent_dim"]))
    g_loss = F.binary_cross_entropy(D(gen), valid)
    g_loss.backward()
    m["opt_G"].step()
    m["opt_D"].zero_grad()
    d_loss = (F.binary_cross_entropy(D(imgs), valid) + F.binary_cross_entropy(D(gen.detach()), fake)) / 2
    d_loss.backward()
    m["opt_D"].step()
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}


def sample(m, n, opt, labels=None):
    return m["G"](torch.randn(n, opt["latent_dim"]))
