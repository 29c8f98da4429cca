// Package purego makes GoMLX's embedded pure-Go backend able to train this project's models.
//
// Importing it (blank import is enough):
//
//   - registers a GoMLX backend named "purego" (see [New]) that wraps simplego ("go") in its
//     ops_sequential executor mode, the mode that cannot deadlock, and supplies the ops simplego
//     v0.25.0 lacks: Pad (edge, negative edge and interior), Reverse, DynamicSlice,
//     DynamicUpdateSlice, SelectAndScatterMax/Min (and an extra SelectAndScatterSum), each built
//     from ops simplego already executes (Slice, Concatenate, Reshape, BroadcastInDim, Gather,
//     Iota, Where, ArgMinMax...). With them the gradients of convolutions, pooling, Slice
//     and GoMLX's LSTM work;
//   - runs DotGeneral, for its own backends only, on a packed, blocked matrix kernel (package
//     gemm: AVX-512 or AVX2/FMA assembly on amd64, chosen at start-up from the CPU, all
//     bit-identical; portable Go elsewhere; gonum's Dgemm for float64)
//     instead of simplego's scalar loops, and lowers every ungrouped convolution to one
//     matrix product (a native im2col node, or, when the convolution narrows its channels,
//     the product first and a native col2im node; see [Builder.ConvGeneral]); runs Slice,
//     BroadcastInDim, Concatenate, max/sum ReduceWindow, the elementwise binary ops (with
//     broadcasting; float32 Add, Sub, Mul, Div and Sign in AVX2 loops that keep the scalar
//     loops' bits, elementwise_amd64.s) and 13 unary ops (elementwise.go), Where,
//     ReduceSum/Max/Min/Product and Transpose with its own executors (contiguous runs, split
//     across cores over output elements only, results bit-identical to simplego's whatever
//     the worker count), and the max-pool gradient SelectAndScatterMax/Min and Pad as native
//     nodes instead of compositions of simplego ops (fastops.go, elementwise.go, fastreduce.go, fastpool.go,
//     conv.go); simplego's executor table and node constructor are reached by go:linkname;
//   - for graphs built for its own backends only, replaces the gradient of DotGeneral (and
//     Dot) with one built from two DotGenerals (matrix products) instead of GoMLX's
//     broadcast-multiply-and-reduce, which simplego executes literally at a huge cost in time
//     and memory (see [DotGeneralVJP]), and replaces the gradient of channels-last
//     convolutions (one product per kernel position for the kernel, a transposed convolution
//     for the input) and corrects GoMLX v0.25.0's input gradient of convolutions with an even
//     (dilated) kernel size, padded one position short (see [ConvGeneralVJP]); graphs of any
//     other backend ("go", "xla:cuda") get GoMLX's own gradients;
//   - before compiling a graph for its own backends, fuses each tree of single-consumer float
//     elementwise ops (and the BroadcastInDim/Reshape feeding it, read in place) into one
//     native node computed in one pass with the same per-op expressions, bit-identical to the
//     unfused ops (fuse.go; option "purego:no_fusion" turns it off), and lets a DotGeneral
//     followed by a Reshape and Transpose write its product in the transposed layout
//     (dotlayout.go);
//   - passes ones for nil convolution strides and dilations, which GoMLX's kernel gradient
//     produces and simplego rejects (see [Builder.ConvGeneral]).
//
// Guard: the go:linkname patch, the reads of unexported GoMLX fields, the gradient overrides
// and the fast paths are enabled only when the binary is built with GoMLX exactly
// [GoMLXVersion] (v0.25.0, the source they were written against; see checkGoMLXVersion in
// guard.go for replace directives, go test binaries and missing build info) and the layout
// checks pass. Otherwise purego runs plain simplego ops and GoMLX's own gradients (correct,
// slower), logs one warning, and [FastPathsError] says why; TestFastPathsEnabled fails then.
//
// Importing the package registers the backend and changes no GoMLX default
// (backends.DefaultConfig is left alone): the project chooses its backend explicitly, in
// order an explicit --backend flag or spec field, $GOMLX_BACKEND, then "purego" (see
// [Resolve], [New] and internal/harness.ResolveBackend).
//
// The GPU path is "xla:cuda" (or "stablehlo:cuda") with gopjrt v0.10.0's PJRT CUDA plugin;
// when the plugin or the backend is missing [New] returns an error saying what to install and
// how to fall back, never a panic.
//
// Subpackage gradcheck holds the finite-difference gradient check used by the tests here and
// by the model packages. NOTES.md reports the benchmark numbers of issue 2 (`make bench`).
package purego
