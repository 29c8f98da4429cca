#!/usr/bin/python3
"""Raw-pixel logistic probe of the motion twin's train clips (diagnosis only; never needed to build
or run the project).

Reads the file TestHeldOutSelection writes with $AMCLIP_PROBE (one middle RGB frame per TRAIN clip
at the model's frame size, then its multi-hot labels), fits one L2 logistic regression per class on
the first 120 train clips' raw pixels and, for comparison, on the frame's colour-bin histogram,
and reports the AP on the other 40 train clips (never the val clips). It shows whether the
appearance signal is present in a single frame at the encoder's resolution.

Run: AMCLIP_PROBE=/tmp/p.bin AMCLIP_HELDOUT=rgb/sparse/untrained go test -run TestHeldOutSelection \
     ./internal/tasks/animalmotionclip; /usr/bin/python3 pixel_probe.py /tmp/p.bin
"""
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

NAMES = ["Keeping still", "Walking", "Running", "Shaking", "Swimming", "Eating", "Spreading Wings", "Attacking", "Retreating"]

b = open(sys.argv[1], "rb").read()
n, s, k = np.frombuffer(b[:12], dtype="<i4")
rec = s * s * 3 + k
a = np.frombuffer(b[12:], dtype=np.uint8).reshape(n, rec)
x = a[:, : s * s * 3].astype(np.float64) / 255
y = a[:, s * s * 3:].astype(int)
tr, te = slice(0, 120), slice(120, n)
# Translation-invariant features: the fraction of the frame's pixels in each of 6x6x6 colour bins
# (what a 1x1 detector pooled over the frame sees; the animal moves, so raw pixels put a leaf at a
# different input each clip).
q = np.minimum((x.reshape(n, s * s, 3) * 6).astype(int), 5)
bins = q[..., 0] * 36 + q[..., 1] * 6 + q[..., 2]
hist = np.stack([np.bincount(r, minlength=216) for r in bins]).astype(np.float64) / (s * s)
presence = np.sqrt(hist)
for name, feats in [("raw pixels", x), ("colour-bin presence (sqrt of pixel fraction)", presence)]:
    xs = (feats - feats[tr].mean(0)) / (feats[tr].std(0) + 1e-6)
    aps = []
    for c in range(k):
        if y[te, c].sum() == 0 or y[tr, c].sum() == 0:
            aps.append(float("nan"))
            continue
        m = LogisticRegression(C=0.01, max_iter=2000).fit(xs[tr], y[tr, c])
        aps.append(average_precision_score(y[te, c], m.decision_function(xs[te])))
    prev = y[te].mean(0)
    print(f"{name} ({s}x{s}): macro AP {100 * np.nanmean(aps):.1f} (chance {100 * prev[y[te].sum(0) > 0].mean():.1f})")
    for c in range(k):
        print(f"  {NAMES[c]:16s} AP {aps[c]:.2f}  prevalence {prev[c]:.2f}")
