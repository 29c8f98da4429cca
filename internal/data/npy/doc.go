// Package npy reads and writes NumPy .npy arrays and .npz archives in pure
// Go, the formats of the papers' feature stores (one [T, C] float32 or
// float16 .npy per video, e.g. I3D features) and of CLIP embedding files.
//
// It follows the NumPy format specification (numpy/lib/format.py, versions
// 1.0, 2.0 and 3.0): a magic string, a little-endian header length, a Python
// dict literal header with 'descr', 'fortran_order' and 'shape', then the
// raw data. Numeric dtypes of either byte order are read and converted to
// float32; Fortran-ordered arrays are returned in C order. Malformed input
// returns an error and never panics (the reader is fuzzed).
package npy
