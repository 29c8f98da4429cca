package purego

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gopjrt/dtypes"

	"github.com/actrepro/actrepro/gomlx_models/purego/gemm"
)

// DotGeneral written in a transposed layout (issue 12, round 5). GoMLX's attention takes
// per-head products of [B,T,H,D] operands: simplego computes them as a [B·H, Tq, n] DotGeneral,
// reshapes it to [B,H,Tq,n] and transposes that to [B,Tq,H,n], a copy of the whole result (the
// head's training step has five of them, 2.5M to 6.2M elements each). When the transpose keeps
// n innermost, every [Tq, n] matrix of the product is a strided matrix of the transposed
// result (row stride H·n, batch strides of B and H), which gemm writes directly (ldc and
// batch strides). The pass (absorbDotTransposes, run with the fusion pass, so off with
// purego:no_fusion) rewrites such a Transpose(Reshape(DotGeneral)) into one native node in
// opFused's slot (data *dotOutProgram); the DotGeneral and the Reshape are left unused.
// Every output element is the same sum gemm computed before (gemm's values do not depend on
// ldc or on which batch goes where): TestDotOutLayoutBitIdentical.

// dotOutProgram is the data of a DotGeneral node written in a permuted layout.
type dotOutProgram struct {
	dot          any   // simplego's DotGeneral node data
	batchStrides []int // output stride of each batch axis (in the node's batch order)
	ldc          int   // output stride of the lhs-cross axis (the rhs-cross axis has stride 1)
}

var dotOutBuilt, dotOutCalls atomic.Int64 // for tests

// dotOutLayout turns the rewrite on (BenchmarkHeadRound5Interleaved compiles a step without it).
var dotOutLayout = true

// absorbDotTransposes rewrites each Transpose(Reshape(DotGeneral)) of nodes that qualifies.
func absorbDotTransposes(nodes []*simplego.Node, f *fuser) {
	if !dotOutLayout {
		return
	}
	for i, t := range nodes {
		if f.uses[i] == 0 || *nodeOpType(t) != backends.OpTypeTranspose || nodeMulti(t) {
			continue
		}
		tShape, tData := nodeOf(t)
		perm, ok := tData.([]int)
		if !ok || (tShape.DType != dtypes.Float32 && tShape.DType != dtypes.Float64) || len(*nodeInputs(t)) != 1 {
			continue
		}
		r := (*nodeInputs(t))[0]
		ri := nodeIndex(r)
		if *nodeOpType(r) != backends.OpTypeReshape || f.uses[ri] != 1 || f.isOutput[ri] || len(*nodeInputs(r)) != 1 || nodeMulti(r) {
			continue
		}
		d := (*nodeInputs(r))[0]
		di := nodeIndex(d)
		if *nodeOpType(d) != backends.OpTypeDotGeneral || f.uses[di] != 1 || f.isOutput[di] || len(*nodeInputs(d)) != 2 || nodeMulti(d) {
			continue
		}
		dShape, dData := nodeOf(d)
		rShape, _ := nodeOf(r)
		p, err := readDotParams(dData)
		if err != nil || dShape.DType != tShape.DType || rShape.DType != tShape.DType || dShape.Rank() != 3 ||
			dShape.Dimensions[0] != p.batch || dShape.Dimensions[1] != p.lhsCross || dShape.Dimensions[2] != p.rhsCross {
			continue
		}
		lhsShape, _ := nodeOf((*nodeInputs(d))[0])
		// The reshape must split only the batch: [lhs batch dims..., m, n].
		nb := len(p.lhsBatch)
		want := make([]int, 0, nb+2)
		for _, a := range p.lhsBatch {
			want = append(want, lhsShape.Dimensions[a])
		}
		want = append(want, p.lhsCross, p.rhsCross)
		rank := rShape.Rank()
		if rank != len(want) || len(perm) != rank || tShape.Rank() != rank || perm[rank-1] != rank-1 {
			continue
		}
		same := true
		for a, dim := range want {
			same = same && rShape.Dimensions[a] == dim
		}
		if !same {
			continue
		}
		tStrides := contiguous(tShape.Dimensions)
		outStrides := make([]int, rank) // output stride of each reshape axis
		seen := make([]bool, rank)
		for a, pa := range perm {
			if pa < 0 || pa >= rank || seen[pa] || tShape.Dimensions[a] != rShape.Dimensions[pa] {
				same = false
				break
			}
			seen[pa] = true
			outStrides[pa] = tStrides[a]
		}
		if !same || outStrides[rank-1] != 1 || outStrides[rank-2] < p.rhsCross {
			continue
		}
		*nodeOpType(t) = opFused
		*nodeInputs(t) = append([]*simplego.Node(nil), *nodeInputs(d)...)
		*(*any)(unsafe.Add(nodePtr(t), nodeDataOffset)) = &dotOutProgram{dot: dData, batchStrides: outStrides[:nb], ldc: outStrides[nb]}
		dotOutBuilt.Add(1)
	}
}

// execDotOut runs a dotOutProgram node.
func execDotOut(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, prog *dotOutProgram) (*simplego.Buffer, error) {
	outShape, _ := nodeOf(node)
	p, err := readDotParams(prog.dot)
	if err != nil || len(inputs) != 2 {
		return nil, fmt.Errorf("purego DotGeneral (transposed output): %v", err)
	}
	lhs, rhs := bufferOf(inputs[0]), bufferOf(inputs[1])
	out := simplegoGetBuffer(backend, outShape)
	if out == nil {
		return nil, fmt.Errorf("purego DotGeneral: backend already finalized")
	}
	dotOutCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		dotGeneralInto(lhs.shape.Dimensions, lhs.flat.([]float32), rhs.shape.Dimensions, rhs.flat.([]float32), p, flat, prog.batchStrides, prog.ldc, gemm.Float32Batch)
	case []float64:
		dotGeneralInto(lhs.shape.Dimensions, lhs.flat.([]float64), rhs.shape.Dimensions, rhs.flat.([]float64), p, flat, prog.batchStrides, prog.ldc, dgemmBatch)
	default:
		return nil, fmt.Errorf("purego DotGeneral (transposed output): dtype %s", outShape.DType)
	}
	return out, nil
}
