// Package gradcheck compares GoMLX's automatic gradients with central finite differences in
// float64, on any backend: the check behind the gradient tests of purego, layers and the model
// packages.
//
// A Case builds a (possibly non-scalar) output from its inputs and from context variables;
// the checked loss is sum(output * R) with R a fixed, non-symmetric weighting, so that errors
// cannot cancel. Variables are initialised deterministically (no RNG), so the same Case gives
// the same numbers on every backend.
package gradcheck
