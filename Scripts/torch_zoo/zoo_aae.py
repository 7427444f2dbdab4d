"""aae (Makhzani et al., 2015): the same encoder, decoder, latent discriminator and update
order as SwiftGAN's AAE."""
import itertools

import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=10, img_size=32, batch_size=64)


class Encoder(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(opt["img_size"] ** 2, 512), nn.LeakyReLU(0.2, inplace=True),
                                   nn.Linear(512, 512), nn.BatchNorm1d(512), nn.LeakyReLU(0.2, inplace=True))
        self.mu = nn.Linear(512, opt["latent_dim"])
        self.logvar = nn.Linear(512, opt["latent_dim"])

    def forward(self, img):
        x = self.model(img.flatten(1))
        mu, logvar = self.mu(x), self.logvar(x)
        return torch.randn_like(mu) * torch.exp(logvar / 2) + mu


class Decoder(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.shape = (1, opt["img_size"], opt["img_size"])
        self.model = nn.Sequential(nn.Linear(opt["latent_dim"], 512), nn.LeakyReLU(0.2, inplace=True),
                                   nn.Linear(512, 512), nn.BatchNorm1d(512), nn.LeakyReLU(0.2, inplace=True),
                                   nn.Linear(512, opt["img_size"] ** 2), nn.Tanh())

    def forward(self, z):
        return self.model(z).view(z.shape[0], *self.shape)


class Discriminator(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(opt["latent_dim"], 512), nn.LeakyReLU(0.2, inplace=True),
                                   nn.Linear(512, 256), nn.LeakyReLU(0.2, inplace=True), nn.Linear(256, 1), nn.Sigmoid())

    def forward(self, z):
        return self.model(z)


def build(opt):
    E, G, D = Encoder(opt), Decoder(opt), Discriminator(opt)
    betas = (opt["b1"], opt["b2"])
    return dict(E=E, G=G, D=D,
                opt_G=torch.optim.Adam(itertools.chain(E.parameters(), G.parameters()), lr=opt["lr"], betas=betas),
                opt_D=torch.optim.Adam(D.parameters(), lr=opt["lr"], betas=betas))


def train_step(m, imgs, labels, opt):
    E, G, D = m["E"], m["G"], m["D"]
    n = imgs.shape[0]
    valid, fake = torch.ones(n, 1), torch.zeros(n, 1)
    m["opt_G"].zero_grad()
    encoded = E(imgs)
    g_loss = 0.001 * F.binary_cross_entropy(D(encoded), valid) + 0.999 * F.l1_loss(G(encoded), imgs)
    g_loss.backward()
    m["opt_G"].step()
    m["opt_D"].zero_grad()
    z = torch.randn(n, opt["latent_dim"])
    d_loss = 0.5 * (F.binary_cross_entropy(D(z), valid) + F.binary_cross_entropy(D(encoded.detach()), fake))
    d_loss.backward()
    m["opt_D"].step()
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}


def sample(m, n, opt, labels=None):
    return m["G"](torch.randn(n, opt["latent_dim"]))
