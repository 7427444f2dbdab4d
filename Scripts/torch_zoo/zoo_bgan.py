"""bgan (Hjelm et al., 2017): gan's networks and update order with the boundary-seeking
generator loss, as SwiftGAN's BGAN."""
import torch
import torch.nn.functional as F

from zoo_gan import Discriminator, Generator, build  # noqa: F401  (same networks and optimisers)

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=100, img_size=28, batch_size=64)


def train_step(m, imgs, labels, opt):
    G, D = m["G"], m["D"]
    n = imgs.shape[0]
    valid, fake = torch.ones(n, 1), torch.zeros(n, 1)
    m["opt_G"].zero_grad()
    gen = G(torch.randn(n, opt["latent_dim"]))
    p = D(gen)
    g_loss = 0.5 * torch.mean((torch.log(p) - torch.log(1 - p)) ** 2)
    g_loss.backward()
    m["opt_G"].step()
    m["opt_D"].zero_grad()
    d_loss = (F.binary_cross_entropy(D(imgs), valid) + F.binary_cross_entropy(D(gen.detach()), fake)) / 2
    d_loss.backward()
    m["opt_D"].step()
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}


def sample(m, n, opt, labels=None):
    return m["G"](torch.randn(n, opt["latent_dim"]))
