"""wgan_div (Wu et al., 2018): the same networks, Adam, W-div penalty (k 2, p 6) on real and
generated images and n_critic schedule as SwiftGAN's WGAN_div. One train_step is one batch."""
import torch

from zoo_gan import Generator
from zoo_wgan import Critic

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=100, img_size=28, batch_size=64, n_critic=5,
                k=2.0, p=6.0, cycle_is_n_critic=True)


def build(opt):
    G, D = Generator(opt), Critic(opt)
    betas = (opt["b1"], opt["b2"])
    return dict(G=G, D=D, opt_G=torch.optim.Adam(G.parameters(), lr=opt["lr"], betas=betas),
                opt_D=torch.optim.Adam(D.parameters(), lr=opt["lr"], betas=betas), step=0, g_loss=0.0)


def train_step(m, imgs, labels, opt):
    G, D = m["G"], m["D"]
    z = torch.randn(imgs.shape[0], opt["latent_dim"])
    m["opt_D"].zero_grad()
    real = imgs.clone().requires_grad_(True)
    fake = G(z).detach().requires_grad_(True)
    real_validity, fake_validity = D(real), D(fake)
    real_grad, = torch.autograd.grad(real_validity.sum(), real, create_graph=True)
    fake_grad, = torch.autograd.grad(fake_validity.sum(), fake, create_graph=True)
    real_norm = real_grad.view(real.shape[0], -1).pow(2).sum(1) ** (opt["p"] / 2)
    fake_norm = fake_grad.view(fake.shape[0], -1).pow(2).sum(1) ** (opt["p"] / 2)
    div_gp = torch.mean(real_norm + fake_norm) * opt["k"] / 2
    d_loss = -torch.mean(real_validity) + torch.mean(fake_validity) + div_gp
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
