package purego

import "golang.org/x/sys/cpu"

// simdElementwise: the AVX2 loops of elementwise_amd64.s may run (the CPU has AVX2).
var simdElementwise = simdAvailable

// simdAvailable: the CPU has AVX2.
var simdAvailable = cpu.X86.HasAVX2

// Implemented in elementwise_amd64.s; x, y have at least len(out) elements.

//go:noescape
func addVV32(x, y, out []float32)

//go:noescape
func subVV32(x, y, out []float32)

//go:noescape
func mulVV32(x, y, out []float32)

//go:noescape
func divVV32(x, y, out []float32)

//go:noescape
func addXS32(x []float32, c float32, out []float32)

//go:noescape
func subXS32(x []float32, c float32, out []float32)

//go:noescape
func mulXS32(x []float32, c float32, out []float32)

//go:noescape
func divXS32(x []float32, c float32, out []float32)

//go:noescape
func subSX32(x []float32, c float32, out []float32)

//go:noescape
func divSX32(x []float32, c float32, out []float32)

//go:noescape
func signV32(x, out []float32)
