#!/usr/bin/python3
"""Regenerates the reference fixtures of internal/metrics and internal/stats.

Run with Debian's Python, which has the reference tools:

    apt-get install python3-numpy python3-scipy python3-sklearn
    /usr/bin/python3 internal/metrics/testdata/gen_fixtures.py

It writes (paths relative to the repository root):

    internal/metrics/testdata/ap_cases.json         sklearn average_precision_score
    internal/metrics/testdata/topk_cases.json       sklearn top_k_accuracy_score (+ numpy multi-label)
    internal/metrics/testdata/detection_cases.json  numpy ActivityNet-protocol reference below
    internal/stats/testdata/paired_cases.json       scipy.stats ttest_rel / wilcoxon defaults

Every file records the tool versions and the seed. The cases are random but
seeded, so a rerun with the same tool versions writes the same files. The Go
tests read these files and never need Python.

The detection reference follows the semantics of the official ActivityNet
evaluation (activitynet/ActivityNet, Evaluation/eval_detection.py and
utils.py): written anew here, not copied. Two documented differences, both
about exact ties: predictions of equal score keep their file order (stable
sort; the official argsort()[::-1] reverses ties), and ground truths of equal
tIoU are tried in file order.
"""
import json
import os
import sys
import warnings

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn.metrics import average_precision_score, top_k_accuracy_score

warnings.simplefilter("ignore")
SEED = 20261121
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def debian_packages():
    """Debian package versions of the reference tools, when dpkg is there."""
    import subprocess
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}=${Version}\\n",
                              "python3-numpy", "python3-scipy", "python3-sklearn"],
                             capture_output=True, text=True, check=True).stdout
        return out.split()
    except (OSError, subprocess.CalledProcessError):
        return []


def versions():
    return {
        "debian_packages": debian_packages(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "generator": "internal/metrics/testdata/gen_fixtures.py",
        "seed": SEED,
    }


def nan_to_none(x):
    x = float(x)
    return None if np.isnan(x) else x


def write(path, obj):
    path = os.path.join(ROOT, path)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, allow_nan=False)
        f.write("\n")
    os.replace(tmp, path)
    print("wrote", os.path.relpath(path, ROOT))


# ---------------------------------------------------------------- mAP
def segment_of(count):
    if count > 500:
        return "head"
    if count >= 100:
        return "middle"
    return "tail"


def ap_cases(rng):
    cases = []
    for i in range(40):
        n = int(rng.integers(4, 61))
        k = int(rng.integers(1, 9))
        p = rng.uniform(0.05, 0.6)
        y = (rng.random((n, k)) < p).astype(int)
        if i % 5 == 0 and k > 1:
            y[:, 0] = 0  # a class without positives
        if y.sum() == 0:
            y[0, 0] = 1
        s = rng.normal(size=(n, k)) + 0.8 * y
        if i % 3 == 0:
            s = np.round(s, 1)  # ties
        per_class = []
        for c in range(k):
            if y[:, c].sum() > 0:
                per_class.append(float(average_precision_score(y[:, c], s[:, c])))
            else:
                per_class.append(None)
        vals = [v for v in per_class if v is not None]
        macro = float(np.mean(vals))
        micro = float(average_precision_score(y, s, average="micro"))
        batch = int(rng.integers(1, 13))
        tot = 0.0
        for lo in range(0, n, batch):
            yb, sb = y[lo:lo + batch], s[lo:lo + batch]
            # sklearn returns 0 (with a warning) for a batch without positives
            tot += len(yb) * float(average_precision_score(yb, sb, average="micro"))
        batch_micro = tot / n
        train_counts = [int(rng.choice([rng.integers(0, 100), rng.integers(100, 501), rng.integers(501, 2000)]))
                        for _ in range(k)]
        seg = {}
        for name in ("head", "middle", "tail"):
            v = [per_class[c] for c in range(k) if segment_of(train_counts[c]) == name and per_class[c] is not None]
            seg[name] = float(np.mean(v)) if v else None
        cases.append({
            "name": "ap%02d" % i, "labels": y.tolist(), "scores": s.tolist(),
            "per_class": per_class, "macro": macro, "micro": micro,
            "batch": batch, "batch_micro": batch_micro,
            "train_counts": train_counts, "head": seg["head"], "middle": seg["middle"], "tail": seg["tail"],
        })
    return cases


# ---------------------------------------------------------------- top-k
def topk_cases(rng):
    cases = []
    for i in range(20):
        n = int(rng.integers(3, 40))
        c = int(rng.integers(3, 12))
        y = rng.integers(0, c, size=n)
        s = rng.normal(size=(n, c))
        s[np.arange(n), y] += 1.0
        if i % 2 == 0:
            s = np.round(s, 0)  # many ties
        ks = sorted(set([1, int(rng.integers(1, c + 1)), min(5, c)]))
        acc = [float(top_k_accuracy_score(y, s, k=k, labels=np.arange(c))) for k in ks]
        cases.append({"name": "top%02d" % i, "labels": y.tolist(), "scores": s.tolist(), "k": ks, "accuracy": acc})
    for i in range(10):
        # Multi-label: a hit when any positive is in the top k, ranking as
        # sklearn's (stable ascending argsort, reversed).
        n = int(rng.integers(3, 30))
        c = int(rng.integers(3, 10))
        y = (rng.random((n, c)) < 0.3).astype(int)
        s = np.round(rng.normal(size=(n, c)) + y, 1)
        ks = [1, 2, 3]
        order = np.argsort(s, axis=1, kind="mergesort")[:, ::-1]
        acc = []
        for k in ks:
            top = order[:, :k]
            acc.append(float(np.mean([y[r, top[r]].any() for r in range(n)])))
        cases.append({"name": "multi%02d" % i, "multilabel": y.tolist(), "scores": s.tolist(), "k": ks, "accuracy": acc})
    return cases


# ---------------------------------------------------------------- detection
def seg_iou(t, cands):
    """tIoU of segment t with each row of cands: no +1 term, clipped overlap."""
    inter = (np.minimum(t[1], cands[:, 1]) - np.maximum(t[0], cands[:, 0])).clip(0)
    union = (cands[:, 1] - cands[:, 0]) + (t[1] - t[0]) - inter
    return inter / union


def voc_ap(prec, rec):
    """VOC 2011 interpolated AP."""
    mp = np.concatenate([[0.0], prec, [0.0]])
    mr = np.concatenate([[0.0], rec, [1.0]])
    for i in range(len(mp) - 2, -1, -1):
        mp[i] = max(mp[i], mp[i + 1])
    idx = np.where(mr[1:] != mr[:-1])[0] + 1
    return float(np.sum((mr[idx] - mr[idx - 1]) * mp[idx]))


def class_ap(gt, pred, tious):
    """gt: list of (video, s, e); pred: list of (video, s, e, score)."""
    ap = np.zeros(len(tious))
    if not pred:
        return ap
    order = np.argsort(-np.array([p[3] for p in pred]), kind="stable")
    pred = [pred[i] for i in order]
    for ti, thr in enumerate(tious):
        used = np.zeros(len(gt), dtype=bool)
        tp = np.zeros(len(pred))
        fp = np.zeros(len(pred))
        for pi, (v, s, e, _) in enumerate(pred):
            cand = [gi for gi, g in enumerate(gt) if g[0] == v]
            if not cand:
                fp[pi] = 1
                continue
            iou = seg_iou((s, e), np.array([[gt[g][1], gt[g][2]] for g in cand]))
            matched = False
            for j in np.argsort(-iou, kind="stable"):
                if iou[j] < thr:
                    break
                if used[cand[j]]:
                    continue
                used[cand[j]] = True
                matched = True
                break
            if matched:
                tp[pi] = 1
            else:
                fp[pi] = 1
        ctp, cfp = np.cumsum(tp), np.cumsum(fp)
        ap[ti] = voc_ap(ctp / (ctp + cfp), ctp / len(gt))
    return ap


def detection_cases(rng):
    labels_all = ["BaseballPitch", "HighJump", "LongJump", "PoleVault", "Diving"]
    cases = []
    for i in range(15):
        nv = int(rng.integers(2, 7))
        nc = int(rng.integers(1, 5))
        labels = labels_all[:nc]
        videos = ["video_%03d" % v for v in range(nv)]
        database, gt = {}, []
        for v in videos:
            anns = []
            for _ in range(int(rng.integers(1, 6))):
                lab = labels[int(rng.integers(0, nc))]
                s = round(float(rng.uniform(0, 100)), 2)
                e = round(s + float(rng.uniform(1, 20)), 2)
                seg = [str(s), str(e)] if (i % 4 == 1) else [s, e]
                anns.append({"label": lab, "segment": seg})
                gt.append((v, lab, s, e))
            database[v] = {"subset": "test" if v != videos[-1] or i % 3 else "train", "annotations": anns}
        subset = "test" if i % 3 == 0 else ""
        if subset:
            gt = [g for g in gt if database[g[0]]["subset"] == subset]
            if not gt:
                subset = ""
                gt = [(v, a["label"], float(a["segment"][0]), float(a["segment"][1]))
                      for v in videos for a in database[v]["annotations"]]
        gt_labels = sorted(set(g[1] for g in gt))
        results = {}
        preds = []
        for v in videos + ["video_nogt"]:
            lst = []
            for (gv, lab, s, e) in gt:
                if gv == v and rng.random() < 0.8:
                    for _ in range(int(rng.integers(1, 3))):
                        js, je = rng.normal(scale=2.0, size=2)
                        ps, pe = round(s + js, 2), round(e + je, 2)
                        if pe < ps:
                            ps, pe = pe, ps
                        lst.append((lab, ps, pe))
            for _ in range(int(rng.integers(0, 4))):
                lab = gt_labels[int(rng.integers(0, len(gt_labels)))]
                s = round(float(rng.uniform(0, 100)), 2)
                lst.append((lab, s, round(s + float(rng.uniform(0.5, 15)), 2)))
            if i % 5 == 2 and len(gt_labels) > 1:
                lst = [p for p in lst if p[0] != gt_labels[-1]]  # a class without predictions
            entries = []
            for (lab, s, e) in lst:
                sc = float(rng.random())
                if i % 4 == 3:
                    sc = round(sc, 1)  # score ties: file order breaks them
                entries.append({"label": lab, "segment": [s, e], "score": sc})
                preds.append((v, lab, s, e, sc))
            if entries:
                results[v] = entries
        tious = [0.1, 0.2, 0.3, 0.4, 0.5] if i % 2 == 0 else [0.3, 0.5, 0.7]
        per_class = {}
        for lab in gt_labels:
            g = [(v, s, e) for (v, l, s, e) in gt if l == lab]
            p = [(v, s, e, sc) for (v, l, s, e, sc) in preds if l == lab]
            per_class[lab] = class_ap(g, p, tious).tolist()
        m = np.mean(np.array([per_class[l] for l in gt_labels]), axis=0)
        cases.append({
            "name": "det%02d" % i, "subset": subset, "tiou": tious,
            "gt": {"version": "synthetic", "database": database},
            "pred": {"version": "synthetic", "results": results},
            "map": m.tolist(), "average": float(m.mean()), "per_class": per_class,
        })
    return cases


# ---------------------------------------------------------------- paired tests
def paired_cases(rng):
    cases = []
    sizes = [2, 3, 5, 8, 10, 12, 20, 30, 49, 50, 51, 60, 80]
    for i in range(45):
        n = sizes[i % len(sizes)]
        a = rng.normal(size=n)
        b = a + rng.normal(loc=0.3 * (i % 3 - 1), size=n)
        kind = i % 4  # 0 plain, 1 ties in |d|, 2 zeros, 3 both
        if kind in (1, 3):
            a, b = np.round(a, 1), np.round(b, 1)
            b = a + np.round(b - a, 0) + np.where(rng.random(n) < 0.5, 0.5, -0.5)
        if kind in (2, 3):
            z = rng.random(n) < 0.25
            b = np.where(z, a, b)
        a, b = a.astype(float), b.astype(float)
        d = a - b
        tt = scipy.stats.ttest_rel(a, b)
        case = {"name": "pair%02d" % i, "a": a.tolist(), "b": b.tolist(),
                "t": nan_to_none(tt.statistic), "t_p": nan_to_none(tt.pvalue)}
        if np.all(d == 0):
            case["wilcoxon_error"] = True
        else:
            w = scipy.stats.wilcoxon(a, b)
            method = "exact" if (len(d) <= 50 and np.sum(d == 0) == 0) else "approx"
            case.update({"w": float(w.statistic), "w_p": float(w.pvalue), "w_method": method,
                         "ties": bool(len(np.unique(np.abs(d[d != 0]))) < np.sum(d != 0))})
        cases.append(case)
    # Hand-picked edges: all differences equal (t = ±inf), all zero.
    for name, a, b in [("const_shift", [1.0, 2.0, 3.0, 4.0], [0.5, 1.5, 2.5, 3.5]),
                       ("all_zero", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
                       ("centre3", [1.0, 2.0, -3.0], [0.0] * 3),
                       ("centre4", [1.0, 4.0, -2.0, -3.0], [0.0] * 4)]:
        a, b = np.array(a), np.array(b)
        tt = scipy.stats.ttest_rel(a, b)
        t = float(tt.statistic)
        case = {"name": name, "a": a.tolist(), "b": b.tolist(),
                "t": None if np.isnan(t) else (("inf" if t > 0 else "-inf") if np.isinf(t) else t),
                "t_p": nan_to_none(tt.pvalue)}
        if np.all(a == b):
            case["wilcoxon_error"] = True
        else:
            w = scipy.stats.wilcoxon(a, b)
            d = a - b
            case.update({"w": float(w.statistic), "w_p": float(w.pvalue), "w_method": "exact",
                         "ties": bool(len(np.unique(np.abs(d))) < len(d))})
        cases.append(case)
    return cases


def main():
    rng = np.random.default_rng(SEED)
    v = versions()
    write("internal/metrics/testdata/ap_cases.json",
          {"tools": v, "reference": "sklearn.metrics.average_precision_score (per class, micro); "
                                    "macro = mean over classes with a positive; batch-micro = batch-size-weighted "
                                    "mean of per-batch micro AP", "cases": ap_cases(rng)})
    write("internal/metrics/testdata/topk_cases.json",
          {"tools": v, "reference": "sklearn.metrics.top_k_accuracy_score; multi-label cases: numpy, "
                                    "sklearn's ranking (mergesort ascending, reversed)", "cases": topk_cases(rng)})
    write("internal/metrics/testdata/detection_cases.json",
          {"tools": v, "reference": "numpy re-implementation of the ActivityNet detection protocol "
                                    "(activitynet/ActivityNet Evaluation/eval_detection.py semantics; "
                                    "stable sorts for ties)", "cases": detection_cases(rng)})
    write("internal/stats/testdata/paired_cases.json",
          {"tools": v, "reference": "scipy.stats.ttest_rel(a, b) and scipy.stats.wilcoxon(a, b), default "
                                    "arguments", "cases": paired_cases(rng)})


if __name__ == "__main__":
    main()
