"""Times one training step of the UCF50 ConvLSTM and LRCN models in PyTorch on the CPU.

Test-only reference for `make bench` (BenchmarkPyTorchConvModels in bench_conv_test.go); the
project never needs Python. Same models, shapes, loss and optimizer as the Go benchmark:
batch B of 20 frames 64x64x3, 4 classes, the architectures of gomlx_models/convlstm (paper
Figure 1) and gomlx_models/lrcn (Figure 2), dropout on (training mode), sparse softmax
cross-entropy, Adam lr 1e-3 eps 1e-7, torch.set_num_threads(2).

Usage: python3 pytorch_conv_models.py B N   (N timed steps after one warm-up step)
Prints one line per model: "<ConvLSTM|LRCN> <torch version> <wall s/step> <CPU s/step>".
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

B, N = int(sys.argv[1]), int(sys.argv[2])
T, H, W, C, CLASSES = 20, 64, 64, 3, 4
torch.manual_seed(1)
torch.set_num_threads(2)


def hard_sigmoid(z):
    # tf.keras 2.x ConvLSTM2D recurrent_activation: clip(0.2 z + 0.5, 0, 1).
    return torch.clamp(0.2 * z + 0.5, 0.0, 1.0)


class ConvLSTM2D(nn.Module):
    """Keras ConvLSTM2D(filters, 3, padding="valid", return_sequences=True,
    recurrent_dropout=0.2), gates i, f, c, o; input convolution of all frames at once."""

    def __init__(self, cin, f, k=3, rdrop=0.2):
        super().__init__()
        self.f, self.rdrop = f, rdrop
        self.wx = nn.Conv2d(cin, 4 * f, k)                        # valid, with the bias
        self.wh = nn.Conv2d(f, 4 * f, k, padding=k // 2, bias=False)  # "same" recurrent conv

    def forward(self, x):  # x [B, T, C, H, W]
        b, t = x.shape[:2]
        zx = self.wx(x.reshape(b * t, *x.shape[2:]))
        zx = zx.reshape(b, t, *zx.shape[1:])
        oh, ow = zx.shape[-2:]
        mask = None
        if self.training and self.rdrop > 0:
            mask = (torch.rand(b, self.f, oh, ow) > self.rdrop).float() / (1 - self.rdrop)
        h = c = None
        outs = []
        for s in range(t):
            z = zx[:, s]
            if h is not None:
                z = z + self.wh(h * mask if mask is not None else h)
            i, fg, cc, o = torch.split(z, self.f, dim=1)
            i, fg, o, cc = hard_sigmoid(i), hard_sigmoid(fg), hard_sigmoid(o), torch.tanh(cc)
            c = i * cc if c is None else fg * c + i * cc
            h = o * torch.tanh(c)
            outs.append(h)
        return torch.stack(outs, 1)


class ConvLSTMModel(nn.Module):
    def __init__(self, filters=(4, 8, 14, 16)):
        super().__init__()
        cins = (C,) + tuple(filters[:-1])
        self.cells = nn.ModuleList(ConvLSTM2D(ci, f) for ci, f in zip(cins, filters))
        h = H
        for _ in filters:
            h = (h - 2 + 1) // 2  # valid 3x3 conv, then MaxPooling3D((1, 2, 2), padding="same")
        self.dense = nn.Linear(T * h * h * filters[-1], CLASSES)

    def forward(self, x):  # x [B, T, C, H, W]
        for k, cell in enumerate(self.cells):
            x = cell(x)
            b, t = x.shape[:2]
            y = x.reshape(b * t, *x.shape[2:])
            y = F.max_pool2d(y, 2, 2, ceil_mode=True)  # Keras "same" pooling of odd sizes
            x = y.reshape(b, t, *y.shape[1:])
            if k < len(self.cells) - 1:
                x = F.dropout(x, 0.2, self.training)
        return self.dense(x.reshape(x.shape[0], -1))


class LRCNModel(nn.Module):
    def __init__(self, filters=(16, 32, 64, 64), pools=(4, 4, 2, 2), units=32):
        super().__init__()
        cins = (C,) + tuple(filters[:-1])
        self.convs = nn.ModuleList(nn.Conv2d(ci, f, 3, padding=1) for ci, f in zip(cins, filters))
        self.pools = pools
        h = H
        for p in pools:
            h //= p
        self.lstm = nn.LSTM(h * h * filters[-1], units, batch_first=True)
        self.dense = nn.Linear(units, CLASSES)

    def forward(self, x):  # x [B, T, C, H, W]
        b, t = x.shape[:2]
        y = x.reshape(b * t, *x.shape[2:])
        for k, (conv, p) in enumerate(zip(self.convs, self.pools)):
            y = F.max_pool2d(F.relu(conv(y)), p, p)
            if k < len(self.convs) - 1:
                y = F.dropout(y, 0.25, self.training)
        _, (h, _) = self.lstm(y.reshape(b, t, -1))
        return self.dense(h[-1])


def time_step(name, model):
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    x = torch.rand(B, T, C, H, W)
    y = torch.randint(0, CLASSES, (B,))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(N):
        step()
    wall, cpu = (time.perf_counter() - t0) / N, (time.process_time() - c0) / N
    print(name, torch.__version__, wall, cpu, flush=True)


time_step("ConvLSTM", ConvLSTMModel())
time_step("LRCN", LRCNModel())
