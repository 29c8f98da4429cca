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
//     gemm: AVX2/FMA assembly on amd64, portable Go elsewhere; gonum's Dgemm for float64)
//     instead of simplego's scalar loops, and lowers every ungrouped convolution to one
//     matrix product (im2col, see [Builder.ConvGeneral]); simplego's executor table is
//     reached by go:linkname after a layout check (see [FastMatmulError]);
//   - replaces the gradient of DotGeneral in graph.VJPRegistration with one built from two
//     DotGenerals (matrix products) instead of GoMLX's broadcast-multiply-and-reduce, which
//     simplego executes literally at a huge cost in time and memory (see [DotGeneralVJP]);
//   - corrects two GoMLX v0.25.0 convolution-gradient problems: the input gradient of kernels
//     with an even (dilated) spatial size, which GoMLX pads one position short (see
//     [ConvGeneralVJP]), and the kernel gradient's nil strides, which simplego rejects (see
//     [Builder.ConvGeneral]);
//   - makes "purego" GoMLX's default backend (backends.DefaultConfig), so the choice of backend
//     is, in order: an explicit --backend flag or spec field, $GOMLX_BACKEND, then "purego"
//     (see [Resolve]).
//
// The GPU path is "xla:cuda" (or "stablehlo:cuda") with gopjrt v0.10.0's PJRT CUDA plugin;
// when the plugin or the backend is missing [New] returns an error saying what to install and
// how to fall back, never a panic.
//
// Subpackage gradcheck holds the finite-difference gradient check used by the tests here and
// by the model packages. NOTES.md reports the benchmark numbers of issue 2 (`make bench`).
package purego
