// Package plots draws the figures of the reproduced papers with gonum/plot:
// box plots by group (ARTEMIS Fig. 2), grouped bars of paper-reported versus
// measured values per table row, training and validation curves,
// precision-recall curves, a confusion-matrix heat map and a detection
// timeline (ground-truth versus predicted segments of one video, GAF Fig. 5).
//
// Every constructor takes plain slices and returns a *Figure, which saves
// itself as SVG, PNG and PDF (atomically: temp file then rename) or renders
// to bytes for inline display in a notebook. Every figure has axis labels and
// a legend. The package knows nothing of specs, results or notebooks; the
// kernel package feeds it.
//
// Figures are deterministic: the same data gives byte-identical PNGs, which
// the tests check against golden images under testdata/ (regenerate them with
// `go test ./plots -regen` after an intended change, and look at them).
package plots
