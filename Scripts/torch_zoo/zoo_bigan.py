"""bigan (Donahue et al., 2016; layers of Keras-GAN's bigan): the same networks and update
order as SwiftGAN's BiGAN: D first, then encoder and generator jointly against D."""
import itertools

import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=100, img_size=28, batch_size=32)


def _dense(i, o):  # Keras Dense: Glorot-uniform weights, zero bias
    layer = nn.Linear(i, o)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def _bn(n):  # Keras BatchNormalization(momentum=0.8)
    return nn.BatchNorm1d(n, eps=1e-3, momentum=0.2)


class Encoder(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.model = nn.Sequential(_dense(opt["img_size"] ** 2, 512), nn.LeakyReLU(0.2), _bn(512),
                                   _dense(512, 512), nn.LeakyReLU(0.2), _bn(512), _dense(512, opt["latent_dim"]))

    def forward(self, img):
        return self.model(img.flatten(1))


class Generator(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.shape = (1, opt["img_size"], opt["img_size"])
        self.model = nn.Sequential(_dense(opt["latent_dim"], 512), nn.LeakyReLU(0.2), _bn(512),
                                   _dense(512, 512), nn.LeakyReLU(0.2), _bn(512),
                                   _dense(512, opt["img_size"] ** 2), nn.Tanh())

    def forward(self, z):
        return self.model(z).view(z.shape[0], *self.shape)


class Discriminator(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.model = nn.Sequential(
            _dense(opt["latent_dim"] + opt["img_size"] ** 2, 1024), nn.LeakyReLU(0.2), nn.Dropout(0.5),
            _dense(1024, 1024), nn.LeakyReLU(0.2), nn.Dropout(0.5),
            _dense(1024, 1024), nn.LeakyReLU(0.2), nn.Dropout(0.5), _dense(1024, 1), nn.Sigmoid())

    def forward(self, z, img):
        return self.model(torch.cat([z, img.flatten(1)], 1))


def build(opt):
    E, G, D = Encoder(opt), Generator(opt), Discriminator(opt)
    betas = (opt["b1"], opt["b2"])
    return dict(E=E, G=G, D=D, opt_D=torch.optim.Adam(D.parameters(), lr=opt["lr"], betas=betas),
                opt_GE=torch.optim.Adam(itertools.chain(G.parameters(), E.parameters()), lr=opt["lr"], betas=betas))


def train_step(m, imgs, labels, opt):
    E, G, D = m["E"], m["G"], m["D"]
    n = imgs.shape[0]
    valid, fake = torch.ones(n, 1), torch.zeros(n, 1)
    z = torch.randn(n, opt["latent_dim"])
    gen, enc = G(z), E(imgs)
    m["opt_D"].zero_grad()
    d_loss = 0.5 * (F.binary_cross_entropy(D(enc.detach(), imgs), valid) + F.binary_cross_entropy(D(z, gen.detach()), fake))
    d_loss.backward()
    m["opt_D"].step()
    m["opt_GE"].zero_grad()
    for p in D.parameters():
        p.requires_grad_(False)
    g_loss = F.binary_cross_entropy(D(z, gen), valid) + F.binary_cross_entropy(D(enc, imgs), fake)
    g_loss.backward()
    for p in D.parameters():
        p.requires_grad_(True)
    m["opt_GE"].step()
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}


def sample(m, n, opt, labels=None):
    return m["G"](torch.randn(n, opt["latent_dim"]))
