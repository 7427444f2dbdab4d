"""softmax_gan (Lin, 2017): gan's generator and an unbounded MLP critic with the Softmax GAN
losses, as SwiftGAN's SoftmaxGAN: the discriminator steps on its loss (generated images
detached), then the generator steps on its loss through the updated discriminator."""
import torch

from zoo_gan import Generator
from zoo_wgan import Critic

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=100, img_size=28, batch_size=64)


def build(opt):
    G, D = Generator(opt), Critic(opt)
    betas = (opt["b1"], opt["b2"])
    return dict(G=G, D=D, opt_G=torch.optim.Adam(G.parameters(), lr=opt["lr"], betas=betas),
                opt_D=torch.optim.Adam(D.parameters(), lr=opt["lr"], betas=betas))


def losses(d_real, d_fake, n):
    log_z = torch.log(torch.sum(torch.exp(-d_real)) + torch.sum(torch.exp(-d_fake)) + 1e-8)
    return torch.sum(d_real) / n + log_z, (torch.sum(d_real) + torch.sum(d_fake)) / (2 * n) + log_z


def train_step(m, imgs, labels, opt):
    G, D = m["G"], m["D"]
    n = imgs.shape[0]
    gen = G(torch.randn(n, opt["latent_dim"]))
    m["opt_D"].zero_grad()
    d_loss, _ = losses(D(imgs), D(gen.detach()), n)
    d_loss.backward()
    m["opt_D"].step()
    m["opt_G"].zero_grad()
    _, g_loss = losses(D(imgs), D(gen), n)
    g_loss.backward()
    m["opt_G"].step()
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}


def sample(m, n, opt, labels=None):
    return m["G"](torch.randn(n, opt["latent_dim"]))
