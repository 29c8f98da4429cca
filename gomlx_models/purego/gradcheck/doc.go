// Package gradcheck compares GoMLX's automatic gradients with central finite differences in
// float64, on any backend: the check behind the gradient tests of purego, layers and the model
// packages.
//
// A Case builds a (possibly non-scalar) output from its inputs and from context variables;
// the checked loss is sum(output * R) with R a fixed, non-symmetric weighting, so that errors
// cannot cancel. Variables are initialised deterministically: by [Initializer] (no RNG) unless
// the model installs its own initialisers, which then draw from the context's RNG seeded with
// Case.Seed; so the same Case gives the same numbers in every run and on every backend.
// Coordinates that sit on a kink of a piecewise-smooth loss (ReLU, max-pool) are detected by
// their one-sided differences and replaced by others, with a log line (see [Kink]).
package gradcheck
