//go:build !amd64 || purego

package gemm

// defaultKernel is the portable kernel: there is no assembly for this architecture (or the
// purego build tag disabled it).
var defaultKernel = &genericKernel

// kernels lists the kernels usable on this machine (for tests and benchmarks).
func kernels() []*microKernel { return []*microKernel{&genericKernel} }
