//go:build !amd64

package purego

var simdElementwise, simdAvailable = false, false

func addVV32(x, y, out []float32)                   { panic("no SIMD") }
func subVV32(x, y, out []float32)                   { panic("no SIMD") }
func mulVV32(x, y, out []float32)                   { panic("no SIMD") }
func divVV32(x, y, out []float32)                   { panic("no SIMD") }
func addXS32(x []float32, c float32, out []float32) { panic("no SIMD") }
func subXS32(x []float32, c float32, out []float32) { panic("no SIMD") }
func mulXS32(x []float32, c float32, out []float32) { panic("no SIMD") }
func divXS32(x []float32, c float32, out []float32) { panic("no SIMD") }
func subSX32(x []float32, c float32, out []float32) { panic("no SIMD") }
func divSX32(x []float32, c float32, out []float32) { panic("no SIMD") }
func signV32(x, out []float32)                      { panic("no SIMD") }
