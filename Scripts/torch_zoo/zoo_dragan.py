"""dragan (Kodali et al., 2017): dcgan's networks, BCE losses and update order with DRAGAN's
gradient penalty around the real data, as SwiftGAN's DRAGAN: the discriminator learns from
its BCE loss plus the penalty, the penalty takes the gradient's norm per image, and it is
one-sided on D's pre-sigmoid score unless two_sided (the paper's form on D's output)."""
import torch
import torch.nn.functional as F

from zoo_dcgan import Discriminator, Generator, build  # noqa: F401  (same networks and optimisers)

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=100, img_size=32, batch_size=64, lambda_gp=10.0, two_sided=False)


def logits(D, x):
    """D's score before its final sigmoid."""
    return D.adv_layer[0](D.model(x).view(x.shape[0], -1))


def gradient_penalty(D, x, lambda_gp, two_sided):
    alpha = torch.rand(x.shape)
    perturbed = x + 0.5 * x.std() * torch.rand(x.shape)
    interpolates = (alpha * x + (1 - alpha) * perturbed).requires_grad_(True)
    score = D(interpolates) if two_sided else logits(D, interpolates)
    grad, = torch.autograd.grad(score.sum(), interpolates, create_graph=True)
    excess = grad.view(x.shape[0], -1).norm(2, dim=1) - 1
    return lambda_gp * ((excess if two_sided else F.relu(excess)) ** 2).mean()


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
    (d_loss + gradient_penalty(D, imgs, opt["lambda_gp"], opt["two_sided"])).backward()
    m["opt_D"].step()
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}


def sample(m, n, opt, labels=None):
    return m["G"](torch.randn(n, opt["latent_dim"]))
