// Package trainer is the small training loop the paper tasks share: it runs
// a GoMLX model function over shuffled mini-batches with Adam, steps a
// learning-rate schedule once per epoch (constant, or cosine annealing with
// warm restarts as PyTorch's CosineAnnealingWarmRestarts), evaluates after
// every epoch through a caller's function, stops early on a monitored
// validation value, records per-epoch curves and reports progress to a
// runner.Progress.
//
// It knows no paper: models, losses, data and metrics come from the caller.
package trainer
