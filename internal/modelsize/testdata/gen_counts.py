"""Parameter counts of the modules of ARTEMIS (edofazza/ARTEMIS @ a1ec8b6,
artemis_code/models/artemis.py) at the paper's widths, counted by PyTorch.

Writes counts.json, which internal/modelsize's tests compare with the Go
analytic counts (exact equality). The backbones are assembled from torch.nn
modules with the layer structure of Hugging Face transformers'
TimesformerModel (facebook/timesformer-base-finetuned-k400, num_frames=16,
divided space-time attention) and CLIPVisionModel (openai/clip-vit-base-patch16,
no projection: the authors read pooler_output, artemis.py:118); no pretrained
weights are needed to count. The ARTEMIS head is the authors' __init__ with
both backbones left out, for the presets of section 4.2.

Run: /usr/bin/python3 gen_counts.py   (torch 1.13)
"""
import json

import torch
from torch import nn

torch.manual_seed(0)


def count(m):
    return sum(p.numel() for p in m.parameters())


class ViTLayer(nn.Module):
    """CLIPEncoderLayer: q, k, v, out projections with bias, 2 LayerNorms, MLP 4x."""

    def __init__(self, d, ff):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.fc1, self.fc2 = nn.Linear(d, ff), nn.Linear(ff, d)


class CLIPVision(nn.Module):
    def __init__(self, d=768, ff=3072, layers=12, patch=16, image=224, proj=0):
        super().__init__()
        n = (image // patch) ** 2 + 1
        self.class_embedding = nn.Parameter(torch.zeros(d))
        self.patch = nn.Conv2d(3, d, patch, patch, bias=False)
        self.pos = nn.Embedding(n, d)
        self.pre = nn.LayerNorm(d)
        self.layers = nn.ModuleList(ViTLayer(d, ff) for _ in range(layers))
        self.post = nn.LayerNorm(d)
        if proj:
            self.proj = nn.Linear(d, proj, bias=False)


class TimeSformerLayer(nn.Module):
    """TimesformerLayer, divided space-time: spatial and temporal attention
    (qkv with bias, output dense), temporal_dense, 3 LayerNorms, MLP 4x."""

    def __init__(self, d, ff):
        super().__init__()
        self.ln_before = nn.LayerNorm(d)
        self.qkv, self.out = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.t_ln = nn.LayerNorm(d)
        self.t_qkv, self.t_out = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.t_dense = nn.Linear(d, d)
        self.ln_after = nn.LayerNorm(d)
        self.fc1, self.fc2 = nn.Linear(d, ff), nn.Linear(ff, d)


class TimeSformer(nn.Module):
    def __init__(self, d=768, ff=3072, layers=12, patch=16, image=224, frames=16):
        super().__init__()
        n = (image // patch) ** 2 + 1
        self.patch = nn.Conv2d(3, d, patch, patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.pos = nn.Parameter(torch.zeros(1, n, d))
        self.time = nn.Parameter(torch.zeros(1, frames, d))
        self.layers = nn.ModuleList(TimeSformerLayer(d, ff) for _ in range(layers))
        self.ln = nn.LayerNorm(d)


class Head(nn.Module):
    """ARTEMIS.__init__ (artemis.py:14-76, fusion 'normal') without backbone and image_model."""

    def __init__(self, k=140, e=512, hidden=768, tokens=16, recurrent=None, residual=False,
                 backbone_residual=False, image_residual=False):
        super().__init__()
        self.linear1 = nn.Linear(hidden + e, e, bias=False)
        if recurrent == 'bilstm':
            self.rec = nn.LSTM(e, e // 2, num_layers=1, bidirectional=True)
        elif recurrent == 'gru':
            self.rec = nn.GRU(e, e // 2, num_layers=1, bidirectional=True)
        elif recurrent == 'conv':
            self.rec = nn.Conv1d(1, 1, kernel_size=3, padding=1)
        if backbone_residual:
            self.lin_b = nn.Linear(hidden, e)
        if image_residual:
            self.lin_f = nn.Linear(hidden, e)
        if residual:
            self.lin_res = nn.Linear(tokens, k)
        self.linear2 = nn.Linear(hidden + e, e, bias=False)
        self.query_embed = nn.Parameter(torch.zeros(k, e))
        self.transformer = nn.Transformer(d_model=e, batch_first=True)
        self.W = nn.Parameter(torch.zeros(1, k, e))
        self.b = nn.Parameter(torch.zeros(1, k))


# The presets of section 4.2 (residual = R_Hv, backbone_residual = R_b,
# image_residual = F_r; R_seq and R_Hq add no parameters).
presets = {
    'best1': dict(recurrent='conv', residual=True, backbone_residual=True, image_residual=True),
    'best2': dict(recurrent='conv', residual=True, backbone_residual=True),
    'best3': dict(recurrent='conv', residual=True, backbone_residual=True),
    'artemis-bilstm': dict(recurrent='bilstm', residual=True, backbone_residual=True, image_residual=True),
    'artemis-gru': dict(recurrent='gru', residual=True, backbone_residual=True, image_residual=True),
    'artemis-none': dict(recurrent=None, residual=True, backbone_residual=True, image_residual=True),
}

out = {
    'source': 'gen_counts.py, torch ' + torch.__version__,
    'timesformer_base_16': count(TimeSformer()),
    'timesformer_base_8': count(TimeSformer(frames=8)),
    'clip_vit_b16_vision': count(CLIPVision()),
    'clip_vit_b16_vision_proj512': count(CLIPVision(proj=512)),
    'transformer_512_6_6': count(nn.Transformer(d_model=512, batch_first=True)),
    'transformer_64_2_1_ff128': count(nn.Transformer(d_model=64, nhead=2, num_encoder_layers=2,
                                                     num_decoder_layers=1, dim_feedforward=128)),
    'encoder_layer_512': count(nn.TransformerEncoderLayer(512, 8)),
    'decoder_layer_512': count(nn.TransformerDecoderLayer(512, 8)),
    'heads': {name: count(Head(**kw)) for name, kw in presets.items()},
    'heads_k13': {name: count(Head(k=13, **kw)) for name, kw in presets.items()},
}
with open('counts.json', 'w') as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write('\n')
print(json.dumps(out, indent=1, sort_keys=True))
