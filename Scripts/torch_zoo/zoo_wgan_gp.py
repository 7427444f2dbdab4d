"""wgan_gp (Gulrajani et al., 2017): the same networks, Adam, gradient penalty (lambda 10)
and n_critic schedule as SwiftGAN's WGAN_GP. One train_step is one batch."""
import torch

from zoo_gan import Generator
from zoo_wgan import Critic

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=100, img_size=28, batch_size=64, n_critic=5,
                lambda_gp=10.0, cycle_is_n_critic=True)


def build(opt):
    G, D = Generator(opt), Critic(opt)
    betas = (opt["b1"], opt["b2"])
    return dict(G=G, D=D, opt_G=torch.optim.Adam(G.parameters(), lr=opt["lr"], betas=betas),
                opt_D=torch.optim.Adam(D.parameters(), lr=opt["lr"], betas=betas), step=0, g_loss=0.0)


def gradient_penalty(D, real, fake):
    alpha = torch.rand(real.shape[0], 1, 1, 1)
    x = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return ((grad.view(grad.shape[0], -1).norm(2, dim=1) - 1) ** 2).mean()


def train_step(m, imgs, labels, opt):
    G, D = m["G"], m["D"]
    z = torch.randn(imgs.shape[0], opt["latent_dim"])
    m["opt_D"].zero_grad()
    fake = G(z).detach()
    d_loss = -torch.mean(D(imgs)) + torch.mean(D(fake)) + opt["lambda_gp"] * gradient_penalty(D, imgs, fake)
    d_loss.backward()
    m["opt_D"].step()
    if m["step"] % opt["n_critic"] == 0:
        m["opt_G"].zero_grad()
        g_loss = -torch.mean(D(G(z)))
        g_loss.backward()
        m["opt_G"].step()
        m["g_loss"] = g_loss.item()
    m["step"] += 1
    return {"d_loss": d_loss.item(), "g_loss": m["g_loss"]}


def sample(m, n, opt, labels=None):
    return m["G"](torch.randn(n, opt["latent_dim"]))
