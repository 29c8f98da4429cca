#!/usr/bin/python3
"""Reference fixtures for gomlx_models/gaf (test-only; never needed to build or run the project).

An independent, tiny PyTorch GAF module at feature level, written here from the paper
(../shared/papers/gaf.txt: Eq. 11 pooling, Eq. 12 L_clf, Eqs. 5-9 CVAE, Eq. 15 L_R) and, for the
CVAE's loss and prior, from the authors' detection code (Generative-Feature-Model/GAF @ adf91d1,
GAF/thumos14/multisegment_loss.py:8-29 and BDNet.py:683-691): nn.Linear layers, run in float64
(dropout off), stored as float32. For each case it writes <case>.npz with the inputs ("in:*"),
the forward values ("out:*"), every weight ("w:<scope>:<name>", PyTorch matrices transposed to
GoMLX's [in, out]) and the gradients ("g:<scope>:<name>", "g:x") of
  segment step: mean_b L_clf (Eq. 12) + wR * L_R (Eq. 15), w.r.t. the lambda head, the classifier
                and x (the CVAE frozen, as in step 2 of Fig. 2),
  frame step:   L_CVAE (Eq. 7) at the lambda of the forward pass (detached), w.r.t. the CVAE.

Run: /usr/bin/python3 gen_fixtures.py   (Debian python3-torch; written with torch 1.13.0a0, numpy 1.24.2)
"""
import numpy as np
import torch
from torch import nn

torch.set_default_dtype(torch.float64)

B, T, D, H, C, Z, K = 3, 5, 6, 4, 5, 3, 4  # videos, steps, feature, lambda hidden, CVAE hidden, latent, classes
POOL_EPS = 1e-6
CASES = {"eq12": dict(bg=1.0, beta=0.1, wr=0.25), "bg35": dict(bg=35.0, beta=0.5, wr=0.5)}


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.lam_hidden, self.lam_out = nn.Linear(D, H), nn.Linear(H, 1)
        self.clf = nn.Linear(D, K + 1)
        self.enc_theta, self.enc_fc = nn.Linear(D, C), nn.Linear(C + 1, C)
        self.enc_mu, self.enc_logvar = nn.Linear(C, Z), nn.Linear(C, Z)
        self.dec_fc, self.dec_theta_prime = nn.Linear(Z + 1, C), nn.Linear(C, D)

    def named(self):
        return [("/lambda/hidden/dense", self.lam_hidden), ("/lambda/out/dense", self.lam_out), ("/classifier/dense", self.clf),
                ("/cvae/encoder/theta/dense", self.enc_theta), ("/cvae/encoder/fc/dense", self.enc_fc),
                ("/cvae/encoder/mu/dense", self.enc_mu), ("/cvae/encoder/logvar/dense", self.enc_logvar),
                ("/cvae/decoder/fc/dense", self.dec_fc), ("/cvae/decoder/theta_prime/dense", self.dec_theta_prime)]

    def lam(self, x):
        return torch.sigmoid(self.lam_out(torch.relu(self.lam_hidden(x))).squeeze(-1))

    def encode(self, f, lam):
        h = torch.relu(self.enc_theta(f))
        h = torch.relu(self.enc_fc(torch.cat([h, lam[..., None]], -1)))
        return self.enc_mu(h), self.enc_logvar(h)

    def decode(self, z, lam):
        return self.dec_theta_prime(torch.relu(self.dec_fc(torch.cat([z, lam[..., None]], -1))))


def pool(x, w):
    return (x * w[..., None]).sum(1) / (w.sum(1) + POOL_EPS)[:, None]


def masked_mean(v, w):
    return (v * w).sum() / w.sum()


def make(name, bg, beta, wr, seed):
    torch.manual_seed(seed)
    m = Tiny()
    with torch.no_grad():
        for _, lin in m.named():
            lin.weight.normal_(0, 0.6)
            lin.bias.normal_(0, 0.3)
    x = torch.randn(B, T, D, requires_grad=True)
    mask = torch.ones(B, T)
    mask[1, 3:] = 0
    mask[2, 4:] = 0
    labels = torch.tensor([2, 4, 1])  # 1..K, 0 is background
    eps_q = torch.randn(B * T, Z)
    eps_p = torch.randn(B * T, Z)

    # Segment step (Fig. 2, step 2): L_clf (Eq. 12) + wr * L_R (Eq. 15), CVAE frozen.
    lam = m.lam(x)
    fai, fnai = pool(x, lam * mask), pool(x, (1 - lam) * mask)
    la, ln = m.clf(fai), m.clf(fnai)
    clf = -torch.log_softmax(la, -1).gather(1, labels[:, None]).squeeze(1) - bg * torch.log_softmax(ln, -1)[:, 0]
    xf, lf, wf = x.reshape(B * T, D), lam.reshape(B * T), mask.reshape(B * T)
    fhat_p = m.decode(lf[:, None] + eps_p, lf)  # z = lambda + eps (BDNet.py:683-691)
    recon = masked_mean(((xf - fhat_p) ** 2).mean(-1), wf)
    seg = clf.mean() + wr * recon
    seg_params = [p for s, lin in m.named() if not s.startswith("/cvae") for p in (lin.weight, lin.bias)]
    seg_grads = torch.autograd.grad(seg, seg_params + [x])

    # Frame step (Fig. 2, step 1): L_CVAE (Eq. 7) at the detached lambda.
    ld = lf.detach()
    xd = xf.detach()
    mu, logvar = m.encode(xd, ld)
    z = mu + torch.exp(0.5 * logvar) * eps_q
    fhat = m.decode(z, ld)
    mse = masked_mean(((xd - fhat) ** 2).mean(-1), wf)
    kl = masked_mean(-0.5 * (1 + logvar - (mu - ld[:, None]) ** 2 - logvar.exp()).mean(-1), wf)
    cvae = mse + beta * kl
    cvae_params = [p for s, lin in m.named() if s.startswith("/cvae") for p in (lin.weight, lin.bias)]
    cvae_grads = torch.autograd.grad(cvae, cvae_params)

    out = {"in:x": x, "in:mask": mask, "in:labels": labels, "in:eps_q": eps_q, "in:eps_p": eps_p,
           "cfg:bg": torch.tensor(bg), "cfg:beta": torch.tensor(beta), "cfg:wr": torch.tensor(wr),
           "out:lambda": lam, "out:fai": fai, "out:fnai": fnai, "out:logits_ai": la, "out:logits_nai": ln,
           "out:clf": clf, "out:recon": recon, "out:seg": seg, "out:mu": mu, "out:logvar": logvar,
           "out:fhat": fhat, "out:mse": mse, "out:kl": kl, "out:cvae": cvae}
    gi = iter(list(seg_grads[:-1]) + list(cvae_grads))
    for s, lin in m.named():
        out[f"w:{s}:weights"] = lin.weight.T
        out[f"w:{s}:biases"] = lin.bias
        out[f"g:{s}:weights"] = next(gi).T
        out[f"g:{s}:biases"] = next(gi)
    out["g:x"] = seg_grads[-1]
    arrays = {}
    for k, v in out.items():
        a = v.detach().numpy()
        arrays[k] = a.astype(np.int32) if k == "in:labels" else a.astype(np.float32)
    np.savez(f"{name}.npz", **dict(sorted(arrays.items())))


if __name__ == "__main__":
    for i, (name, c) in enumerate(sorted(CASES.items())):
        make(name, c["bg"], c["beta"], c["wr"], seed=100 + i)
