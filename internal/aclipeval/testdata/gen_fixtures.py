#!/usr/bin/python3
"""scikit-learn reference of internal/aclipeval (test-only): val.py's metrics of Animal-CLIP
(PRIS-CV/Animal-CLIP @ 4cff5a8) on seeded random cases, written out as cases.json:

  get_map      (utils/tools.py:679-701): average_precision_score(average=None) over the
               columns with a positive, mean;
  compute_F1   (utils/tools.py:752-785): top-k of each row set to 1; 'overall' pools TP /
               predicted and TP / positives; per-class mode: f1_score / precision_score /
               recall_score of each column with a positive, zeros elsewhere, mean over all.

The function bodies below are re-derived from the formulas above, with scikit-learn doing the
per-class work, not copied. Scores are distinct (no ties), so the top-k is unambiguous.
Run: /usr/bin/python3 gen_fixtures.py
"""
import json
import numpy as np
import sklearn
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score


def topk(scores, k):
    pred = np.zeros_like(scores)
    idx = np.argsort(scores, axis=1)[:, -k:]
    for i in range(scores.shape[0]):
        pred[i, idx[i]] = 1
    return pred


def case(rng, n, c, k, density):
    y = (rng.random((n, c)) < density).astype(int)
    y[0, 0] = 1
    y[:, -1] = 0  # a class without a positive
    s = rng.random((n, c)) + 0.5 * y * rng.random((n, c))
    keep = ~np.all(y == 0, axis=0)
    aps = average_precision_score(y[:, keep], s[:, keep], average=None)
    pred = topk(s, k)
    mask = pred == 1
    tp = np.sum(y[mask] == 1)
    p, r = tp / np.sum(mask), tp / np.sum(y == 1)
    f = 2 * p * r / (p + r)
    pf, pp, pr = np.zeros(c), np.zeros(c), np.zeros(c)
    for j in range(c):
        if y[:, j].sum() == 0:
            continue
        pf[j] = f1_score(y[:, j], pred[:, j], zero_division=0)
        pp[j] = precision_score(y[:, j], pred[:, j], zero_division=0)
        pr[j] = recall_score(y[:, j], pred[:, j], zero_division=0)
    return dict(n=n, c=c, k=k, y=y.tolist(), scores=s.tolist(), map=float(np.mean(aps)),
                f1=[float(p), float(r), float(f)], f1_per_class=[float(pp.mean()), float(pr.mean()), float(pf.mean())])


def main():
    rng = np.random.default_rng(17)
    cases = [case(rng, n, c, k, d) for n, c, k, d in [(12, 6, 3, 0.3), (30, 9, 3, 0.2), (25, 5, 1, 0.4), (40, 12, 3, 0.15)]]
    json.dump(dict(tools=dict(numpy=np.__version__, sklearn=sklearn.__version__, generator='internal/aclipeval/testdata/gen_fixtures.py', seed=17),
                   cases=cases), open('cases.json', 'w'), indent=0)


if __name__ == '__main__':
    main()
