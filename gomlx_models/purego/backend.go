package purego

import (
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// Backend is the "purego" backend: simplego executing ops one at a time (each op still uses
// all cores inside), with the missing ops supplied by [Builder].
type Backend struct {
	backends.Backend // the wrapped simplego backend: buffers and devices pass through.
	config           string
	caps             backends.Capabilities
	convDirect       bool // option "conv_direct": simplego's direct convolution, not im2col
	noFusion         bool // option "no_fusion": no elementwise fusion pass (fuse.go)
}

// SuppliedOps lists the ops purego adds to simplego v0.25.0. SelectAndScatterSum has no
// method in backends.Builder v0.25.0 (it is deprecated upstream and GoMLX differentiates sum
// pooling with Pad+ReduceWindow); purego still offers it as Builder.SelectAndScatterSum.
var SuppliedOps = []backends.OpType{
	backends.OpTypePad,
	backends.OpTypeReverse,
	backends.OpTypeDynamicSlice,
	backends.OpTypeDynamicUpdateSlice,
	backends.OpTypeSelectAndScatterMax,
	backends.OpTypeSelectAndScatterMin,
	backends.OpTypeSelectAndScatterSum,
}

// newPureGo builds the backend. opts are simplego's options ("parallelism=N",
// "dotgeneral_small", "dotgeneral_large") and purego's "conv_direct" (run convolutions with
// simplego's direct loops instead of one matrix product each) and "no_fusion" (no
// elementwise fusion: every op runs as its own node), comma separated; "ops_sequential" is always on and
// "ops_parallel" is refused, because simplego's parallel op executor can deadlock (a task
// running a large DotGeneral waits for pool workers held by tasks doing the same).
func newPureGo(opts string) (backends.Backend, error) {
	var keep []string
	convDirect, noFusion := false, false
	for _, part := range strings.Split(opts, ",") {
		part = strings.TrimSpace(part)
		key, _, _ := strings.Cut(part, "=")
		switch key {
		case "", "ops_sequential":
		case "conv_direct":
			convDirect = true
		case "no_fusion":
			noFusion = true
		case "ops_parallel":
			return nil, fmt.Errorf("purego backend option %q refused: simplego's parallel op executor can deadlock "+
				"(use backend \"go:ops_parallel\" to get it anyway)", part)
		default:
			keep = append(keep, part)
		}
	}
	keep = append(keep, "ops_sequential")
	inner, err := simplego.New(strings.Join(keep, ","))
	if err != nil {
		return nil, fmt.Errorf("purego backend config %q: %w", opts, err)
	}
	if sg, ok := inner.(*simplego.Backend); ok {
		pureInner.Store(sg, struct{}{})
	}
	warnIfOff()
	caps := inner.Capabilities().Clone()
	for _, op := range SuppliedOps {
		caps.Operations[op] = true
	}
	return &Backend{Backend: inner, config: opts, caps: caps, convDirect: convDirect, noFusion: noFusion}, nil
}

// Finalize implements backends.Backend.
func (b *Backend) Finalize() {
	if sg, ok := b.Backend.(*simplego.Backend); ok {
		pureInner.Delete(sg)
	}
	b.Backend.Finalize()
}

// Name implements backends.Backend.
func (b *Backend) Name() string {
	return "PureGo (purego: simplego + missing ops, sequential executor)"
}

// String implements backends.Backend: the name to use in GOMLX_BACKEND.
func (b *Backend) String() string { return Name }

// Description implements backends.Backend.
func (b *Backend) Description() string {
	return "GoMLX simplego backend, ops executed sequentially (no deadlock), with Pad, Reverse, " +
		"DynamicSlice, DynamicUpdateSlice and SelectAndScatter supplied by actrepro"
}

// Capabilities implements backends.Backend: simplego's plus [SuppliedOps].
func (b *Backend) Capabilities() backends.Capabilities { return b.caps }

// Builder implements backends.Backend.
func (b *Backend) Builder(name string) backends.Builder {
	return &Builder{Builder: b.Backend.Builder(name), convDirect: b.convDirect, noFusion: b.noFusion}
}

// Builder wraps simplego's builder and supplies the ops it lacks, each as a composition of ops
// simplego implements. Compile runs the elementwise fusion pass (fuse.go) before simplego's.
// Every other method is simplego's.
type Builder struct {
	backends.Builder
	shared map[sharedKey]backends.Op // conv.go: padded inputs and im2cols reused in one graph

	convDirect bool
	noFusion   bool
}
