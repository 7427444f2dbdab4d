"""ebgan (Zhao et al., 2016): the same networks (lsgan's generator, an autoencoder with a
32-unit embedding as discriminator), MSE energies, hinge margin and pulling-away term as
SwiftGAN's EBGAN (the pulling-away term squares the cosine similarities, as the paper)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from zoo_dcgan import weights_init_normal
from zoo_lsgan import Generator

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=62, img_size=32, batch_size=64, lambda_pt=0.1)


class Discriminator(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.down = nn.Sequential(nn.Conv2d(1, 64, 3, 2, 1), nn.ReLU())
        self.down_size = opt["img_size"] // 2
        down_dim = 64 * self.down_size ** 2
        self.embedding = nn.Linear(down_dim, 32)
        self.fc = nn.Sequential(nn.BatchNorm1d(32, 0.8), nn.ReLU(inplace=True), nn.Linear(32, down_dim),
                                nn.BatchNorm1d(down_dim), nn.ReLU(inplace=True))
        self.up = nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(64, 1, 3, 1, 1))

    def forward(self, img):
        embedding = self.embedding(self.down(img).flatten(1))
        out = self.fc(embedding).view(img.shape[0], 64, self.down_size, self.down_size)
        return self.up(out), embedding


def pullaway_loss(e):
    s = e / e.norm(dim=1, keepdim=True)
    n = e.shape[0]
    return ((s @ s.t()) ** 2).sum().sub(n) / (n * (n - 1))


def build(opt):
    G, D = Generator(opt), Discriminator(opt)
    G.apply(weights_init_normal)
    D.apply(weights_init_normal)
    betas = (opt["b1"], opt["b2"])
    return dict(G=G, D=D, opt_G=torch.optim.Adam(G.parameters(), lr=opt["lr"], betas=betas),
                opt_D=torch.optim.Adam(D.parameters(), lr=opt["lr"], betas=betas))


def train_step(m, imgs, labels, opt):
    G, D = m["G"], m["D"]
    margin = max(1.0, opt["batch_size"] / 64.0)
    m["opt_G"].zero_grad()
    gen = G(torch.randn(imgs.shape[0], opt["latent_dim"]))
    recon, emb = D(gen)
    g_loss = F.mse_loss(recon, gen.detach()) + opt["lambda_pt"] * pullaway_loss(emb)
    g_loss.backward()
    m["opt_G"].step()
    m["opt_D"].zero_grad()
    fake = gen.detach()
    d_loss = F.mse_loss(D(imgs)[0], imgs) + torch.clamp(margin - F.mse_loss(D(fake)[0], fake), min=0)
    d_loss.backward()
    m["opt_D"].step()
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}


def sample(m, n, opt, labels=None):
    return m["G"](torch.randn(n, opt["latent_dim"]))
