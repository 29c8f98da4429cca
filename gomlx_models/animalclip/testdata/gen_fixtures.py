#!/usr/bin/python3
"""Reference fixtures of gomlx_models/animalclip: a small PyTorch Animal-CLIP head written
after PRIS-CV/Animal-CLIP @ 4cff5a8 (models/model_builder.py GraphConvolution/GCNModel and
XCLIP.forward, models/prompt.py AnimalSpecificPrompt, models/mit.py
MultiframeIntegrationTransformer), computed in float64 and stored as float32 in head.npz:

  w:<go scope>:<go name>   every weight (Linear weights transposed to Go's [in, out])
  in:*                     inputs (frames, class / animal features, relation, species)
  out:*                    GCN output (dense adjacency), prompt outputs, video feature,
                           logits, loss
  g:<go scope>:<go name>   d loss / d weight;  g:in:*  d loss / d input

Weights are random (not the initial values) so that every term matters: LayerNorm gains and
biases, alpha and logit_scale included. Run: /usr/bin/python3 gen_fixtures.py (torch 1.13, numpy).
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(7)
torch.set_default_dtype(torch.float64)

NA, NC, D, H, HEADS, LAYERS = 5, 4, 8, 4, 2, 2  # animals, classes, width, GCN hidden
B, S, T, VIN = 3, 2, 3, 6                        # batch, species slots, frames, frame width


class GraphConvolution(nn.Module):  # model_builder.py:52-81
    def __init__(self, i, o):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(i, o))
        self.norm = nn.LayerNorm(o)
        self.i, self.o = i, o

    def forward(self, x, adj):
        x = torch.matmul(adj.expand(x.shape[0], -1, -1), torch.matmul(x, self.weight))
        if self.o <= self.i:
            x = nn.functional.leaky_relu(x, 0.1)
        return self.norm(x)


class MHA(nn.Module):  # prompt.py:15-46
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.q_proj, self.k_proj, self.v_proj = (nn.Linear(d, d, bias=False) for _ in range(3))
        self.proj = nn.Linear(d, d)

    def forward(self, q, k, v):
        b, n, c = q.shape
        m = k.shape[1]
        q = self.q_proj(q).reshape(b, n, self.h, c // self.h).permute(0, 2, 1, 3)
        k = self.k_proj(k).reshape(b, m, self.h, c // self.h).permute(0, 2, 1, 3)
        v = self.v_proj(v).reshape(b, m, self.h, c // self.h).permute(0, 2, 1, 3)
        a = ((q @ k.transpose(-2, -1)) * (c // self.h) ** -0.5).softmax(-1)
        return self.proj((a @ v).transpose(1, 2).reshape(b, n, c))


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class PromptLayer(nn.Module):  # prompt.py:49-75
    def __init__(self, d, h):
        super().__init__()
        self.cross_attn = MHA(d, h)
        self.norm1, self.norm3 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), QuickGELU(), nn.Linear(4 * d, d))

    def forward(self, x, visual):
        q = self.norm1(x)
        x = x + self.cross_attn(q, visual, visual)
        return x + self.mlp(self.norm3(x))


class SpeciesPrompt(nn.Module):  # prompt.py:78-104
    def __init__(self, d, h, layers, alpha):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.decoder = nn.ModuleList([PromptLayer(d, h) for _ in range(layers)])
        self.alpha = nn.Parameter(torch.ones(d) * alpha)

    def forward(self, text, visual):
        visual = self.norm(visual)
        for layer in self.decoder:
            text = layer(text, visual)
        return self.alpha * text


class MITBlock(nn.Module):  # mit.py:10-33
    def __init__(self, d, h):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, h)
        self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.c_fc, self.c_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):  # x: [T, B, D] (mit.py:60)
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False)[0]
        return x + self.c_proj(QuickGELU()(self.c_fc(self.ln_2(x))))


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.frame_proj = nn.Linear(VIN, D)
        self.pos = nn.Parameter(torch.randn(1, T, D) * 0.02)
        self.block = MITBlock(D, HEADS)
        self.g0, self.g1 = GraphConvolution(D, H), GraphConvolution(H, D)
        self.p1 = SpeciesPrompt(D, HEADS, LAYERS, 0.1)
        self.p2 = SpeciesPrompt(D, HEADS, LAYERS, 0.1)
        self.logit_scale = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))

    def video(self, frames):  # mit.py:56-65 after a frame projection
        x = self.frame_proj(frames)
        ori = x
        x = (x + self.pos).permute(1, 0, 2)
        x = self.block(x).permute(1, 0, 2) + ori
        return x.mean(1)

    def forward(self, frames, classes, animals, adj, multihot):  # model_builder.py:309-334
        b = frames.shape[0]
        vf = self.video(frames)
        an = animals.unsqueeze(0).expand(b, -1, -1)
        tf = classes.unsqueeze(0).expand(b, -1, -1)
        mh = multihot.unsqueeze(1)
        a = torch.einsum('bac,bcm->bam', mh, an)
        an = mh.squeeze(1).unsqueeze(-1) * an
        x = torch.cat([an, tf], 1)
        gcn = self.g1(self.g0(x, adj), adj)[:, NA:, :]
        p1 = self.p1(gcn, a)
        text = gcn + p1
        v = vf.unsqueeze(1)
        p2 = self.p2(v, a)
        v = (v + p2).squeeze(1)
        v = v / v.norm(dim=-1, keepdim=True)
        text = text / text.norm(dim=-1, keepdim=True)
        logits = torch.einsum('bd,bkd->bk', v, self.logit_scale.exp() * text)
        return dict(video=vf, gcn=gcn, p1=p1, p2=p2.squeeze(1), logits=logits)


def main():
    m = Head()
    with torch.no_grad():  # random, non-initial values for every parameter
        for name, p in m.named_parameters():
            if name.endswith('g0.weight') or name.endswith('g1.weight'):
                continue  # torch.randn already
            if 'norm' in name or 'ln_' in name:
                p.copy_((1.0 if name.endswith('weight') else 0.0) + 0.2 * torch.randn_like(p))
            elif name.endswith('alpha'):
                p.copy_(0.1 + 0.05 * torch.randn_like(p))
            elif name == 'logit_scale':
                p.fill_(np.log(1 / 0.07) - 0.3)
            else:
                p.copy_(torch.randn_like(p) * (0.3 / np.sqrt(p.shape[-1])) + (0.05 * torch.randn_like(p) if p.dim() == 1 else 0))
    frames = torch.randn(B, T, VIN, requires_grad=True)
    classes = torch.randn(NC, D, requires_grad=True)
    animals = torch.randn(NA, D, requires_grad=True)
    rel = torch.tensor([[1, 0, 1, 0], [0, 1, 0, 0], [1, 1, 0, 1], [0, 0, 0, 1], [0, 1, 1, 0]], dtype=torch.float64)
    # species per clip: {0, 2}, {3}, {1, 4}; one-hot rows, padded with zero rows
    species = [[0, 2], [3], [1, 4]]
    sel = torch.zeros(B, S, NA)
    multihot = torch.zeros(B, NA)
    for b, ss in enumerate(species):
        for j, s in enumerate(ss):
            sel[b, j, s] = 1
            multihot[b, s] = 1
    # edges as utils/tools.py:169-178 builds them; adjacency as model_builder.py:61-69
    edges = [(s, NA + a) for s in range(NA) for a in range(NC) if rel[s, a]]
    edges += [(j, i) for i, j in edges] + [(k, k) for k in range(NA + NC)]
    adj = torch.zeros(NA + NC, NA + NC)
    for i, j in edges:
        adj[i, j] = 1
    targets = torch.tensor([[1, 0, 1, 0], [0, 0, 0, 1], [0, 1, 1, 1]], dtype=torch.float64)
    out = m(frames, classes, animals, adj, multihot)
    # nn.CrossEntropyLoss with probability targets (main.py:118-119)
    loss = nn.CrossEntropyLoss()(out['logits'], targets)
    params = dict(m.named_parameters())
    grads = torch.autograd.grad(loss, list(params.values()) + [frames, classes, animals], allow_unused=True)

    arr = {}
    def put(k, v):
        arr[k] = np.asarray(v.detach().numpy() if torch.is_tensor(v) else v, dtype=np.float32)

    def go_names(name, p):
        """Go (scope, name, value-transform) of a torch parameter."""
        t = lambda x: x.t() if x.dim() == 2 else x
        mp = {'frame_proj': '/video/frame_proj', 'block.c_fc': '/video/mit/block0/c_fc', 'block.c_proj': '/video/mit/block0/c_proj',
              'block.attn.out_proj': '/video/mit/block0/attn/out_proj'}
        if name == 'pos':
            return [('/video/mit', 'positional_embedding', lambda x: x[0])]
        if name == 'logit_scale':
            return [('', 'logit_scale', lambda x: x)]
        if name == 'block.attn.in_proj_weight':
            return [(f'/video/mit/block0/attn/{n}_proj', 'weights', (lambda i: lambda x: x[i * D:(i + 1) * D].t())(i)) for i, n in enumerate('qkv')]
        if name == 'block.attn.in_proj_bias':
            return [(f'/video/mit/block0/attn/{n}_proj', 'biases', (lambda i: lambda x: x[i * D:(i + 1) * D])(i)) for i, n in enumerate('qkv')]
        if name.startswith('block.ln_'):
            ln, w = name.split('.')[1:]
            return [(f'/video/mit/block0/{ln}', w, lambda x: x)]
        for k, v in mp.items():
            if name.startswith(k + '.'):
                return [(v, 'weights' if name.endswith('weight') else 'biases', t)]
        if name.startswith('g0.') or name.startswith('g1.'):
            l = name[1]
            rest = name[3:]
            if rest == 'weight':
                return [(f'/graph/layer{l}', 'weight', lambda x: x)]
            return [(f'/graph/layer{l}/norm', rest.split('.')[1], lambda x: x)]
        if name.startswith('p1.') or name.startswith('p2.'):
            sc = '/prompts_generator1' if name[1] == '1' else '/prompts_generator2'
            rest = name[3:]
            if rest == 'alpha':
                return [(sc, 'alpha', lambda x: x)]
            if rest.startswith('norm.'):
                return [(sc + '/norm', rest[5:], lambda x: x)]
            parts = rest.split('.')  # decoder.i.<...>
            base = f'{sc}/decoder{parts[1]}'
            sub = parts[2:]
            if sub[0] in ('norm1', 'norm3'):
                return [(f'{base}/{sub[0]}', sub[1], lambda x: x)]
            if sub[0] == 'cross_attn':
                return [(f'{base}/cross_attn/{sub[1]}', 'weights' if sub[2] == 'weight' else 'biases', t)]
            if sub[0] == 'mlp':
                nm = 'mlp_fc' if sub[1] == '0' else 'mlp_proj'
                return [(f'{base}/{nm}', 'weights' if sub[2] == 'weight' else 'biases', t)]
        raise KeyError(name)

    for (name, p), g in zip(params.items(), grads[:len(params)]):
        for sc, nm, f in go_names(name, p):
            put(f'w:{sc}:{nm}', f(p))
            put(f'g:{sc}:{nm}', f(g) if g is not None else f(torch.zeros_like(p)))
    for k, v in zip(['frames', 'classes', 'animals'], grads[len(params):]):
        put(f'g:in:{k}', v)
    put('in:frames', frames); put('in:classes', classes); put('in:animals', animals)
    put('in:rel', rel); put('in:sel', sel); put('in:multihot', multihot); put('in:adj', adj); put('in:targets', targets)
    for k, v in out.items():
        put(f'out:{k}', v)
    put('out:loss', loss)
    put('out:scores', out['logits'].softmax(-1))
    put('cfg:sizes', [NA, NC, D, H, HEADS, LAYERS, B, S, T, VIN])
    np.savez('head.npz', **arr)
    # q/k projections and norm1 see a single key token: their gradient is exactly 0
    for k, v in arr.items():
        if k.startswith('g:/prompts') and ('/q_proj' in k or '/k_proj' in k or '/norm1' in k):
            assert np.abs(v).max() < 1e-12, (k, np.abs(v).max())
    print(len(arr), 'arrays, loss', float(loss))


if __name__ == '__main__':
    main()
