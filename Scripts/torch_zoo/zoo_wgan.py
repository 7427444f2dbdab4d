"""wgan (Arjovsky et al., 2017): the same networks, RMSprop, weight clipping and n_critic
schedule as SwiftGAN's WGAN. One train_step is one batch: the critic learns on every batch,
the generator on every n_critic-th."""
import torch
import torch.nn as nn

from zoo_gan import Generator

DEFAULTS = dict(lr=0.00005, latent_dim=100, img_size=28, batch_size=64, n_critic=5, clip_value=0.01,
                cycle_is_n_critic=True)


class Critic(nn.Module):
    """gan's discriminator without the sigmoid: an unbounded score."""

    def __init__(self, opt):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(opt["img_size"] ** 2, 512), nn.LeakyReLU(0.2, inplace=True),
                                   nn.Linear(512, 256), nn.LeakyReLU(0.2, inplace=True), nn.Linear(256, 1))

    def forward(self, img):
        return self.model(img.view(img.shape[0], -1))


def build(opt):
    G, D = Generator(opt), Critic(opt)
    return dict(G=G, D=D, opt_G=torch.optim.RMSprop(G.parameters(), lr=opt["lr"]),
                opt_D=torch.optim.RMSprop(D.parameters(), lr=opt["lr"]), step=0, g_loss=0.0)


def train_step(m, imgs, labels, opt):
    G, D = m["G"], m["D"]
    z = torch.randn(imgs.shape[0], opt["latent_dim"])
    m["opt_D"].zero_grad()
    d_loss = -torch.mean(D(imgs)) + torch.mean(D(G(z).detach()))
    d_loss.backward()
    m["opt_D"].step()
    with torch.no_grad():
        for p in D.parameters():
            p.clamp_(-opt["clip_value"], opt["clip_value"])
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
