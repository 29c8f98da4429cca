#!/usr/bin/python3
"""Reference fixture for gomlx_models/animalmotionclip (test-only; never needed to build or run the project).

An independent, tiny PyTorch AnimalMotionCLIP classifier written from the paper
(../shared/papers/animalmotionclip.txt, section 2) and the X-CLIP paper it builds on (Ni et al. 2022:
cross-frame communication and the multi-frame integration Transformer, its section 3.2; the
video-specific prompt generator, section 3.3), in float64: patches by conv2d (stride p), attention by
F.multi_head_attention_forward, LayerNorm by F.layer_norm, the stem by conv2d and max_pool2d, the loss by
F.binary_cross_entropy_with_logits. M weight-sharing classifiers, scores = mean of the sigmoids.

It writes model.npz with the config ("cfg:*"), the inputs ("in:frames" [B, M, T, H, W, C], "in:text"
[K, E], "in:labels" [B, K]), the outputs ("out:logits" [B, M, K], "out:scores" [B, K], "out:video"
[B, M, D], "out:loss"), every weight ("w:<scope>:<name>", linear weights as GoMLX's [in, out]) and the
gradient of the loss with respect to each weight ("g:<scope>:<name>") and to the frames ("g:frames").

Run: /usr/bin/python3 gen_fixtures.py   (Debian python3-torch; written with torch 1.13.0a0, numpy 1.24.2)
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.manual_seed(7)

B, M, T, H, C, P_, D, HEADS, LAYERS, MIT_LAYERS, PROMPT_LAYERS, RATIO, E, K, STEM = 2, 2, 3, 8, 3, 4, 8, 2, 2, 1, 1, 2, 5, 3, 4
S = H // P_
NP = S * S
ROOT = "/animalmotionclip"
W = {}


def param(scope, name, *shape, kind="w"):
    if kind == "w":
        v = torch.randn(*shape) * 0.4
    elif kind == "b":
        v = torch.randn(*shape) * 0.1
    elif kind == "gain":
        v = 1 + 0.1 * torch.randn(*shape)
    else:
        v = torch.tensor(kind, dtype=torch.float64).expand(*shape).clone() if shape else torch.tensor(kind, dtype=torch.float64)
    v.requires_grad_(True)
    W[(ROOT + scope, name)] = v
    return v


def linear_params(scope, i, o):
    param(scope, "weights", i, o)
    param(scope, "biases", o, kind="b")


def ln_params(scope, d):
    param(scope, "gain", d, kind="gain")
    param(scope, "offset", d, kind="b")


def attn_params(scope, d):
    for n in ("query", "key", "value", "out"):
        linear_params(f"{scope}/{n}", d, d)


def mlp_params(scope, d):
    linear_params(scope + "/fc", d, RATIO * d)
    linear_params(scope + "/proj", RATIO * d, d)


def lin(scope, x):
    return x @ W[(ROOT + scope, "weights")] + W[(ROOT + scope, "biases")]


def ln(scope, x):
    return F.layer_norm(x, (x.shape[-1],), W[(ROOT + scope, "gain")], W[(ROOT + scope, "offset")], eps=1e-5)


def mha(scope, x, mem):
    """x [N, L, D] attends to mem [N, S, D] (nn.MultiheadAttention's functional form)."""
    g = lambda n, k: W[(ROOT + f"{scope}/{n}", k)]
    in_bias = torch.cat([g("query", "biases"), g("key", "biases"), g("value", "biases")])
    out, _ = F.multi_head_attention_forward(
        x.transpose(0, 1), mem.transpose(0, 1), mem.transpose(0, 1), D, HEADS,
        None, in_bias, None, None, False, 0.0, g("out", "weights").T, g("out", "biases"),
        training=False, need_weights=False, use_separate_proj_weight=True,
        q_proj_weight=g("query", "weights").T, k_proj_weight=g("key", "weights").T, v_proj_weight=g("value", "weights").T)
    return out.transpose(0, 1)


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


def mlp(scope, x):
    return lin(scope + "/proj", quick_gelu(lin(scope + "/fc", x)))


# Parameters, created in a fixed order.
linear_params("/patch_embed/conv1", P_ * P_ * C, D)
param("/patch_embed", "class_embedding", D)
param("/patch_embed", "positional_embedding", NP + 1, D)
ln_params("/patch_embed/ln_pre", D)
# The convolutional stem with spatial pooling (this reproduction's; model.go PatchEmbed): a 3x3
# convolution stored as GoMLX's linear map [3*3*C, STEM] over (row offset, column offset, channel).
linear_params("/patch_embed/stem", 9 * C, STEM)
linear_params("/patch_embed/stem_patch", STEM, D)
linear_params("/patch_embed/stem_cls", STEM, D)
for i in range(LAYERS):
    s = f"/frame_encoder/block_{i}"
    linear_params(s + "/message_fc", D, D)
    ln_params(s + "/message_ln", D)
    attn_params(s + "/message_attn", D)
    ln_params(s + "/ln_1", D)
    attn_params(s + "/attn", D)
    ln_params(s + "/ln_2", D)
    mlp_params(s + "/mlp", D)
ln_params("/frame_encoder/ln_post", D)
linear_params("/frame_encoder/proj", D, D)
param("/mit", "positional_embedding", T, D)
for i in range(MIT_LAYERS):
    s = f"/mit/block_{i}"
    ln_params(s + "/ln_1", D)
    attn_params(s + "/attn", D)
    ln_params(s + "/ln_2", D)
    mlp_params(s + "/mlp", D)
linear_params("/text_proj", E, D)
ln_params("/prompt/visual_ln", D)
linear_params("/prompt/visual_proj", D, D)
ln_params("/prompt/norm", D)
for i in range(PROMPT_LAYERS):
    s = f"/prompt/layer_{i}"
    ln_params(s + "/norm1", D)
    attn_params(s + "/cross_attn", D)
    ln_params(s + "/norm3", D)
    mlp_params(s + "/mlp", D)
param("/prompt", "alpha", D, kind=0.0)
with torch.no_grad():
    W[(ROOT + "/prompt", "alpha")].copy_(0.1 + 0.05 * torch.randn(D))
param("/match", "logit_scale", kind=math.log(10.0))
param("/match", "logit_bias", kind=-0.7)


def forward(frames, text):
    b, m, t = frames.shape[:3]
    n = b * m
    x = frames.reshape(n * t, H, H, C).permute(0, 3, 1, 2)  # NCHW
    # Patch embedding (section 2): a stride-p convolution whose kernel is the linear map over
    # (row, column, channel) patch vectors.
    wconv = W[(ROOT + "/patch_embed/conv1", "weights")].reshape(P_, P_, C, D).permute(3, 2, 0, 1)
    x = F.conv2d(x, wconv, W[(ROOT + "/patch_embed/conv1", "biases")], stride=P_)  # [NT, D, S, S]
    x = x.flatten(2).transpose(1, 2)  # [NT, NP, D], row-major patches
    cls = W[(ROOT + "/patch_embed", "class_embedding")].expand(n * t, 1, D)
    # Stem: conv2d 3x3, padding 1, QuickGELU; max-pooled per patch (max_pool2d, stride p) into
    # the patch tokens and over the whole frame into the class token.
    wst = W[(ROOT + "/patch_embed/stem", "weights")].reshape(3, 3, C, STEM).permute(3, 2, 0, 1)
    st = quick_gelu(F.conv2d(frames.reshape(n * t, H, H, C).permute(0, 3, 1, 2), wst, W[(ROOT + "/patch_embed/stem", "biases")], padding=1))
    local = F.max_pool2d(st, P_, stride=P_).flatten(2).transpose(1, 2)  # [NT, NP, STEM]
    x = x + lin("/patch_embed/stem_patch", local)
    glob = st.amax(dim=(2, 3)).reshape(n * t, 1, STEM)
    cls = cls + lin("/patch_embed/stem_cls", glob)
    x = torch.cat([cls, x], 1) + W[(ROOT + "/patch_embed", "positional_embedding")]
    x = ln("/patch_embed/ln_pre", x)
    L = x.shape[1]
    for i in range(LAYERS):
        s = f"/frame_encoder/block_{i}"
        msg = lin(s + "/message_fc", x[:, 0].reshape(n, t, D))
        mh = ln(s + "/message_ln", msg)
        msg = msg + mha(s + "/message_attn", mh, mh)
        x = torch.cat([x, msg.reshape(n * t, 1, D)], 1)
        h = ln(s + "/ln_1", x)
        x = x + mha(s + "/attn", h, h)
        x = x[:, :L]
        x = x + mlp(s + "/mlp", ln(s + "/ln_2", x))
    x = lin("/frame_encoder/proj", ln("/frame_encoder/ln_post", x)).reshape(n, t, L, D)
    f, patches = x[:, :, 0], x[:, :, 1:]
    # MIT (X-CLIP section 3.2).
    h = f + W[(ROOT + "/mit", "positional_embedding")]
    for i in range(MIT_LAYERS):
        s = f"/mit/block_{i}"
        a = ln(s + "/ln_1", h)
        h = h + mha(s + "/attn", a, a)
        h = h + mlp(s + "/mlp", ln(s + "/ln_2", h))
    video = (h + f).mean(1)  # [N, D]
    # Video-specific prompts (X-CLIP section 3.3).
    tk = lin("/text_proj", text).expand(n, K, D)
    vis = ln("/prompt/norm", lin("/prompt/visual_proj", ln("/prompt/visual_ln", patches.mean(1))))
    q = tk
    for i in range(PROMPT_LAYERS):
        s = f"/prompt/layer_{i}"
        q = q + mha(s + "/cross_attn", ln(s + "/norm1", q), vis)
        q = q + mlp(s + "/mlp", ln(s + "/norm3", q))
    tk = tk + W[(ROOT + "/prompt", "alpha")] * q
    cos = torch.einsum("nd,nkd->nk", F.normalize(video, dim=-1), F.normalize(tk, dim=-1))
    logits = cos * W[(ROOT + "/match", "logit_scale")].exp() + W[(ROOT + "/match", "logit_bias")]
    logits = logits.reshape(b, m, K)
    return logits, torch.sigmoid(logits).mean(1), video.reshape(b, m, D)


frames = torch.rand(B, M, T, H, H, C, requires_grad=True)
text = torch.randn(K, E)
labels = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
logits, scores, video = forward(frames, text)
loss = F.binary_cross_entropy_with_logits(logits, labels[:, None, :].expand(B, M, K))
keys = list(W)
grads = torch.autograd.grad(loss, [W[k] for k in keys] + [frames])

out = {
    "cfg:sizes": np.array([B, M, T, H, C, P_, D, HEADS, LAYERS, MIT_LAYERS, PROMPT_LAYERS, RATIO, E, K, STEM], dtype=np.float32),
    "in:frames": frames.detach().numpy().astype(np.float32),
    "in:text": text.numpy().astype(np.float32),
    "in:labels": labels.numpy().astype(np.float32),
    "out:logits": logits.detach().numpy().astype(np.float32),
    "out:scores": scores.detach().numpy().astype(np.float32),
    "out:video": video.detach().numpy().astype(np.float32),
    "out:loss": np.array(loss.item(), dtype=np.float32),
    "g:frames": grads[-1].numpy().astype(np.float32),
}
for (scope, name), g in zip(keys, grads):
    out[f"w:{scope}:{name}"] = W[(scope, name)].detach().numpy().astype(np.float32)
    out[f"g:{scope}:{name}"] = g.numpy().astype(np.float32)
np.savez("model.npz", **out)
print(f"model.npz: {len(keys)} weights, loss {loss.item():.6f}")
