"""sgan (Odena, 2016): the same networks and update order as SwiftGAN's SGAN (cross-entropy
on the logits of the n_classes + 1 head, not on a softmax as the reference)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from _conv_common import downsampling_blocks, upsampling_blocks, weights_init_normal

DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=100, img_size=32, batch_size=64, n_classes=10)


class Generator(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.init_size = opt["img_size"] // 4
        self.label_emb = nn.Embedding(opt["n_classes"], opt["latent_dim"])  # unused, as the reference
        self.label_emb.weight.requires_grad_(False)
        self.l1 = nn.Sequential(nn.Linear(opt["latent_dim"], 128 * self.init_size ** 2))
        self.conv_blocks = upsampling_blocks()

    def forward(self, z):
        return self.conv_blocks(self.l1(z).view(z.shape[0], 128, self.init_size, self.init_size))


class Discriminator(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.conv_blocks = downsampling_blocks()
        f = 128 * (opt["img_size"] // 16) ** 2
        self.adv_layer = nn.Sequential(nn.Linear(f, 1), nn.Sigmoid())
        self.aux_layer = nn.Sequential(nn.Linear(f, opt["n_classes"] + 1), nn.Softmax(dim=1))

    def forward(self, img):
        out = self.conv_blocks(img).flatten(1)
        return self.adv_layer(out), self.aux_layer[0](out)


def build(opt):
    G, D = Generator(opt), Discriminator(opt)
    G.apply(weights_init_normal)
    D.apply(weights_init_normal)
    betas = (opt["b1"], opt["b2"])
    return dict(G=G, D=D, opt_G=torch.optim.Adam([p for p in G.parameters() if p.requires_grad], lr=opt["lr"], betas=betas),
                opt_D=torch.optim.Adam(D.parameters(), lr=opt["lr"], betas=betas))


def train_step(m, imgs, labels, opt):
    G, D = m["G"], m["D"]
    n = imgs.shape[0]
    valid, fake = torch.ones(n, 1), torch.zeros(n, 1)
    fake_class = torch.full((n,), opt["n_classes"], dtype=torch.long)
    m["opt_G"].zero_grad()
    gen = G(torch.randn(n, opt["latent_dim"]))
    g_loss = F.binary_cross_entropy(D(gen)[0], valid)
    g_loss.backward()
    m["opt_G"].step()
    m["opt_D"].zero_grad()
    real_pred, real_aux = D(imgs)
    fake_pred, fake_aux = D(gen.detach())
    d_real = (F.binary_cross_entropy(real_pred, valid) + F.cross_entropy(real_aux, labels)) / 2
    d_fake = (F.binary_cross_entropy(fake_pred, fake) + F.cross_entropy(fake_aux, fake_class)) / 2
    d_loss = (d_real + d_fake) / 2
    d_loss.backward()
    m["opt_D"].step()
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}


def sample(m, n, opt, labels=None):
    return m["G"](torch.randn(n, opt["latent_dim"]))
