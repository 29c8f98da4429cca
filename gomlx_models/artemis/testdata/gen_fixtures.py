#!/usr/bin/python3
"""Reference fixtures for gomlx_models/artemis (test-only; never needed to build or run the project).

An independent, tiny PyTorch ARTEMIS, written here from the paper (../shared/papers/artemis.txt) and the
authors' code (edofazza/ARTEMIS @ a1ec8b6, artemis_code/models/artemis.py and artemis_contrastive.py),
built from PyTorch's own modules (nn.Linear, nn.LSTM, nn.GRU, nn.Conv1d, nn.Transformer,
nn.TransformerEncoderLayer), run in float64 in eval mode (dropout off). For each case it writes
<case>.npz with the inputs, the logits, each loss, the weights "w" and the gradients "g" of the total
loss (and "ga" of the alignment loss alone) w.r.t. every weight, flat, in the order that cases.json
lists them (named by the Go model's variables "scope|name", PyTorch matrices transposed to GoMLX's
[in, out]); cases.json also gives each case's Go config. Also cca_*.npz: the authors' CCALoss (torch.svd on the inverses) on random features, with
gradients.

Run: /usr/bin/python3 gen_fixtures.py   (Debian python3-torch; written with torch 1.13.0a0)
"""
import json
import math

import numpy as np
import torch
from torch import nn

torch.set_default_dtype(torch.float32)

# Tiny sizes: B clips, N video tokens of width D, E embed, K classes, t pooled tokens, image width FD.
B, N, D, E, K, T_TOK, FD, HEADS, FF = 5, 6, 10, 8, 5, 4, 7, 2, 16


class TinyARTEMIS(nn.Module):
    """The authors' ARTEMIS (fusion 'normal') at tiny sizes, plus the paper's one-layer fusion."""

    def __init__(self, text, res, fusion, enc, dec, across_batch):
        super().__init__()
        self.text, self.res, self.fusion, self.across_batch = text, res, fusion, across_batch
        self.linear1 = nn.Linear(D + E, E, bias=False)            # Eq. 4, no bias
        if text == "bilstm":
            self.rnn = nn.LSTM(E, E // 2, num_layers=1, bidirectional=True)
        elif text == "gru":
            self.rnn = nn.GRU(E, E // 2, num_layers=1, bidirectional=True)
        elif text == "conv":
            self.conv = nn.Conv1d(1, 1, kernel_size=3, padding=1)
        if res["Backbone"]:
            self.res_backbone = nn.Linear(D, E)
        if res["F"]:
            self.res_image = nn.Linear(FD, E)
        if res["Hv"]:
            self.res_hv = nn.Linear(T_TOK, K)                      # W_j over the token axis, with bias
        self.linear2 = nn.Linear(E + FD, E, bias=False)            # Eq. 11, no bias
        self.query_embed = nn.Parameter(torch.randn(K, E))
        if fusion == "code":
            self.transformer = nn.Transformer(d_model=E, nhead=HEADS, num_encoder_layers=enc,
                                              num_decoder_layers=dec, dim_feedforward=FF, batch_first=True)
        else:
            self.enc_layer = nn.TransformerEncoderLayer(d_model=E, nhead=HEADS, dim_feedforward=FF, batch_first=True)
        self.head_W = nn.Parameter(torch.empty(K, E).uniform_(-1 / math.sqrt(E), 1 / math.sqrt(E)))
        self.head_b = nn.Parameter(torch.empty(K).uniform_(-1 / math.sqrt(E), 1 / math.sqrt(E)))

    def forward(self, video, image, desc):
        b = desc.shape[0]
        s = desc
        if self.text in ("bilstm", "gru"):
            if self.across_batch:
                s = self.rnn(s.unsqueeze(1))[0].squeeze(1)         # the code: (B,1,E), not batch_first
            else:
                s = self.rnn(s.unsqueeze(0))[0].squeeze(0)         # per clip: B sequences of length 1
        elif self.text == "conv":
            s = self.conv(s.unsqueeze(1)).squeeze(1)
        pooled = nn.functional.adaptive_avg_pool1d(video.transpose(1, 2), T_TOK).transpose(1, 2)
        srep = s.unsqueeze(1).expand(-1, T_TOK, -1)
        x = self.linear1(torch.cat((pooled, srep), dim=-1))
        if self.res["Backbone"]:
            x = x + nn.functional.adaptive_avg_pool1d(self.res_backbone(video).transpose(1, 2), T_TOK).transpose(1, 2)
        if self.res["Seq"]:
            x = x + srep                                           # the code adds S'
        pe = torch.zeros(T_TOK, E, dtype=x.dtype)
        pos = torch.arange(T_TOK, dtype=x.dtype).unsqueeze(1)
        div = torch.exp(torch.arange(0, E, 2, dtype=x.dtype) * (-math.log(10000.0) / E))
        pe[:, 0::2], pe[:, 1::2] = torch.sin(pos * div), torch.cos(pos * div)
        x = x + pe                                                 # (dropout: eval mode)
        fb1k = None
        if self.res["Hv"]:
            fb1k = self.res_hv(x.transpose(1, 2)).transpose(1, 2)
        fr = image.unsqueeze(1).expand(-1, K, -1)
        q = self.linear2(torch.cat((self.query_embed.unsqueeze(0).expand(b, -1, -1), fr), dim=2))
        if self.res["F"]:
            q = q + self.res_image(fr)
        if self.fusion == "code":
            hs = self.transformer(x, q)
        else:
            hs = self.enc_layer(torch.cat((x, q), dim=1))[:, T_TOK:]
        if self.res["Hv"]:
            hs = hs + fb1k
        if self.res["Hq"]:
            hs = hs + q
        logits = (self.head_W.unsqueeze(0) * hs).sum(-1) + self.head_b
        return logits, x, q, fb1k


def contrastive_code(f1, f2, y):
    d = nn.functional.pairwise_distance(f1, f2)                    # ||f1 - f2 + 1e-6||, [B, K]
    return torch.mean((1 - y) * d.pow(2) + y * torch.clamp(1.0 - d, min=0.0).pow(2))


def cosine_code(f1, f2):
    return torch.mean(1 - nn.CosineSimilarity(dim=1)(f1, f2))


def cca_code(h1, h2, r=1e-4):
    """The authors' CCALoss: mean over dim 1, centre, covariances + r I, svd(inv(S11) S12 inv(S22))."""
    if h1.dim() == 3:
        h1, h2 = h1.mean(dim=1), h2.mean(dim=1)
    h1 = h1 - h1.mean(dim=0, keepdim=True)
    h2 = h2 - h2.mean(dim=0, keepdim=True)
    n = h1.shape[0]
    s11 = h1.T @ h1 / (n - 1) + r * torch.eye(h1.shape[1], dtype=h1.dtype)
    s22 = h2.T @ h2 / (n - 1) + r * torch.eye(h2.shape[1], dtype=h2.dtype)
    s12 = h1.T @ h2 / (n - 1)
    _, s, _ = torch.svd(torch.inverse(s11) @ s12 @ torch.inverse(s22))
    return -s.sum()


def go_weights(m, case):
    """Maps the module's parameters to the Go model's variables (scope|name), transposing matrices."""
    out = {}
    A = "/artemis"

    def lin(key, mod):
        out[f"{key}|weights"] = mod.weight.T
        if mod.bias is not None:
            out[f"{key}|biases"] = mod.bias

    def mha(key, att):
        w, bi = att.in_proj_weight, att.in_proj_bias
        for i, nm in enumerate(["query", "key", "value"]):
            out[f"{key}/{nm}|weights"] = w[i * E:(i + 1) * E].T
            out[f"{key}/{nm}|biases"] = bi[i * E:(i + 1) * E]
        lin(f"{key}/out", att.out_proj)

    def norm(key, ln):
        out[f"{key}|weight"], out[f"{key}|bias"] = ln.weight, ln.bias

    def enc_layer(key, l):
        mha(f"{key}/self_attn", l.self_attn)
        lin(f"{key}/ff1", l.linear1)
        lin(f"{key}/ff2", l.linear2)
        norm(f"{key}/norm1", l.norm1)
        norm(f"{key}/norm2", l.norm2)

    lin(f"{A}/linear1", m.linear1)
    lin(f"{A}/linear2", m.linear2)
    out[f"{A}|class_queries"] = m.query_embed
    out[f"{A}/head|W"], out[f"{A}/head|b"] = m.head_W, m.head_b
    if case["text"] in ("bilstm", "gru"):
        for suf, d in (("", "fwd"), ("_reverse", "bwd")):
            k = f"{A}/text/{'lstm' if case['text'] == 'bilstm' else 'gru'}_{d}"
            out[f"{k}|weight_ih"] = getattr(m.rnn, "weight_ih_l0" + suf).T
            out[f"{k}|weight_hh"] = getattr(m.rnn, "weight_hh_l0" + suf).T
            out[f"{k}|bias_ih"] = getattr(m.rnn, "bias_ih_l0" + suf)
            out[f"{k}|bias_hh"] = getattr(m.rnn, "bias_hh_l0" + suf)
    if case["text"] == "conv":
        for i in range(3):
            out[f"{A}/text/conv|w{i}"] = m.conv.weight[0, 0, i]
        out[f"{A}/text/conv|bias"] = m.conv.bias[0]
    r = case["res"]
    if r["Backbone"]:
        lin(f"{A}/res_backbone", m.res_backbone)
    if r["F"]:
        lin(f"{A}/res_image", m.res_image)
    if r["Hv"]:
        lin(f"{A}/res_hv", m.res_hv)
    if case["fusion"] == "code":
        for i, l in enumerate(m.transformer.encoder.layers):
            enc_layer(f"{A}/fusion_enc_{i}", l)
        for i, l in enumerate(m.transformer.decoder.layers):
            key = f"{A}/fusion_dec_{i}"
            mha(f"{key}/self_attn", l.self_attn)
            mha(f"{key}/cross_attn", l.multihead_attn)
            lin(f"{key}/ff1", l.linear1)
            lin(f"{key}/ff2", l.linear2)
            for j in (1, 2, 3):
                norm(f"{key}/norm{j}", getattr(l, f"norm{j}"))
        norm(f"{A}/fusion_enc_norm", m.transformer.encoder.norm)
        norm(f"{A}/fusion_dec_norm", m.transformer.decoder.norm)
    else:
        enc_layer(f"{A}/fusion_enc_0", m.enc_layer)
    return out


NONE = dict(Hv=False, Seq=False, Backbone=False, Hq=False, F=False)
ALL = dict(Hv=True, Seq=True, Backbone=True, Hq=True, F=True)


def case(name, text="none", res=NONE, fusion="code", enc=1, dec=1, align="none", across=False):
    return dict(name=name, text=text, res=res, fusion=fusion, enc=enc, dec=dec, align=align, across_batch=across)


CASES = [
    case("res_none"),
    case("res_hv", res=dict(NONE, Hv=True)),
    case("res_seq", res=dict(NONE, Seq=True)),
    case("res_b", res=dict(NONE, Backbone=True)),
    case("res_hq", res=dict(NONE, Hq=True)),
    case("res_f", res=dict(NONE, F=True)),
    case("res_all", res=ALL, enc=2, dec=2),
    case("text_bilstm", text="bilstm", res=ALL),
    case("text_gru", text="gru", res=ALL),
    case("text_conv", text="conv", res=ALL),
    case("text_bilstm_across", text="bilstm", res=ALL, across=True),
    case("text_gru_across", text="gru", res=ALL, across=True),
    case("fusion_paper", text="bilstm", res=ALL, fusion="paper"),
    case("align_contrastive", text="bilstm", res=ALL, align="contrastive"),
    case("align_cosine", text="bilstm", res=ALL, align="cosine"),
    case("align_cca", text="bilstm", res=ALL, align="cca"),
]
ALIGN_WEIGHT = {"none": 0.0, "contrastive": 0.1, "cosine": 0.1, "cca": 1e-4}


def f64(t):
    """Reference values are computed in float64 and stored as float32 (relative rounding 6e-8)."""
    return t.detach().double().numpy().astype(np.float32)


def main():
    meta = []
    for i, c in enumerate(CASES):
        torch.manual_seed(100 + i)
        m = TinyARTEMIS(c["text"], c["res"], c["fusion"], c["enc"], c["dec"], c["across_batch"])
        g = torch.Generator().manual_seed(1000 + i)
        video = torch.randn(B, N, D, generator=g)
        image = torch.randn(B, FD, generator=g)
        desc = torch.randn(B, E, generator=g)
        targets = (torch.rand(B, K, generator=g) < 0.4).float()
        m = m.double().eval()
        w = go_weights(m, c)
        keys = sorted(w)
        logits, hv, hq, fb1k = m(video.double(), image.double(), desc.double())
        y = targets.double()
        bce = nn.functional.binary_cross_entropy_with_logits(logits, y)
        align = torch.zeros((), dtype=torch.float64)
        if c["align"] == "contrastive":
            align = contrastive_code(fb1k, hq, y)
        elif c["align"] == "cosine":
            align = cosine_code(fb1k, hq)
        elif c["align"] == "cca":
            align = cca_code(fb1k, hq)
        total = bce + ALIGN_WEIGHT[c["align"]] * align
        plist = list(m.parameters())
        grads = torch.autograd.grad(total, plist, retain_graph=True, allow_unused=True)
        ga = torch.autograd.grad(align, plist, allow_unused=True) if c["align"] != "none" else None

        def go_layout(gs):
            """The gradients gs of plist in the Go layout: go_weights over the model with each
            parameter's data swapped for its gradient."""
            saved = [p.data for p in plist]
            with torch.no_grad():
                for p, gr in zip(plist, gs):
                    p.data = torch.zeros_like(p) if gr is None else gr.detach()
                out = go_weights(m, c)
                out = {k: v.detach().clone() for k, v in out.items()}
                for p, d in zip(plist, saved):
                    p.data = d
            return [out[k] for k in keys]

        params = [w[k] for k in keys]
        grads = go_layout(grads)
        arrays = {"in.video": video.numpy(), "in.image": image.numpy(), "in.desc": desc.numpy(),
                  "in.targets": targets.numpy(), "out.logits": f64(logits), "out.bce": f64(bce),
                  "out.align": f64(align), "out.total": f64(total)}
        # Weights and gradients are stored flat, concatenated in the order of "weights" in cases.json.
        arrays["w"] = np.concatenate([p.detach().float().numpy().ravel() for p in params])
        arrays["g"] = np.concatenate([f64(gr).ravel() for gr in grads])
        if ga is not None:
            arrays["ga"] = np.concatenate([f64(gr).ravel() for gr in go_layout(ga)])
        np.savez_compressed(c["name"] + ".npz", **arrays)
        meta.append(dict(c, align_weight=ALIGN_WEIGHT[c["align"]],
                         weights=[[k, list(w[k].shape)] for k in keys]))
    # The CCA loss alone: sample space (n-1 <= e) and feature space (n-1 > e).
    for name, n, e, seed in (("cca_sample", 6, 8, 7), ("cca_feature", 12, 4, 8)):
        g = torch.Generator().manual_seed(seed)
        h1 = torch.randn(n, e, generator=g).double().requires_grad_()
        h2 = (0.5 * h1.detach() + torch.randn(n, e, generator=g).double()).requires_grad_()
        loss = cca_code(h1, h2)
        g1, g2 = torch.autograd.grad(loss, [h1, h2])
        np.savez_compressed(name + ".npz", **{"in.h1": f64(h1), "in.h2": f64(h2), "out.loss": f64(loss),
                                   "g.h1": f64(g1), "g.h2": f64(g2)})
    sizes = dict(B=B, N=N, D=D, E=E, K=K, tokens=T_TOK, image_dim=FD, heads=HEADS, ff=FF, hidden=E // 2)
    with open("cases.json", "w") as f:  # one case per line
        head = {"generator": "gen_fixtures.py", "torch": torch.__version__, "sizes": sizes}
        f.write(json.dumps(head)[:-1] + ', "cases": [\n')
        f.write(",\n".join(json.dumps(m, separators=(",", ":")) for m in meta))
        f.write("\n]}\n")


if __name__ == "__main__":
    main()
