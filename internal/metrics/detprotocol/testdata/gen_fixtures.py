#!/usr/bin/python3
"""Regenerates internal/metrics/detprotocol/testdata/protocol_cases.json.

Run from the repository root with Debian's Python (numpy only) and the data
root holding the real THUMOS14 annotations:

    ACTREPRO_DATA=../shared/data /usr/bin/python3 internal/metrics/detprotocol/testdata/gen_fixtures.py

The reference below is an independent numpy implementation, written anew
(not copied), of

  * the official ActivityNet detection evaluation (activitynet/ActivityNet
    @ 2795199, Evaluation/eval_detection.py): per class, predictions in
    descending score (argsort()[::-1]); each is matched, per threshold, to
    the unlocked ground truth of its video with the highest tIoU if that
    tIoU reaches the threshold, else it is a false positive; a prediction on
    a video without ground truth of its class is a false positive; VOC-2011
    interpolated AP; mAP is the mean over the ground-truth classes;
  * plus, for the "afsd" protocol, the two filters of AFSD's copy
    (TencentYoutuResearch/ActionDetection-AFSD @ ed86a0d,
    AFSD/evaluation/eval_detection.py L136-137 and L139-140, the same in
    GAF @ adf91d1 GAF/evaluation/eval_detection.py L131-135): predictions on
    videos with no ground-truth annotation in the subset are dropped first,
    then predictions whose label is not a ground-truth class.

Under "activitynet" a label that is not a ground-truth class is an error
(the official code raises KeyError), so each case records whether that
error is expected and the ActivityNet result on the predictions with known
labels.

Scores are distinct within a case, so the official unstable argsort and the
Go code's stable sort order predictions the same way.

Cases named real_* use the REAL ground truth thumos14/thumos_gt.json (test
subset: 210 videos, 3,311 instances), read from $ACTREPRO_DATA at
generation time. Only the predictions and the expected values are written,
with the ground truth's SHA-256 so that the Go test checks it reads the same
file. Predictions cover all 212 test videos of thumos14.json, so those on
video_test_0000270 and video_test_0001496 (absent from thumos_gt.json) are
what the protocols disagree on.
"""
import hashlib
import json
import os
import sys

import numpy as np

SEED = 20261129
HERE = os.path.dirname(os.path.abspath(__file__))
THUMOS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
AFSD_TIOU = [0.3, 0.4, 0.5, 0.6, 0.7]
ANET_TIOU = [round(x, 2) for x in np.linspace(0.5, 0.95, 10)]


# ------------------------------------------------------------ reference
def load_gt(database, subset):
    """Rows (video, label, start, end) of the videos of subset (exact match;
    None keeps all), in file order; the label index in order of first
    appearance; the videos with at least one annotation."""
    rows, index, videos = [], {}, []
    for vid, v in database.items():
        if subset is not None and v["subset"] != subset:
            continue
        for a in v["annotations"]:
            if a["label"] not in index:
                index[a["label"]] = len(index)
            rows.append((vid, a["label"], float(a["segment"][0]), float(a["segment"][1])))
            videos.append(vid)
    return rows, index, set(videos)


def tiou(s, e, starts, ends):
    inter = np.clip(np.minimum(e, ends) - np.maximum(s, starts), 0, None)
    union = (ends - starts) + (e - s) - inter
    return inter / union


def interp_ap(prec, rec):
    p = np.concatenate([[0.0], prec, [0.0]])
    r = np.concatenate([[0.0], rec, [1.0]])
    for i in range(len(p) - 2, -1, -1):
        p[i] = max(p[i], p[i + 1])
    steps = np.nonzero(r[1:] != r[:-1])[0] + 1
    return float(np.sum((r[steps] - r[steps - 1]) * p[steps]))


def class_ap(gt, pred, thresholds):
    """gt: [(video, s, e)]; pred: [(video, s, e, score)]."""
    out = np.zeros(len(thresholds))
    if not pred:
        return out
    order = np.array([p[3] for p in pred]).argsort()[::-1]
    pred = [pred[i] for i in order]
    by_video = {}
    for gi, g in enumerate(gt):
        by_video.setdefault(g[0], []).append(gi)
    lock = -np.ones((len(thresholds), len(gt)))
    tp = np.zeros((len(thresholds), len(pred)))
    fp = np.zeros((len(thresholds), len(pred)))
    for pi, (v, s, e, _) in enumerate(pred):
        cand = by_video.get(v)
        if cand is None:
            fp[:, pi] = 1
            continue
        ious = tiou(s, e, np.array([gt[g][1] for g in cand]), np.array([gt[g][2] for g in cand]))
        ranked = ious.argsort()[::-1]
        for ti, thr in enumerate(thresholds):
            for j in ranked:
                if ious[j] < thr:
                    fp[ti, pi] = 1
                    break
                if lock[ti, cand[j]] >= 0:
                    continue
                tp[ti, pi] = 1
                lock[ti, cand[j]] = pi
                break
            if tp[ti, pi] == 0 and fp[ti, pi] == 0:
                fp[ti, pi] = 1
    ctp, cfp = np.cumsum(tp, axis=1), np.cumsum(fp, axis=1)
    for ti in range(len(thresholds)):
        out[ti] = interp_ap(ctp[ti] / (ctp[ti] + cfp[ti]), ctp[ti] / len(gt))
    return out


def evaluate(database, subset, preds, thresholds, protocol):
    """preds: [(video, label, s, e, score)]. Returns (result, dropped_nogt,
    dropped_label); result is None when the official code would fail."""
    rows, index, videos = load_gt(database, subset)
    kept, nogt, nolabel = [], 0, 0
    for p in preds:
        if protocol == "afsd" and p[0] not in videos:
            nogt += 1
            continue
        if p[1] not in index:
            if protocol == "afsd":
                nolabel += 1
                continue
            return None, 0, 0  # KeyError in the official _import_prediction
        kept.append(p)
    per_class = {}
    for lab in index:
        g = [(v, s, e) for (v, l, s, e) in rows if l == lab]
        q = [(v, s, e, sc) for (v, l, s, e, sc) in kept if l == lab]
        per_class[lab] = class_ap(g, q, thresholds)
    m = np.mean(np.array(list(per_class.values())), axis=0)
    return {"map": m.tolist(), "average": float(m.mean()),
            "per_class": {k: v.tolist() for k, v in per_class.items()}}, nogt, nolabel


# ------------------------------------------------------------ cases
class Scores:
    """Distinct scores rounded to 6 decimals."""

    def __init__(self, rng):
        self.rng, self.used = rng, set()

    def __call__(self, lo=0.0, hi=1.0):
        while True:
            s = round(float(self.rng.uniform(lo, hi)), 6)
            if s not in self.used:
                self.used.add(s)
                return s


def jitter(rng, s, e, scale):
    ln = max(e - s, 0.1)
    a = round(s + float(rng.normal(scale=scale * ln)), 2)
    b = round(e + float(rng.normal(scale=scale * ln)), 2)
    a, b = min(a, b), max(a, b)
    a = max(a, 0.0)
    if b - a < 0.05:
        b = round(a + 0.1, 2)
    return a, b


def compact(preds):
    videos = sorted({p[0] for p in preds})
    labels = sorted({p[1] for p in preds})
    vi = {v: i for i, v in enumerate(videos)}
    li = {l: i for i, l in enumerate(labels)}
    return {"videos": videos, "labels": labels,
            "rows": [[vi[p[0]], li[p[1]], p[2], p[3], p[4]] for p in preds]}


def expand(c):
    return [(c["videos"][r[0]], c["labels"][r[1]], r[2], r[3], r[4]) for r in c["rows"]]


def case_record(name, database, subset, preds, thresholds, gt_json=None, gt_sha=None):
    # round-trip through the stored form so the reference sees exactly the
    # values the Go test reads
    stored = compact(preds)
    preds = expand(json.loads(json.dumps(stored)))
    rec = {"name": name, "subset": subset if subset is not None else "", "tiou": thresholds, "pred": stored}
    if gt_json is not None:
        rec["gt"] = gt_json
    if gt_sha is not None:
        rec["gt_file"], rec["gt_sha256"] = "thumos14/thumos_gt.json", gt_sha
    afsd, nogt, nolabel = evaluate(database, subset, preds, thresholds, "afsd")
    rec["afsd"] = dict(afsd, dropped_nogt=nogt, dropped_label=nolabel)
    anet, _, _ = evaluate(database, subset, preds, thresholds, "activitynet")
    rec["activitynet_error"] = anet is None
    _, index, _ = load_gt(database, subset)
    known = [p for p in preds if p[1] in index]
    anet, _, _ = evaluate(database, subset, known, thresholds, "activitynet")
    rec["activitynet"] = anet
    return rec


def synthetic_cases(rng):
    labels_all = ["BaseballPitch", "CliffDiving", "HighJump", "LongJump", "PoleVault", "Shotput"]
    cases = []
    for i in range(24):
        score = Scores(rng)
        nc = int(rng.integers(1, 6))
        labels = labels_all[:nc]
        nv = int(rng.integers(2, 8))
        subset = ["test", "validation", None][i % 3]
        database = {}
        for k in range(nv):
            vid = "video_%s_%04d" % ("x" if subset is None else subset[:4], k)
            sub = subset if subset is not None else ["test", "validation"][k % 2]
            if subset is not None and k == nv - 1 and i % 2 == 0:
                sub = "train"  # a video of another subset: no ground truth under this subset
            anns = []
            if not (k == 0 and i % 4 == 1):  # sometimes a video without annotations
                for _ in range(int(rng.integers(1, 7))):
                    s = round(float(rng.uniform(0, 120)), 1)
                    e = round(s + float(rng.uniform(0.5, 15)), 1)
                    seg = [str(s), str(e)] if i % 5 == 0 else [s, e]
                    anns.append({"label": labels[int(rng.integers(0, nc))], "segment": seg})
            database[vid] = {"subset": sub, "duration": 150.0, "annotations": anns}
        rows, index, _ = load_gt(database, subset)
        if not rows:
            continue
        gt_labels = list(index)
        preds = []
        for (v, lab, s, e) in rows:
            if rng.random() < 0.75:
                for _ in range(int(rng.integers(1, 4))):
                    a, b = jitter(rng, s, e, 0.2)
                    preds.append((v, lab, a, b, score()))
        pred_videos = list(database) + ["video_nogt_%d" % i]
        for v in pred_videos:
            for _ in range(int(rng.integers(0, 5))):
                a = round(float(rng.uniform(0, 120)), 2)
                preds.append((v, gt_labels[int(rng.integers(0, len(gt_labels)))], a,
                              round(a + float(rng.uniform(0.3, 12)), 2), score()))
        if i % 3 == 1:  # unknown labels: dropped by afsd, an error for activitynet
            for _ in range(int(rng.integers(1, 4))):
                v = pred_videos[int(rng.integers(0, len(pred_videos)))]
                a = round(float(rng.uniform(0, 120)), 2)
                preds.append((v, "Ambiguous", a, round(a + 3, 2), score()))
        if i % 6 == 5 and len(gt_labels) > 1:  # a class without predictions
            preds = [p for p in preds if p[1] != gt_labels[-1]]
        order = rng.permutation(len(preds))
        preds = [preds[j] for j in order]
        thresholds = [THUMOS, AFSD_TIOU, ANET_TIOU][i % 3]
        cases.append(case_record("syn%02d" % i, database, subset, preds, thresholds,
                                 gt_json={"version": "synthetic", "database": database}))
    return cases


def real_cases(rng, root):
    gt_path = os.path.join(root, "thumos14", "thumos_gt.json")
    af_path = os.path.join(root, "thumos14", "thumos14.json")
    ann_path = os.path.join(root, "thumos14", "test_Annotation.csv")
    raw = open(gt_path, "rb").read()
    sha = hashlib.sha256(raw).hexdigest()
    database = json.loads(raw)["database"]
    af = json.load(open(af_path))["database"]
    test_videos = sorted(v for v, x in af.items() if x["subset"] == "Test")
    rows, index, videos = load_gt(database, "test")
    assert len(videos) == 210 and len(rows) == 3311, (len(videos), len(rows))
    missing = [v for v in test_videos if v not in videos]
    assert missing == ["video_test_0000270", "video_test_0001496"], missing
    gt_labels = sorted(index)
    ambiguous = []
    for line in open(ann_path).read().splitlines()[1:]:
        f = line.split(",")
        if len(f) > 4 and f[1] == "Ambiguous" and f[0] in af:
            ambiguous.append((f[0], float(f[3]), float(f[4])))
    cases = []
    for name, frac, scale, fp_rate, thresholds in [
        ("real_dense", 0.6, 0.15, 1.5, THUMOS),
        ("real_sparse", 0.25, 0.3, 0.8, AFSD_TIOU),
        ("real_exact", 1.0, 0.0, 0.5, THUMOS),
    ]:
        score = Scores(rng)
        preds = []
        for (v, lab, s, e) in rows:
            if rng.random() < frac:
                if scale == 0:
                    preds.append((v, lab, s, e, score(0.2, 0.9)))
                else:
                    for _ in range(int(rng.integers(1, 3))):
                        a, b = jitter(rng, s, e, scale)
                        preds.append((v, lab, a, b, score()))
        # false positives on every test video, random labels; in real_exact
        # they score below every true detection (so afsd gives AP 1)
        for v in test_videos:
            dur = af[v]["duration"]
            for _ in range(int(rng.poisson(fp_rate))):
                a = round(float(rng.uniform(0, max(dur - 5, 1))), 2)
                hi = 0.2 if scale == 0 else 1.0
                preds.append((v, gt_labels[int(rng.integers(0, len(gt_labels)))], a,
                              round(a + float(rng.uniform(0.5, 10)), 2), score(0.0, hi)))
        # the two test videos thumos_gt.json lacks: thumos14.json's own segments
        for v in missing:
            for a in af[v]["annotations"]:
                preds.append((v, a["label"], a["segment"][0], a["segment"][1], score(0.9, 1.0)))
        # Ambiguous instances predicted as such: a label no class has
        for (v, s, e) in ambiguous[::3]:
            preds.append((v, "Ambiguous", s, e, score()))
        order = rng.permutation(len(preds))
        preds = [preds[j] for j in order]
        cases.append(case_record(name, database, "test", preds, thresholds, gt_sha=sha))
    return cases


def main():
    root = os.environ.get("ACTREPRO_DATA")
    if not root or not os.path.exists(os.path.join(root, "thumos14", "thumos_gt.json")):
        sys.exit("set ACTREPRO_DATA to the data root holding thumos14/thumos_gt.json")
    rng = np.random.default_rng(SEED)
    cases = synthetic_cases(rng) + real_cases(rng, root)
    out = os.path.join(HERE, "protocol_cases.json")
    with open(out, "w") as f:
        json.dump({"tools": {"python": sys.version.split()[0], "numpy": np.__version__}, "seed": SEED,
                   "reference": "independent numpy implementation of ActivityNet eval_detection.py (2795199) "
                                "and AFSD's filters (AFSD/evaluation/eval_detection.py L136-140 @ ed86a0d)",
                   "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print("%s: %d cases, %d bytes" % (out, len(cases), os.path.getsize(out)))
    for c in cases:
        print("%-12s %5d preds  afsd avg %.4f (dropped %d no-gt, %d label)  activitynet avg %.4f%s" % (
            c["name"], len(c["pred"]["rows"]), c["afsd"]["average"], c["afsd"]["dropped_nogt"],
            c["afsd"]["dropped_label"], c["activitynet"]["average"],
            " (error with unknown labels)" if c["activitynet_error"] else ""))


if __name__ == "__main__":
    main()
