// Package baselines runs the two reference baselines of the Animal Kingdom
// text track as a runner task ("ak-text-baseline"): the label-frequency
// baseline (every clip scored by the train prevalence of each class, the
// mAP a model gets without looking at its input) and a logistic regression
// (one sigmoid per class on the description embedding, trained with Adam on
// a GoMLX backend, purego by default). Both are evaluated with Animal
// Kingdom's official macro mAP on the validation split, so a model's number
// on the track can be read against "no input" and "linear probe".
package baselines
