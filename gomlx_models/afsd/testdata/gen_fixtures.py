"""Reference fixtures for gomlx_models/afsd and gomlx_models/gafdet.

An independent, functional PyTorch version of AFSD's detector head (TencentYoutuResearch/
ActionDetection-AFSD @ ed86a0d: AFSD/thumos14/BDNet.py CoarsePyramid and ProposalBranch,
prop_pooling/boundary_max_pooling_kernel.cu, thumos14/multisegment_loss.py, thumos14/train.py
calc_bce_loss, common/thumos_dataset.py split_videos, common/segment_utils.py softnms_v2) and of
GAF's additions (Generative-Feature-Model/GAF @ adf91d1: train.py L248-340) at small widths,
written from the code's semantics (not copied), computed in float64 and stored as float32.

Written arrays (npz): "w:<scope>:<name>" every weight in the Go layout (conv [k, in, out], dense
[in, out]); "in:*" inputs; "out:*" outputs and losses; "g:<scope>:<name>" and "g:x" gradients of
the total loss.

Run: cd gomlx_models/afsd/testdata && python3 gen_fixtures.py   (torch 1.13, numpy 1.24; writes
afsd.npz, softnms.npz here and ../../gafdet/testdata/gafdet.npz)
"""
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

D, C, G, K, L, LEVELS, B = 6, 8, 2, 3, 64, 4, 2
FEAT_T = L // 4


class Params:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)
        self.p = {}

    def get(self, scope, name, shape, kind="w"):
        key = f"{scope}:{name}"
        if key not in self.p:
            if kind == "one":
                v = 1 + 0.2 * torch.randn(shape, generator=self.g)
            elif kind == "zero":
                v = 0.1 * torch.randn(shape, generator=self.g)
            elif kind == "scale":
                v = torch.tensor(0.9 + 0.2 * torch.rand((), generator=self.g).item())
            else:
                fan = shape[0] * (shape[1] if len(shape) == 3 else 1)
                v = torch.randn(shape, generator=self.g) / math.sqrt(fan)
            self.p[key] = v.clone().requires_grad_(True)
        return self.p[key]


def unit1d(P, scope, x, out, k, stride=1):
    """Unit1D: TF 'same' padding (front = pad // 2), conv1d with bias. x [B, T, C] channels last."""
    t = x.shape[1]
    pad = max(k - stride, 0) if t % stride == 0 else max(k - t % stride, 0)
    xc = F.pad(x.transpose(1, 2), [pad // 2, pad - pad // 2])
    if k == 1 and stride == 1:
        w = P.get(scope + "/dense", "weights", (x.shape[2], out))
        b = P.get(scope + "/dense", "biases", (out,), "zero")
        return x @ w + b
    w = P.get(scope + "/conv", "weights", (k, x.shape[2], out))  # Go layout [k, in, out]
    b = P.get(scope + "/conv", "biases", (out,), "zero")
    y = F.conv1d(xc, w.permute(2, 1, 0), b, stride=stride)
    return y.transpose(1, 2)


def gn(P, scope, x, groups=G):
    c = x.shape[2]
    gamma = P.get(scope, "gn_gamma", (c,), "one")
    beta = P.get(scope, "gn_beta", (c,), "zero")
    return F.group_norm(x.transpose(1, 2), groups, gamma, beta, eps=1e-5).transpose(1, 2)


def block(P, scope, x, out, k, stride=1):
    return F.relu(gn(P, scope + "/gn", unit1d(P, scope + "/conv", x, out, k, stride)))


def bmp(x, segs):
    """boundary_max_pooling_kernel.cu: first half of channels over [s0, s1], second over [s2, s3],
    ends clamped to [0, T-1], the loop from l to r (r < l gives x[l])."""
    b, t, c = x.shape
    p = segs.shape[1]
    out = []
    for n in range(b):
        rows = []
        for k in range(p):
            halves = []
            for h in range(2):
                lo = int(min(max(0, int(segs[n, k, 2 * h].item())), t - 1))
                hi = int(min(max(0, int(segs[n, k, 2 * h + 1].item())), t - 1))
                hi = max(hi, lo)
                halves.append(x[n, lo:hi + 1, h * c // 2:(h + 1) * c // 2].max(0).values)
            rows.append(torch.cat(halves))
        out.append(torch.stack(rows))
    return torch.stack(out)


def bounds(loc, t):
    with torch.no_grad():
        j = torch.arange(t, dtype=loc.dtype).view(1, t, 1)
        seg = loc / L * t
        plen = seg[..., :1] + seg[..., 1:]
        inl, outl = torch.clamp(plen / 4, min=1), torch.clamp(plen / 10, min=1)
        l, r = j - seg[..., :1], j + seg[..., 1:]
        segs = torch.round(torch.cat([l - outl, l + inl, r - inl, r + outl], -1))
        pri = (j + 0.5) / t
        d0, d1 = pri * L - loc[..., :1], pri * L + loc[..., 1:]
        plen = d1 - d0 + 1
        inl, outl = torch.clamp(plen / 4, min=1), torch.clamp(plen / 10, min=1)
        fsegs = torch.round(torch.cat([d0 - outl, d0 + inl, d1 - inl, d1 + outl], -1))
    return segs, fsegs


def proposal(P, scope, feat, frame, segs, fsegs):
    short = block(P, scope + "/cur_point", feat, C, 1)
    lr = block(P, scope + "/lr", feat, 2 * C, 1)
    pf = bmp(lr, segs)
    roi = block(P, scope + "/roi", bmp(frame, fsegs), C, 1)
    prop = block(P, scope + "/proposal", torch.cat([roi, pf, short], -1), C, 1)
    return prop, lr


def forward(P, pre, x):
    """CoarsePyramid.forward on the two taps of x [B, L, D] (average pools over 4 and 8 steps)."""
    b = x.shape[0]
    t4 = x.view(b, L // 4, 4, -1).mean(2)
    t5 = x.view(b, L // 8, 8, -1).mean(2)
    l0 = F.relu(gn(P, pre + "/pyramid0/gn", unit1d(P, pre + "/pyramid0/conv", t4, C, 1)))
    l1 = F.relu(gn(P, pre + "/pyramid1/gn", unit1d(P, pre + "/pyramid1/conv", t5, C, 1)))
    pyr = [l0 + F.interpolate(l1.transpose(1, 2), size=l0.shape[1], mode="nearest").transpose(1, 2), l1]
    h = l1
    for i in range(2, LEVELS):
        h = block(P, f"{pre}/pyramid{i}", h, C, 3, 2)
        pyr.append(h)
    fr = F.interpolate(pyr[0].transpose(1, 2).unsqueeze(-1), [L, 1]).squeeze(-1).transpose(1, 2)
    fr = block(P, pre + "/deconv0", fr, C, 3)
    fr = block(P, pre + "/deconv1", fr, C, 3)
    fr = block(P, pre + "/deconv2", fr, C, 1)
    out = {"start": torch.tanh(fr[..., :C // 2]).mean(-1), "end": torch.tanh(fr[..., C // 2:]).mean(-1), "frame": fr}
    locs, confs, plocs, pconfs, centers = [], [], [], [], []
    for i, feat in enumerate(pyr):
        t = feat.shape[1]
        lf, cf = feat, feat
        for k in range(2):
            lf = block(P, f"{pre}/loc_tower{k}", lf, C, 3)
            cf = block(P, f"{pre}/conf_tower{k}", cf, C, 3)
        scale = P.get(f"{pre}/scale_exp{i}", "scale", (), "scale")
        loc = torch.exp(unit1d(P, pre + "/loc_head", lf, 2, 3) * scale)
        conf = unit1d(P, pre + "/conf_head", cf, K + 1, 3)
        segs, fsegs = bounds(loc.detach(), t)
        lp, llr = proposal(P, pre + "/loc_proposal", lf, fr, segs, fsegs)
        cp, clr = proposal(P, pre + "/conf_proposal", cf, fr, segs, fsegs)
        if i == 0:
            out["slp"], out["elp"] = torch.tanh(llr[..., :C]).mean(-1), torch.tanh(llr[..., C:]).mean(-1)
            out["scp"], out["ecp"] = torch.tanh(clr[..., :C]).mean(-1), torch.tanh(clr[..., C:]).mean(-1)
            out["segs0"], out["fsegs0"] = segs, fsegs
        locs.append(loc)
        confs.append(conf)
        plocs.append(unit1d(P, pre + "/prop_loc_head", lp, 2, 1))
        pconfs.append(unit1d(P, pre + "/prop_conf_head", cp, K + 1, 1))
        centers.append(unit1d(P, pre + "/center_head", lp, 1, 3)[..., 0])
    out.update(loc=torch.cat(locs, 1), conf=torch.cat(confs, 1), ploc=torch.cat(plocs, 1),
               pconf=torch.cat(pconfs, 1), center=torch.cat(centers, 1))
    return out


def priors():
    out, t = [], FEAT_T
    for _ in range(LEVELS):
        out += [(c + 0.5) / t for c in range(t)]
        t //= 2
    return torch.tensor(out)


def assign(annos):
    """multisegment_loss.py match: shortest segment containing the prior centre."""
    pr = priors()
    truths = torch.tensor([[a[0] / L, a[1] / L] for a in annos])
    labels = torch.tensor([a[2] for a in annos])
    kk, n = pr.shape[0], truths.shape[0]
    c = pr.unsqueeze(1).expand(kk, n)
    left = (c - truths[:, 0].unsqueeze(0).expand(kk, n)) * L
    right = (truths[:, 1].unsqueeze(0).expand(kk, n) - c) * L
    area = left + right
    area[left < 0] = 2 * L
    area[right < 0] = 2 * L
    best_area, best = area.min(1)
    loc = torch.stack([(pr - truths[best, 0]) * L, (truths[best, 1] - pr) * L], -1)
    conf = labels[best].clone()
    conf[best_area >= 2 * L] = 0
    return loc, conf


def masks(annos):
    start, end = np.zeros(L), np.zeros(L)
    for s, e, _ in annos:
        d = max((e - s) / 10.0, 2.0)
        ss = int(np.clip(int(round(s - d / 2)), 0, L - 1)); se = int(np.clip(int(round(s + d / 2)), 0, L - 1)) + 1
        start[ss:se] = 1
        es = int(np.clip(int(round(e - d / 2)), 0, L - 1)); ee = int(np.clip(int(round(e + d / 2)), 0, L - 1)) + 1
        end[es:ee] = 1
    return torch.tensor(start), torch.tensor(end)


def iou_d(pred, target, kind):
    pl, pr_, tl, tr = pred[:, 0], pred[:, 1], target[:, 0], target[:, 1]
    eps = torch.finfo(torch.float32).eps
    inter = torch.min(pl, tl) + torch.min(pr_, tr)
    union = pl + pr_ + tl + tr - inter
    ious = inter / union.clamp(min=eps)
    if kind == "giou":
        enc = torch.max(pl, tl) + torch.max(pr_, tr)
        return 1 - (ious - (enc - union) / enc.clamp(min=eps))
    return ious


def focal(probs, target):
    pt = probs.gather(1, target.view(-1, 1)).view(-1) + 1e-6
    alpha = torch.where(target.view(-1) == 0, torch.tensor(0.25), torch.tensor(0.75))
    return (-1 * (1 - pt) ** 2 * (alpha * pt.log())).sum()


def losses(o, loc_t, conf_t, start, end):
    """MultiSegmentLoss.forward + calc_bce_loss, as train.py:135-150 combines them."""
    kk = o["loc"].shape[1]
    loc_d, conf_d = o["loc"], o["conf"]
    pos = conf_t > 0
    n = max(pos.sum().item(), 1)
    ll = iou_d(loc_d[pos], loc_t[pos], "giou").sum() / n
    lc = focal(F.softmax(conf_d.reshape(-1, K + 1), 1), conf_t.reshape(-1)) / n
    pre = loc_d.detach()
    iou = torch.stack([iou_d(pre[i], loc_t[i], "iou") for i in range(pre.shape[0])])
    pconf_t = conf_t.clone()
    pconf_t[iou < 0.5] = 0
    w = pre[..., 0] + pre[..., 1]
    ploc_t = (loc_t - pre) / (0.5 * w.unsqueeze(-1))
    ppos = pconf_t > 0
    pn = max(ppos.sum().item(), 1)
    lpl = F.l1_loss(o["ploc"][ppos], ploc_t[ppos], reduction="sum") / pn
    lpc = focal(F.softmax(o["pconf"].reshape(-1, K + 1), 1), pconf_t.reshape(-1)) / pn
    ppre = loc_d[pos]
    cur = 0.5 * (ppre[:, 0] + ppre[:, 1]).unsqueeze(-1) * o["ploc"][pos] + ppre
    q = iou_d(cur, loc_t[pos], "iou").clamp(min=0)
    lq = F.binary_cross_entropy_with_logits(o["center"][pos], q, reduction="sum") / n

    def bce(p, y):
        return F.binary_cross_entropy(p.reshape(-1), y.reshape(-1), reduction="mean")
    s4, e4 = start[:, ::4], end[:, ::4]
    ls = bce(o["start"], start) + 0.1 * (bce(o["slp"], s4) + bce(o["scp"], s4))
    le = bce(o["end"], end) + 0.1 * (bce(o["elp"], e4) + bce(o["ecp"], e4))
    total = 10 * (ll + lpl) + (lc + lpc + lq) + ls + le
    return {"loss_loc": ll, "loss_conf": lc, "loss_prop_loc": lpl, "loss_prop_conf": lpc, "loss_quality": lq,
            "loss_start": ls, "loss_end": le, "loss_total": total}


def softnms(segments, sigma, top_k, thresh=0.001, quirk=True):
    tstart, tend, tscore = segments[:, 0].clone(), segments[:, 1].clone(), segments[:, 2].clone()
    done = tscore < -1
    undone = tscore >= thresh
    floor = 1 if quirk else 0
    while undone.sum() > floor and done.sum() < top_k:
        idx = tscore[undone].argmax()
        idx = undone.nonzero()[idx].item()
        undone[idx] = False
        done[idx] = True
        ts, te = tstart[idx], tend[idx]
        _s, _e = tstart[undone], tend[undone]
        inter = torch.clamp(_e.clamp(max=te) - _s.clamp(min=ts), min=0)
        width = torch.clamp(te - ts, min=1e-5)
        iou = inter / (width + (_e - _s) - inter)
        tscore[undone] *= torch.exp(-iou ** 2 / sigma)
        undone[tscore < thresh] = False
    return torch.stack([tstart[done], tend[done], tscore[done]], -1)


def arrays_of(P, out, total, extra_grads):
    arrays = {}
    names = sorted(P.p)
    grads = torch.autograd.grad(total, [P.p[k] for k in names] + extra_grads, allow_unused=True)
    for k, gr in zip(names, grads):
        arrays["w:" + k] = P.p[k].detach()
        arrays["g:" + k] = torch.zeros_like(P.p[k]) if gr is None else gr
    return arrays, grads[len(names):]


def afsd_fixture():
    P = Params(11)
    g = torch.Generator().manual_seed(5)
    x = (torch.randn(B, L, D, generator=g) + 0.3).requires_grad_(True)
    annos = [[[5.0, 20.0, 1], [30.0, 47.5, 3]], [[2.0, 60.0, 2], [10.0, 14.0, 1]]]
    loc_t, conf_t, st, en = [], [], [], []
    for a in annos:
        lt, ct = assign(a)
        s, e = masks(a)
        loc_t.append(lt); conf_t.append(ct); st.append(s); en.append(e)
    loc_t, conf_t, st, en = torch.stack(loc_t), torch.stack(conf_t), torch.stack(st), torch.stack(en)
    o = forward(P, "", x)
    ls = losses(o, loc_t, conf_t, st, en)
    arrays, (gx,) = arrays_of(P, o, ls["loss_total"], [x])
    arrays.update({"in:x": x.detach(), "in:loc_t": loc_t, "in:conf_t": conf_t.double(), "in:start": st, "in:end": en,
                   "g:x": gx})
    for i, a in enumerate(annos):
        arrays[f"in:annos{i}"] = torch.tensor(a)
    for k in ["loc", "conf", "ploc", "pconf", "center", "start", "end", "slp", "elp", "scp", "ecp", "segs0", "fsegs0"]:
        arrays["out:" + k] = o[k].detach()
    for k, v in ls.items():
        arrays["out:" + k] = v.detach()
    # Boundary max-pooling alone, ranges that clamp, reverse and stay inside.
    bx = torch.randn(2, 10, 4, generator=g)
    bsegs = torch.tensor([[[-3, 2, 4, 12], [5, 3, 0, 0], [2, 7, 9, 9]], [[0, 0, 1, 8], [8, 20, -1, 4], [3, 3, 6, 2]]], dtype=torch.float64)
    arrays["in:bmp_x"], arrays["in:bmp_segs"], arrays["out:bmp"] = bx, bsegs, bmp(bx, bsegs)
    save("afsd.npz", arrays)


def softnms_fixture():
    g = torch.Generator().manual_seed(7)
    n = 40
    s = torch.rand(n, generator=g) * 50
    e = s + 0.5 + torch.rand(n, generator=g) * 10
    sc = torch.rand(n, generator=g)
    segs = torch.stack([s, e, sc], -1).float().double()  # the values Go reads back
    arrays = {"in:boxes": segs}
    for name, sigma, quirk in [("quirk_s05", 0.5, True), ("noquirk_s05", 0.5, False), ("quirk_s001", 0.01, True)]:
        arrays["out:" + name] = softnms(segs, sigma, 5000, quirk=quirk)
    save("softnms.npz", arrays)


def gafdet_fixture():
    """GAF as coded on the AFSD head: λ (k3 conv + GN + ReLU, 1×1, sigmoid), fore/background of
    train.py:248-254 (sums over the window's steps and channels), L_ai + 35·L_n-ai + wr·L_R with the
    background as the reconstruction target (train.py:272-273, 333-335), and the CVAE pass."""
    P = Params(21)
    g = torch.Generator().manual_seed(9)
    H, CH, Z, bgw, beta, wr = 4, 5, 3, 35.0, 0.1, 0.3
    x = (torch.randn(B, L, D, generator=g) + 0.5).requires_grad_(True)
    annos = [[[5.0, 20.0, 1], [30.0, 47.5, 3]], [[2.0, 60.0, 2]]]
    loc_t, conf_t, st, en = [], [], [], []
    for a in annos:
        lt, ct = assign(a)
        s, e = masks(a)
        loc_t.append(lt); conf_t.append(ct); st.append(s); en.append(e)
    loc_t, conf_t, st, en = torch.stack(loc_t), torch.stack(conf_t), torch.stack(st), torch.stack(en)
    h = F.relu(gn(P, "/lambda/gn", unit1d(P, "/lambda/conv", x, H, 3)))
    lam = torch.sigmoid(unit1d(P, "/lambda/out", h, 1, 1)[..., 0])
    l3 = lam.unsqueeze(-1)
    fg = x * l3 / (lam.sum(1) * D + 1e-6).view(B, 1, 1)
    bg = x * (1 - l3) / ((1 - lam).sum(1) * D + 1e-6).view(B, 1, 1)
    o = forward(P, "/detector", fg)
    ai = losses(o, loc_t, conf_t, st, en)["loss_total"]
    ob = forward(P, "/detector", bg)
    nai = focal(F.softmax(ob["conf"].reshape(-1, K + 1), 1), torch.zeros(B * ob["conf"].shape[1], dtype=torch.long))
    # CVAE (gomlx_models/gaf layout): encoder θ D→CH ReLU, [h, λ] → CH ReLU → μ, log σ² (Z);
    # decoder [z, λ] → CH ReLU → D.
    def dense(scope, v, out):
        w = P.get(scope + "/dense", "weights", (v.shape[-1], out))
        b_ = P.get(scope + "/dense", "biases", (out,), "zero")
        return v @ w + b_
    def decode(z, lm):
        hh = F.relu(dense("/cvae/decoder/fc", torch.cat([z, lm.unsqueeze(-1)], -1), CH))
        return dense("/cvae/decoder/theta_prime", hh, D)
    n = B * L
    eps_p = torch.randn(n, Z, generator=g)
    lf = lam.reshape(n)
    fhat = decode(lf.unsqueeze(-1) + eps_p, lf)
    recon = ((bg.reshape(n, D) - fhat) ** 2).mean()
    total = ai + bgw * nai + wr * recon
    # The CVAE pass at the current λ (fed without gradient).
    eps_q = torch.randn(n, Z, generator=g)
    f = x.detach().reshape(n, D)
    ld = lf.detach()
    hh = F.relu(dense("/cvae/encoder/theta", f, CH))
    hh = F.relu(dense("/cvae/encoder/fc", torch.cat([hh, ld.unsqueeze(-1)], -1), CH))
    mu, lv = dense("/cvae/encoder/mu", hh, Z), dense("/cvae/encoder/logvar", hh, Z)
    fq = decode(mu + torch.exp(0.5 * lv) * eps_q, ld)
    mse = ((f - fq) ** 2).mean()
    kl = (-0.5 * (1 + lv - (mu - ld.unsqueeze(-1)) ** 2 - lv.exp()).mean(-1)).mean()
    cvae = mse + beta * kl
    names = sorted(P.p)
    seg_grads = torch.autograd.grad(total, [P.p[k] for k in names] + [x], allow_unused=True)
    cvae_names = [k for k in names if k.startswith("/cvae/encoder")] + [k for k in names if k.startswith("/cvae/decoder")]
    cvae_grads = torch.autograd.grad(cvae, [P.p[k] for k in cvae_names], allow_unused=True)
    arrays = {}
    for k, gr in zip(names, seg_grads[:-1]):
        arrays["w:" + k] = P.p[k].detach()
        if not k.startswith("/cvae"):
            arrays["g:" + k] = torch.zeros_like(P.p[k]) if gr is None else gr
    for k, gr in zip(cvae_names, cvae_grads):
        arrays["gc:" + k] = gr
    arrays.update({"in:x": x.detach(), "in:loc_t": loc_t, "in:conf_t": conf_t.double(), "in:start": st, "in:end": en,
                   "in:eps_p": eps_p, "in:eps_q": eps_q, "g:x": seg_grads[-1],
                   "cfg:sizes": torch.tensor([H, CH, Z, bgw, beta, wr]),
                   "out:lambda": lam.detach(), "out:fg": fg.detach(), "out:bg": bg.detach(), "out:ai": ai.detach(),
                   "out:nai": nai.detach(), "out:recon": recon.detach(), "out:total": total.detach(), "out:cvae": cvae.detach()})
    save(os.path.join("..", "..", "gafdet", "testdata", "gafdet.npz"), arrays)


def save(path, arrays):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    np.savez(path, **{k: np.asarray(v.detach().numpy() if torch.is_tensor(v) else v, dtype=np.float32) for k, v in sorted(arrays.items())})


if __name__ == "__main__":
    afsd_fixture()
    softnms_fixture()
    gafdet_fixture()
