"""Reference flow images for colorwheel_test.go, written with numpy only.

An independent implementation of the Middlebury colour-wheel convention
(Baker et al., IJCV 2011, computeColor.m; RAFT's flow_viz follows it):
55 hues (RY 15, YG 6, GC 4, CB 11, BM 13, MR 6), hue from atan2(-v, -u),
linear interpolation between the two nearest hues, saturation 1 - r(1 - c)
for r <= 1, 0.75 c beyond, channel = floor(255 c). Normalisation: by a fixed
maximum, or by the field's largest magnitude + 1e-5 (flow_to_image).

Run: /usr/bin/python3 testdata/gen_colorwheel.py  (writes testdata/colorwheel.json)
"""
import json
import os

import numpy as np


def wheel():
    segs = [(15, (1, 0, 0), 1, +1), (6, (1, 1, 0), 0, -1), (4, (0, 1, 0), 2, +1),
            (11, (0, 1, 1), 1, -1), (13, (0, 0, 1), 0, +1), (6, (1, 0, 1), 2, -1)]
    rows = []
    for n, base, ch, sign in segs:
        for i in range(n):
            c = [255.0 * b for b in base]
            ramp = np.floor(255.0 * i / n)
            c[ch] = ramp if sign > 0 else 255.0 - ramp
            rows.append(c)
    return np.array(rows)


def colors(u, v):
    cw = wheel()
    n = cw.shape[0]
    rad = np.sqrt(u * u + v * v)
    a = np.arctan2(-v, -u) / np.pi
    fk = (a + 1) / 2 * (n - 1)
    k0 = np.floor(fk).astype(np.int64)
    k1 = k0 + 1
    k1[k1 == n] = 0
    f = fk - k0
    out = np.zeros(u.shape + (3,), dtype=np.uint8)
    for c in range(3):
        col = (1 - f) * cw[k0, c] / 255.0 + f * cw[k1, c] / 255.0
        inside = rad <= 1
        col = np.where(inside, 1 - rad * (1 - col), col * 0.75)
        out[..., c] = np.floor(255 * col).astype(np.uint8)
    return out


def main():
    rng = np.random.default_rng(1)
    h, w = 6, 7
    cases = []
    # A sweep of directions at three magnitudes, plus zero and random flows.
    ang = np.linspace(-np.pi, np.pi, w * h, endpoint=False).reshape(h, w)
    for mag, maxmag in [(0.5, 1.0), (1.0, 1.0), (3.0, 2.0), (2.0, 0.0)]:
        u, v = (mag * np.cos(ang)).astype(np.float32), (mag * np.sin(ang)).astype(np.float32)
        cases.append((f"sweep mag {mag} max {maxmag}", u, v, maxmag))
    u = (rng.standard_normal((h, w)) * 2).astype(np.float32)
    v = (rng.standard_normal((h, w)) * 2).astype(np.float32)
    cases.append(("random, normalised by the field's max", u, v, 0.0))
    cases.append(("random, fixed max 4", u, v, 4.0))
    cases.append(("zero flow", np.zeros((h, w), np.float32), np.zeros((h, w), np.float32), 0.0))
    out = {"numpy": np.__version__, "wheel": wheel().astype(int).tolist(), "cases": []}
    for name, u, v, maxmag in cases:
        uu, vv = u.astype(np.float64), v.astype(np.float64)
        if maxmag > 0:
            s = maxmag
        else:
            s = np.sqrt(uu * uu + vv * vv).max() + 1e-5
        img = colors(uu / s, vv / s)
        out["cases"].append({"name": name, "w": w, "h": h, "max_mag": maxmag,
                             "u": u.ravel().tolist(), "v": v.ravel().tolist(),
                             "rgb": img.ravel().astype(int).tolist()})
    p = os.path.join(os.path.dirname(os.path.abspath(__file__)), "colorwheel.json")
    with open(p, "w") as fh:
        json.dump(out, fh)
    print("wrote", p)


if __name__ == "__main__":
    main()
