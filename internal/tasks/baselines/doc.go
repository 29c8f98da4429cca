// Package baselines runs the two reference baselines of the Animal Kingdom
// text track as a runner task ("ak-text-baseline"): the label-frequency
// baseline (every clip scored by the train prevalence of each class, the
// mAP a model gets without looking at its input) and a logistic regression
// (one sigmoid per class on the description embedding) fitted like
// scikit-learn's OneVsRest(LogisticRegression(C, solver="lbfgs")): full-batch
// L-BFGS from gonum/optimize on the summed binary cross-entropy plus
// ||W||²/(2C), biases starting at the classes' log-odds priors, scored by
// logits. testdata/gen_sklearn_fixtures.py (test-only, Debian
// python3-sklearn) produced the fixtures its tests compare against. Both
// baselines are evaluated with metrics.EvaluateMultiLabel, Animal Kingdom's
// official macro mAP with head/middle/tail, on the val split or on a
// held-out train fold (data.eval), so a model's number on the track can be
// read against "no input" and "linear probe".
package baselines
