// Package metrics computes the evaluation numbers the papers report, from
// plain slices: per-class average precision and its macro (Animal Kingdom's
// official mAP), micro and batch-micro means, head/middle/tail segments by
// training-label frequency, top-k accuracy, and temporal action detection
// mAP under the ActivityNet protocol. It also reads users' prediction files
// (CSV matrices, ActivityNet JSON) with errors that name file, line and field.
//
// Every function is checked against reference tools on randomized cases:
// scikit-learn's average_precision_score and top_k_accuracy_score, and a
// numpy re-implementation of the official ActivityNet detection evaluation.
// The reference values were computed once by testdata/gen_fixtures.py and
// are stored as JSON fixtures (tool versions recorded in each file), so the
// tests do not need Python.
package metrics
