"""began (Berthelot et al., 2017): the same networks (dcgan's generator, an autoencoder as
discriminator), L1 reconstruction losses and equilibrium term k as SwiftGAN's BEGAN."""
import torch
import torch.nn as nn

from zoo_dcgan import Generator, weights_init_normal

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=62, img_size=32, batch_size=64, gamma=0.75, lambda_k=0.001)


class Discriminator(nn.Module):
    """Conv down to half size, a 32-unit bottleneck, nearest upsampling and a conv back."""

    def __init__(self, opt):
        super().__init__()
        self.down = nn.Sequential(nn.Conv2d(1, 64, 3, 2, 1), nn.ReLU())
        self.down_size = opt["img_size"] // 2
        down_dim = 64 * self.down_size ** 2
        self.fc = nn.Sequential(nn.Linear(down_dim, 32), nn.BatchNorm1d(32, 0.8), nn.ReLU(inplace=True),
                                nn.Linear(32, down_dim), nn.BatchNorm1d(down_dim), nn.ReLU(inplace=True))
        self.up = nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(64, 1, 3, 1, 1))

    def forward(self, img):
        out = self.fc(self.down(img).flatten(1))
        return self.up(out.view(img.shape[0], 64, self.down_size, self.down_size))


def build(opt):
    G, D = Generator(opt), Discriminator(opt)
    G.apply(weights_init_normal)
    D.apply(weights_init_normal)
    betas = (opt["b1"], opt["b2"])
    return dict(G=G, D=D, opt_G=torch.optim.Adam(G.parameters(), lr=opt["lr"], betas=betas),
                opt_D=torch.optim.Adam(D.parameters(), lr=opt["lr"], betas=betas), k=0.0)


def train_step(m, imgs, labels, opt):
    G, D = m["G"], m["D"]
    m["opt_G"].zero_grad()
    gen = G(torch.randn(imgs.shape[0], opt["latent_dim"]))
    g_loss = torch.mean(torch.abs(D(gen) - gen))
    g_loss.backward()
    m["opt_G"].step()
    m["opt_D"].zero_grad()
    fake = gen.detach()
    d_loss_real = torch.mean(torch.abs(D(imgs) - imgs))
    d_loss_fake = torch.mean(torch.abs(D(fake) - fake))
    d_loss = d_loss_real - m["k"] * d_loss_fake
    d_loss.backward()
    m["opt_D"].step()
    diff = (opt["gamma"] * d_loss_real - d_loss_fake).item()
    m["k"] = min(max(m["k"] + opt["lambda_k"] * diff, 0.0), 1.0)
    M = d_loss_real.item() + abs(diff)
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item(), "M": M, "k": m["k"]}


def sample(m, n, opt, labels=None):
    return m["G"](torch.randn(n, opt["latent_dim"]))
