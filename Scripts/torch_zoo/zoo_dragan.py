"""dragan (Kodali et al., 2017): dcgan's networks, BCE losses and update order with DRAGAN's
gradient penalty around the real data, as SwiftGAN's DRAGAN: the discriminator learns from
its BCE loss plus the penalty, and the penalty takes the gradient's norm per image."""
import torch
import torch.nn.functional as F

from zoo_dcgan import Discriminator, Generator, build  # noqa: F401  (same networks and optimisers)

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=100, img_size=32, batch_size=64, lambda_gp=10.0)


def gradient_penalty(D, x, lambda_gp):
    alpha = torch.rand(x.shape)
    perturbed = x + 0.5 * x.std() * torch.rand(x.shape)
    interpolates = (alpha * x + (1 - alpha) * perturbed).requires_grad_(True)
    grad, = torch.autograd.grad(D(interpolates).sum(), interpolates, create_graph=True)
    return lambda_gp * ((grad.view(x.shape[0], -1).norm(2, dim=1) - 1) ** 2).mean()


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
    (d_loss + gradient_penalty(D, imgs, opt["lambda_gp"])).backward()
    m["opt_D"].step()
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}


def sample(m, n, opt, labels=None):
    return m["G"](torch.randn(n, opt["latent_dim"]))
