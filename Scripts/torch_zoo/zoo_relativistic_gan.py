"""relativistic_gan (Jolicoeur-Martineau, 2018): dcgan's generator, dcgan's discriminator
without the sigmoid, and the relativistic (or, with rel_avg_gan, relativistic average)
losses for both networks, as SwiftGAN's RelativisticGAN. No weight re-initialisation."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from zoo_dcgan import Generator

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=100, img_size=32, batch_size=64, rel_avg_gan=False)


class Discriminator(nn.Module):
    def __init__(self, opt):
        super().__init__()

        def block(i, o, bn=True):
            b = [nn.Conv2d(i, o, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True), nn.Dropout2d(0.25)]
            return b + [nn.BatchNorm2d(o, 0.8)] if bn else b

        self.model = nn.Sequential(*block(1, 16, False), *block(16, 32), *block(32, 64), *block(64, 128))
        self.adv_layer = nn.Sequential(nn.Linear(128 * (opt["img_size"] // 16) ** 2, 1))

    def forward(self, img):
        return self.adv_layer(self.model(img).flatten(1))


def build(opt):
    G, D = Generator(opt), Discriminator(opt)
    betas = (opt["b1"], opt["b2"])
    return dict(G=G, D=D, opt_G=torch.optim.Adam(G.parameters(), lr=opt["lr"], betas=betas),
                opt_D=torch.optim.Adam(D.parameters(), lr=opt["lr"], betas=betas))


def relativistic_loss(real_pred, fake_pred, average, real_is_valid):
    """BCE with logits of real-vs-fake (or against the other side's mean) differences."""
    a, b = (real_pred, fake_pred) if real_is_valid else (fake_pred, real_pred)
    ones, zeros = torch.ones_like(a), torch.zeros_like(a)
    if average:
        return (F.binary_cross_entropy_with_logits(a - b.mean(0, keepdim=True), ones)
                + F.binary_cross_entropy_with_logits(b - a.mean(0, keepdim=True), zeros)) / 2
    return F.binary_cross_entropy_with_logits(a - b, ones)


def train_step(m, imgs, labels, opt):
    G, D = m["G"], m["D"]
    avg = opt["rel_avg_gan"]
    m["opt_G"].zero_grad()
    gen = G(torch.randn(imgs.shape[0], opt["latent_dim"]))
    real_pred = D(imgs).detach()
    g_loss = relativistic_loss(real_pred, D(gen), avg, real_is_valid=False)
    g_loss.backward()
    m["opt_G"].step()
    m["opt_D"].zero_grad()
    real_pred, fake_pred = D(imgs), D(gen.detach())
    d_loss = relativistic_loss(real_pred, fake_pred, avg, real_is_valid=True)
    d_loss.backward()
    m["opt_D"].step()
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}


def sample(m, n, opt, labels=None):
    return m["G"](torch.randn(n, opt["latent_dim"]))
