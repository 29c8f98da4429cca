#!/usr/bin/python3
"""Exploration (not a fixture): what scikit-learn reaches on the real Animal
Kingdom text track with its own TF-IDF (1,2)-grams and its own LSA-512.
Usage: explore_sklearn.py DATA_ROOT. Prints macro/head/middle/tail/micro mAP."""
import csv, sys, time
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import Normalizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.metrics import average_precision_score

root = sys.argv[1] + "/animalkingdom/"
K = 140
summ = {r["video"]: r["summary"] for r in csv.DictReader(open(root + "summaries.csv"))}
def split(name):
    ids, labs = [], []
    for line in open(root + name).read().splitlines()[1:]:
        vid, l = line.split(";")
        ids.append(vid); labs.append([int(x) for x in l.split(",")])
    y = np.zeros((len(ids), K), bool)
    for i, l in enumerate(labs): y[i, l] = True
    return [summ[v] for v in ids], y
tr_txt, ytr = split("train_light.csv")
va_txt, yva = split("val_light.csv")
counts = ytr.sum(0)
def evaluate(s):
    ap = np.array([average_precision_score(yva[:, k], s[:, k]) if yva[:, k].any() else np.nan for k in range(K)])
    seg = lambda m: np.nanmean(ap[m]) * 100
    return "macro %.2f head %.2f middle %.2f tail %.2f micro %.2f" % (np.nanmean(ap) * 100, seg(counts > 500),
        seg((counts >= 100) & (counts <= 500)), seg(counts < 100), average_precision_score(yva.ravel(), s.ravel()) * 100)
keep = ytr.any(0)
def fit(Xtr, Xva, C):
    t = time.time()
    clf = OneVsRestClassifier(LogisticRegression(C=C, max_iter=300)).fit(Xtr, ytr[:, keep])
    s = np.full((Xva.shape[0], K), -1e9); s[:, keep] = clf.decision_function(Xva)
    return evaluate(s) + " (%.0fs)" % (time.time() - t)
vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
Xtr = vec.fit_transform(tr_txt); Xva = vec.transform(va_txt)
print("vocab", len(vec.vocabulary_), "nnz/doc", Xtr.nnz / Xtr.shape[0], flush=True)
for C in [4, 16]:
    print("tfidf12 C=%g:" % C, fit(Xtr, Xva, C), flush=True)
svd = TruncatedSVD(512, random_state=0).fit(Xtr)
norm = Normalizer()
Ltr, Lva = norm.transform(svd.transform(Xtr)), norm.transform(svd.transform(Xva))
print("LSA explained variance %.3f" % svd.explained_variance_ratio_.sum(), flush=True)
for C in [4, 16, 64]:
    print("lsa512 C=%g:" % C, fit(Ltr, Lva, C), flush=True)
