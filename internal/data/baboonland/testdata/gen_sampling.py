"""Frame indices that the authors' follow-up code samples from a clip.

ActionDataset._sample_indices (edofazza/artemis2 @ b3c001c,
src/artemis2/artemis2/myfusion/datasets/datasets.py:35-44) with
random_shift=False (BaboonLandDataset's value for train and test,
datamanager.py:306-309,393), re-implemented here with numpy so the Go port
can be compared on many clip lengths. Writes sampling.json.

Run: /usr/bin/python3 gen_sampling.py
"""
import json

import numpy as np


def sample_indices(num_frames, total_length):
    if num_frames <= total_length:
        return np.linspace(0, num_frames - 1, total_length, dtype=int)
    ticks = np.linspace(0, num_frames, total_length + 1, dtype=int)
    return ticks[:-1] + (ticks[1:] - ticks[:-1]) // 2


cases = []
for t in (8, 12, 16):
    for n in list(range(1, 70)) + [97, 100, 149, 157, 300, 451, 1000]:
        cases.append({"n": n, "t": t, "indices": [int(i) for i in sample_indices(n, t)]})
with open("sampling.json", "w") as f:
    json.dump({"source": "gen_sampling.py, numpy " + np.__version__, "cases": cases}, f)
    f.write("\n")
print(len(cases), "cases")
