"""clustergan (Mukherjee et al., 2018): the same networks, losses and update schedule as
SwiftGAN's ClusterGAN (the Wasserstein loss with gradient penalty by default, the standard
loss with wass=False; D scores the detached generated batch). Trains on images in [0, 1];
`labels` pick clusters; samples are mapped to [-1, 1]."""
import itertools

import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULTS = dict(lr=0.0001, b1=0.5, b2=0.9, latent_dim=30, img_size=28, batch_size=64, n_classes=10, n_critic=5,
                betan=10.0, betac=10.0, decay=2.5e-5, wass=True, lambda_gp=10.0)


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.shape[0], *self.shape)


def _init(net):
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0, 0.02)
            nn.init.zeros_(m.bias)


def _body():
    return [nn.Conv2d(1, 64, 4, 2), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2), nn.LeakyReLU(0.2), Reshape(128 * 25),
            nn.Linear(128 * 25, 1024), nn.LeakyReLU(0.2)]


class Generator(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.model = nn.Sequential(
            nn.Linear(opt["latent_dim"] + opt["n_classes"], 1024), nn.BatchNorm1d(1024), nn.LeakyReLU(0.2),
            nn.Linear(1024, 128 * 49), nn.BatchNorm1d(128 * 49), nn.LeakyReLU(0.2), Reshape(128, 7, 7),
            nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
            nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Sigmoid())
        _init(self)

    def forward(self, zn, zc):
        return self.model(torch.cat([zn, zc], 1))


class Encoder(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.latent_dim = opt["latent_dim"]
        self.model = nn.Sequential(*_body(), nn.Linear(1024, opt["latent_dim"] + opt["n_classes"]))
        _init(self)

    def forward(self, img):
        z = self.model(img)
        return z[:, :self.latent_dim], z[:, self.latent_dim:]


class Discriminator(nn.Module):
    def __init__(self, opt):
        super().__init__()
        body = nn.Sequential(*_body(), nn.Linear(1024, 1))
        self.model = body if opt["wass"] else nn.Sequential(body, nn.Sigmoid())
        _init(self)

    def forward(self, img):
        return self.model(img)


def build(opt):
    G, E, D = Generator(opt), Encoder(opt), Discriminator(opt)
    betas = (opt["b1"], opt["b2"])
    return dict(G=G, E=E, D=D, step=0, ge_loss=0.0,
                opt_GE=torch.optim.Adam(itertools.chain(G.parameters(), E.parameters()), lr=opt["lr"], betas=betas,
                                        weight_decay=opt["decay"]),
                opt_D=torch.optim.Adam(D.parameters(), lr=opt["lr"], betas=betas))


def gradient_penalty(D, real, gen, lambda_gp):
    alpha = torch.rand(real.shape[0], 1, 1, 1)
    x = (alpha * real + (1 - alpha) * gen).requires_grad_(True)
    grad, = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    norm = (grad.view(real.shape[0], -1).pow(2).sum(1) + 1e-12).sqrt()
    return lambda_gp * ((norm - 1) ** 2).mean()


def train_step(m, imgs, labels, opt):
    G, E, D = m["G"], m["E"], m["D"]
    n = imgs.shape[0]
    real = (imgs + 1) / 2
    valid, fake = torch.ones(n, 1), torch.zeros(n, 1)
    zn = 0.75 * torch.randn(n, opt["latent_dim"])
    idx = torch.randint(0, opt["n_classes"], (n,))
    gen = G(zn, F.one_hot(idx, opt["n_classes"]).float())
    if m["step"] % opt["n_critic"] == 0:
        m["opt_GE"].zero_grad()
        enc_zn, enc_logits = E(gen)
        for p in D.parameters():
            p.requires_grad_(False)
        adversarial = D(gen).mean() if opt["wass"] else F.binary_cross_entropy(D(gen), valid)
        ge_loss = adversarial + opt["betan"] * F.mse_loss(enc_zn, zn) + opt["betac"] * F.cross_entropy(enc_logits, idx)
        ge_loss.backward()
        for p in D.parameters():
            p.requires_grad_(True)
        m["opt_GE"].step()
        m["ge_loss"] = ge_loss.item()
    m["step"] += 1
    m["opt_D"].zero_grad()
    if opt["wass"]:
        d_loss = D(real).mean() - D(gen.detach()).mean() + gradient_penalty(D, real, gen.detach(), opt["lambda_gp"])
    else:
        d_loss = (F.binary_cross_entropy(D(real), valid) + F.binary_cross_entropy(D(gen.detach()), fake)) / 2
    d_loss.backward()
    m["opt_D"].step()
    return {"d_loss": d_loss.item(), "ge_loss": m["ge_loss"]}


def sample(m, n, opt, labels=None):
    if labels is None:
        labels = torch.randint(0, opt["n_classes"], (n,))
    zn = 0.75 * torch.randn(n, opt["latent_dim"])
    return m["G"](zn, F.one_hot(labels, opt["n_classes"]).float()) * 2 - 1
