"""infogan (Chen et al., 2016): the same networks, losses and three updates per batch (G, D,
information) as SwiftGAN's InfoGAN (categorical loss on logits, not on a softmax as the
reference). `labels` set the categorical code; the continuous code is drawn U(-1, 1)."""
import itertools

import torch
import torch.nn as nn
import torch.nn.functional as F

from _conv_common import downsampling_blocks, upsampling_blocks, weights_init_normal

CONDITIONAL = True
DEFAULTS = dict(lr=0.0002, b1=0.5, b2=0.999, latent_dim=62, code_dim=2, img_size=32, batch_size=64, n_classes=10,
                lambda_cat=1.0, lambda_con=0.1)


class Generator(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.init_size = opt["img_size"] // 4
        self.l1 = nn.Sequential(nn.Linear(opt["latent_dim"] + opt["n_classes"] + opt["code_dim"], 128 * self.init_size ** 2))
        self.conv_blocks = upsampling_blocks()

    def forward(self, z, labels, code):
        out = self.l1(torch.cat([z, labels, code], 1))
        return self.conv_blocks(out.view(z.shape[0], 128, self.init_size, self.init_size))


class Discriminator(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.conv_blocks = downsampling_blocks()
        f = 128 * (opt["img_size"] // 16) ** 2
        self.adv_layer = nn.Sequential(nn.Linear(f, 1))
        self.aux_layer = nn.Sequential(nn.Linear(f, opt["n_classes"]), nn.Softmax(dim=1))
        self.latent_layer = nn.Sequential(nn.Linear(f, opt["code_dim"]))

    def forward(self, img):
        out = self.conv_blocks(img).flatten(1)
        return self.adv_layer(out), self.aux_layer[0](out), self.latent_layer(out)


def build(opt):
    G, D = Generator(opt), Discriminator(opt)
    G.apply(weights_init_normal)
    D.apply(weights_init_normal)
    betas = (opt["b1"], opt["b2"])
    return dict(G=G, D=D, opt_G=torch.optim.Adam(G.parameters(), lr=opt["lr"], betas=betas),
                opt_D=torch.optim.Adam(D.parameters(), lr=opt["lr"], betas=betas),
                opt_info=torch.optim.Adam(itertools.chain(G.parameters(), D.parameters()), lr=opt["lr"], betas=betas))


def _inputs(n, opt):
    labels = torch.randint(0, opt["n_classes"], (n,))
    return (torch.randn(n, opt["latent_dim"]), labels, F.one_hot(labels, opt["n_classes"]).float(),
            torch.rand(n, opt["code_dim"]) * 2 - 1)


def train_step(m, imgs, labels, opt):
    G, D = m["G"], m["D"]
    n = imgs.shape[0]
    valid, fake = torch.ones(n, 1), torch.zeros(n, 1)
    m["opt_G"].zero_grad()
    z, _, onehot, code = _inputs(n, opt)
    gen = G(z, onehot, code)
    g_loss = F.mse_loss(D(gen)[0], valid)
    g_loss.backward()
    m["opt_G"].step()
    m["opt_D"].zero_grad()
    d_loss = (F.mse_loss(D(imgs)[0], valid) + F.mse_loss(D(gen.detach())[0], fake)) / 2
    d_loss.backward()
    m["opt_D"].step()
    m["opt_info"].zero_grad()
    z, idx, onehot, code = _inputs(n, opt)
    _, logits, pred_code = D(G(z, onehot, code))
    info_loss = opt["lambda_cat"] * F.cross_entropy(logits, idx) + opt["lambda_con"] * F.mse_loss(pred_code, code)
    info_loss.backward()
    m["opt_info"].step()
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item(), "info_loss": info_loss.item()}


def sample(m, n, opt, labels=None):
    if labels is None:
        labels = torch.randint(0, opt["n_classes"], (n,))
    code = torch.rand(n, opt["code_dim"]) * 2 - 1
    return m["G"](torch.randn(n, opt["latent_dim"]), F.one_hot(labels, opt["n_classes"]).float(), code)
