// Package ensmember trains one member of the ARTEMIS ensemble of Table 4 and
// caches its logits: it trains an ARTEMIS configuration exactly as
// internal/tasks/artemis does (same config keys, model, trainer and
// evaluator), then writes the member's raw logits on the val split and on
// every clip of the train split, with the train clips' fold index, beside
// its record (<hash>.logits.npz), so that every ensemble strategy
// (internal/tasks/artemisens) reuses one training. Its one extra key,
// train.exclude_fold, trains the member without one cross-validation fold,
// for the leak-free protocol.
package ensmember
