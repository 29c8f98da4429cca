#!/usr/bin/python3
"""Test-only generator of the scikit-learn reference fixtures of the Go
logistic regression (internal/tasks/baselines). Never needed to build or run
the project; the Go tests read the committed outputs.

  gen_sklearn_fixtures.py synthetic
      writes sklearn_synth.npz: a small seeded multi-label problem and
      scikit-learn's OneVsRest(LogisticRegression(C, lbfgs)) coefficients,
      intercepts and decision values, fitted to a tight tolerance.
  gen_sklearn_fixtures.py real FEATURE_DIR C
      fits the same classifier on the Go features exported by
      `ACTREPRO_EXPORT_FEATURES=FEATURE_DIR go test -run TestRealSklearnParity`
      (x_train.npy, y_train.npy, x_val.npy, y_val.npy) and writes
      sklearn_real.json with the val macro/head/middle/tail/micro mAP.
  gen_sklearn_fixtures.py selectc FEATURE_DIR C1,C2,...
      prints the macro mAP of each C on exported features (a fold export).

Debian python3-sklearn (1.2.1), numpy; run with /usr/bin/python3.
"""
import json, sys, time
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.metrics import average_precision_score

TOOL = "scikit-learn %s, numpy %s" % (sklearn.__version__, np.__version__)


def fit(x, y, C, max_iter, tol):
    """OneVsRest LR on the classes with a positive and a negative; others get
    a constant score (their AP does not depend on it)."""
    keep = (y.sum(0) > 0) & (y.sum(0) < y.shape[0])
    clf = OneVsRestClassifier(LogisticRegression(C=C, max_iter=max_iter, tol=tol, solver="lbfgs"))
    clf.fit(x, y[:, keep])
    return clf, keep


def ak_eval(yv, s, counts, n_train):
    """Official macro mAP over classes with a val positive, head/middle/tail by
    train counts scaled to 24,004 clips (metrics.ScaledTrainCounts), micro."""
    K = yv.shape[1]
    ap = np.array([average_precision_score(yv[:, k], s[:, k]) if yv[:, k].any() else np.nan for k in range(K)])
    c = np.rint(counts * 24004.0 / n_train) if n_train != 24004 else counts
    seg = lambda m: float(np.nanmean(ap[m]))
    return {"map_macro": float(np.nanmean(ap)), "map_head": seg(c > 500), "map_middle": seg((c >= 100) & (c <= 500)),
            "map_tail": seg(c < 100), "map_micro": float(average_precision_score(yv.ravel(), s.ravel()))}


def scores(clf, keep, x):
    s = np.full((x.shape[0], keep.size), -1e9)
    s[:, keep] = clf.decision_function(x)
    return s


def load(d):
    return [np.load(d + "/" + n + ".npy").astype(np.float64) for n in ("x_train", "y_train", "x_val", "y_val")]


def real(d, C):
    xt, yt, xv, yv = load(d)
    yt, yv = yt > 0.5, yv > 0.5
    t = time.time()
    clf, keep = fit(xt, yt, C, 1000, 1e-4)
    el = time.time() - t
    out = {"tool": TOOL, "C": C, "max_iter": 1000, "tol": 1e-4, "dim": xt.shape[1], "n_train": xt.shape[0], "n_val": xv.shape[0],
           "encoder": "Go textenc features exported by TestRealSklearnParity", "fit_seconds": round(el, 1),
           "n_iter_max": int(max(e.n_iter_[0] for e in clf.estimators_))}
    out.update(ak_eval(yv, scores(clf, keep, xv), yt.sum(0), xt.shape[0]))
    json.dump(out, open("sklearn_real.json", "w"), indent=1)
    print(json.dumps(out, indent=1))


def selectc(d, cs):
    xt, yt, xv, yv = load(d)
    yt, yv = yt > 0.5, yv > 0.5
    for C in cs:
        clf, keep = fit(xt, yt, C, 1000, 1e-4)
        m = ak_eval(yv, scores(clf, keep, xv), yt.sum(0), xt.shape[0])
        print("C=%g %s" % (C, " ".join("%s %.2f" % (k, 100 * v) for k, v in m.items())), flush=True)


def synthetic():
    rng = np.random.default_rng(11)
    n, nt, d, k = 300, 100, 8, 4
    w = rng.normal(size=(d, k)) * 1.5
    b = np.array([-2.0, -1.0, -3.0, 0.0])
    x = rng.normal(size=(n + nt, d))
    y = (x @ w + b + rng.logistic(size=(n + nt, k))) > 0
    C = 0.5
    clf, keep = fit(x[:n], y[:n], C, 10000, 1e-12)
    assert keep.all()
    coef = np.stack([e.coef_[0] for e in clf.estimators_], axis=1)  # d x k
    icpt = np.array([e.intercept_[0] for e in clf.estimators_])
    np.savez("sklearn_synth.npz", x_train=x[:n].astype(np.float32), y_train=y[:n].astype(np.float32),
             x_test=x[n:].astype(np.float32), coef=coef, intercept=icpt, decision=clf.decision_function(x[n:].astype(np.float32).astype(np.float64)),
             C=np.array([C]))
    print(TOOL, "coef", coef.round(4).tolist(), "intercept", icpt.round(4).tolist())


if __name__ == "__main__":
    if sys.argv[1] == "synthetic":
        synthetic()
    elif sys.argv[1] == "real":
        real(sys.argv[2], float(sys.argv[3]))
    elif sys.argv[1] == "selectc":
        selectc(sys.argv[2], [float(c) for c in sys.argv[3].split(",")])
