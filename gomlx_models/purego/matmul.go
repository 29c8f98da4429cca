package purego

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gopjrt/dtypes"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/actrepro/actrepro/gomlx_models/purego/gemm"
)

// This file gives purego its own matrix kernel. simplego v0.25.0 executes DotGeneral with a
// scalar Go loop (about 3 GFLOP/s per core here); purego replaces the executor of that one op,
// for its own backends only, with the packed AVX2/FMA kernel of package gemm (float32) or
// gonum's Dgemm (float64). GoMLX is not modified: simplego's table of op executors and the
// unexported fields of its Node, Buffer and DotGeneral parameters are reached with
// go:linkname, reflection and unsafe. Nothing is read or written through them unless
// guard.go has confirmed the GoMLX version (GoMLXVersion) and this file's checks
// (checkSimplegoLayout, checkExecutorTable) pass; otherwise simplego's own kernel runs,
// [FastPathsError] says why, and TestFastPathsEnabled fails loudly.

// simplegoExecutors is simplego's table of single-output op executors.
//
//go:linkname simplegoExecutors github.com/gomlx/gomlx/backends/simplego.nodeExecutors
var simplegoExecutors [backends.OpTypeLast]executor

// simplegoGetBuffer is simplego's pooled buffer allocator (not zeroed).
//
//go:linkname simplegoGetBuffer github.com/gomlx/gomlx/backends/simplego.(*Backend).getBufferForShape
func simplegoGetBuffer(b *simplego.Backend, shape shapes.Shape) *simplego.Buffer

// bufferLayout mirrors simplego.Buffer v0.25.0 field for field.
type bufferLayout struct {
	shape shapes.Shape
	valid bool
	flat  any
}

var (
	nodeShapeOffset uintptr
	nodeDataOffset  uintptr
	simplegoDot     func(*simplego.Backend, *simplego.Node, []*simplego.Buffer, []bool) (*simplego.Buffer, error)

	// pureInner holds the simplego backends wrapped by purego: only they get the fast kernel,
	// so backend "go" stays simplego as released.
	pureInner sync.Map // *simplego.Backend -> struct{}

	fastDotCalls atomic.Int64 // DotGenerals run by the fast kernel (for tests)

	dotParamsOnce  sync.Once
	dotParamFields map[string]int // field name -> index in simplego's dotGeneralNodeData
	dotParamsErr   error
)

// FastMatmulError reports why purego runs simplego's own DotGeneral kernel instead of its
// fast one (nil when the fast one is installed and enabled).
//
// Deprecated: use [FastPathsError], which covers every patch; this is the same value.
func FastMatmulError() error { return FastPathsError() }

// installFastMatmul swaps purego's DotGeneral executor into simplego's table, after the
// layout and table checks. guard.go calls it only once the GoMLX version is confirmed.
func installFastMatmul() error {
	if err := checkSimplegoLayout(); err != nil {
		return err
	}
	if err := checkExecutorTable(); err != nil {
		return err
	}
	simplegoDot = simplegoExecutors[backends.OpTypeDotGeneral]
	for op, fn := range puregoExecutors() {
		simplegoOriginal[op] = simplegoExecutors[op]
		simplegoExecutors[op] = fn
	}
	return nil
}

// executor is the element type of simplego's executor table (simplego.nodeExecutor v0.25.0).
type executor = func(*simplego.Backend, *simplego.Node, []*simplego.Buffer, []bool) (*simplego.Buffer, error)

// simplegoOriginal holds simplego's executors of the slots purego replaced.
var simplegoOriginal [backends.OpTypeLast]executor

// puregoExecutors are the executors purego swaps into simplego's table. Each runs its fast
// path only for purego's backends with the fast paths on, and simplego's original otherwise.
func puregoExecutors() map[backends.OpType]executor {
	return map[backends.OpType]executor{
		backends.OpTypeDotGeneral: execDotGeneral,
		opSlice:                   execSlice,
		opConcatenate:             execConcatenate,
		opReduceWindow:            execReduceWindow,
		opBroadcastInDim:          execBroadcastInDim,
		opWhere:                   execWhereParallel,
		// Elementwise ops (elementwise.go).
		opAdd: execAdd, opSub: execSub, opMul: execMul, opDiv: execDiv, opMax: execMax, opMin: execMin, opPow: execPow,
		opNeg: execNeg, opAbs: execAbs, opSign: execSign, opExp: execExp, opExpm1: execExpm1, opLog: execLog,
		opLog1p: execLog1p, opSqrt: execSqrt, opRsqrt: execRsqrt, opTanh: execTanhFast, opLogistic: execLogistic,
		opSin: execSin, opCos: execCos,
		// Slots simplego leaves empty; only nodes purego builds (fastpool.go) have these types.
		backends.OpTypeSelectAndScatterMax: execSelectAndScatter,
		backends.OpTypeSelectAndScatterMin: execSelectAndScatter,
		backends.OpTypePad:                 execPad,
		// Reductions and Transpose (fastreduce.go).
		backends.OpTypeReduceSum:     execReduceSum,
		backends.OpTypeReduceMax:     execReduceMax,
		backends.OpTypeReduceMin:     execReduceMin,
		backends.OpTypeReduceProduct: execReduceProduct,
		opTranspose:                  execTranspose,
		opCol2Im:                     execCol2Im, // empty slot, purego's col2im nodes (conv.go)
		opIm2Col:                     execIm2Col, // empty slot, purego's im2col nodes (conv.go)
	}
}

const (
	opSlice          = backends.OpTypeSlice
	opConcatenate    = backends.OpTypeConcatenate
	opReduceWindow   = backends.OpTypeReduceWindow
	opBroadcastInDim = backends.OpTypeBroadcastInDim
	opAdd            = backends.OpTypeAdd
	opMul            = backends.OpTypeMul
)

// simplegoSymbol is the package prefix of simplego's symbols.
const simplegoSymbol = "github.com/gomlx/gomlx/backends/simplego."

// expectedExecutors are slots of simplego's executor table and the function GoMLX v0.25.0
// puts in each (backends/simplego/dotgeneral.go, convgeneral.go, exec_special_ops.go,
// gen_exec_binary.go, exec_unary.go).
var expectedExecutors = []struct {
	op   backends.OpType
	name string
}{
	{backends.OpTypeDotGeneral, "execDotGeneral"},
	{backends.OpTypeConvGeneral, "execConvGeneral"},
	{backends.OpTypeWhere, "execWhere"},
	{backends.OpTypeTranspose, "execTranspose"},
	{backends.OpTypeSlice, "execSlice"},
	{backends.OpTypeConcatenate, "execConcatenate"},
	{backends.OpTypeReduceWindow, "execReduceWindow"},
	{backends.OpTypeAdd, "execAdd"},
	{backends.OpTypeMul, "execMul"},
	{backends.OpTypeTanh, "execTanh"},
	{backends.OpTypeBroadcastInDim, "execBroadcastInDim"},
	{backends.OpTypeSelectAndScatterMax, ""}, // empty in simplego v0.25.0
	{backends.OpTypeSelectAndScatterMin, ""},
	{backends.OpTypePad, ""},
	{backends.OpTypeReduceSum, "execReduce"},
	{backends.OpTypeReduceMax, "execReduce"},
	{backends.OpTypeReduceMin, "execReduce"},
	{backends.OpTypeReduceProduct, "execReduce"},
	{opCol2Im, ""},
	{opIm2Col, ""},
}

// checkExecutorTable verifies what can be verified of the two go:linkname targets. Their
// declared Go types cannot be compared with simplego's by reflection: the table's element
// type (simplego.nodeExecutor) is unexported and no exported value carries it, and the linker
// does not check a linknamed declaration's type. So the check is by symbol: each slot of
// [expectedExecutors] must hold the simplego function GoMLX v0.25.0 registers there, which
// proves the linker bound the declaration to the table, that its element is a func value
// indexed by backends.OpType as declared, and that the slot purego overwrites is the
// DotGeneral executor (the SelectAndScatter and Pad slots must be empty); the linked functions
// getBufferForShape and newNode must resolve to simplego's methods of those names.
// The signatures themselves are then the ones of the v0.25.0 source (guard.go checked the
// version before this runs); purego's replacement executor must have the table's element
// type, which the compiler checks, and so does this function at run time.
func checkExecutorTable() error {
	tableT := reflect.TypeOf(simplegoExecutors)
	if tableT.Len() != int(backends.OpTypeLast) {
		return fmt.Errorf("purego: executor table has %d slots, want backends.OpTypeLast = %d", tableT.Len(), backends.OpTypeLast)
	}
	for op, fn := range puregoExecutors() {
		if got := reflect.TypeOf(fn); got != tableT.Elem() {
			return fmt.Errorf("purego: %s executor is %s, table element is %s", op, got, tableT.Elem())
		}
	}
	ours := puregoExecutors()
	for _, e := range append(expectedExecutors[:len(expectedExecutors):len(expectedExecutors)], elementwiseExpected...) {
		got, want := funcName(simplegoExecutors[e.op]), ""
		if e.name != "" {
			want = simplegoSymbol + e.name
		}
		if fn, ok := ours[e.op]; ok && got == funcName(fn) {
			got = funcName(simplegoOriginal[e.op]) // already replaced: check what it replaced
		}
		if got != want {
			return fmt.Errorf("purego: simplego's executor table slot %s holds %q, want %q (GoMLX internals changed; written against %s)",
				e.op, got, want, GoMLXVersion)
		}
	}
	if got, want := funcName(simplegoGetBuffer), simplegoSymbol+"(*Backend).getBufferForShape"; got != want {
		return fmt.Errorf("purego: linked buffer allocator is %q, want %q", got, want)
	}
	if got, want := funcName(simplegoNewNode), simplegoSymbol+"(*Builder).newNode"; got != want {
		return fmt.Errorf("purego: linked node constructor is %q, want %q", got, want)
	}
	return nil
}

// checkSimplegoLayout verifies that simplego's Buffer and Node have the fields (names, types,
// offsets) this file reads.
func checkSimplegoLayout() error {
	bt := reflect.TypeOf(simplego.Buffer{})
	mt := reflect.TypeOf(bufferLayout{})
	if bt.NumField() != mt.NumField() || bt.Size() != mt.Size() {
		return fmt.Errorf("simplego.Buffer has %d fields (%d bytes), expected %d (%d bytes)",
			bt.NumField(), bt.Size(), mt.NumField(), mt.Size())
	}
	for i := range mt.NumField() {
		bf, mf := bt.Field(i), mt.Field(i)
		if bf.Name != mf.Name || bf.Type != mf.Type || bf.Offset != mf.Offset {
			return fmt.Errorf("simplego.Buffer field %d is %s %s at %d, expected %s %s at %d",
				i, bf.Name, bf.Type, bf.Offset, mf.Name, mf.Type, mf.Offset)
		}
	}
	nt := reflect.TypeOf(simplego.Node{})
	shapeField, ok := nt.FieldByName("shape")
	if !ok || shapeField.Type != reflect.TypeOf(shapes.Shape{}) {
		return fmt.Errorf("simplego.Node has no field shape of type shapes.Shape")
	}
	dataField, ok := nt.FieldByName("data")
	if !ok || dataField.Type != reflect.TypeOf((*any)(nil)).Elem() {
		return fmt.Errorf("simplego.Node has no field data of type any")
	}
	nodeShapeOffset, nodeDataOffset = shapeField.Offset, dataField.Offset
	return nil
}

// dotParams are the fields of simplego's dotGeneralNodeData that the kernel needs.
type dotParams struct {
	lhsContracting, lhsBatch, rhsContracting, rhsBatch []int
	batch, lhsCross, rhsCross, contracting             int
}

func readDotParams(data any) (dotParams, error) {
	v := reflect.ValueOf(data)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return dotParams{}, fmt.Errorf("DotGeneral node data is %T, not a pointer to a struct", data)
	}
	v = v.Elem()
	dotParamsOnce.Do(func() {
		t := v.Type()
		dotParamFields = map[string]int{}
		for name, kind := range map[string]reflect.Kind{
			"lhsContractingAxes": reflect.Slice, "lhsBatchAxes": reflect.Slice,
			"rhsContractingAxes": reflect.Slice, "rhsBatchAxes": reflect.Slice,
			"batchSize": reflect.Int, "lhsCrossSize": reflect.Int, "rhsCrossSize": reflect.Int,
			"contractingSize": reflect.Int,
		} {
			f, ok := t.FieldByName(name)
			if !ok || f.Type.Kind() != kind || (kind == reflect.Slice && f.Type.Elem().Kind() != reflect.Int) {
				dotParamsErr = fmt.Errorf("simplego's %s has no field %s of kind %s", t, name, kind)
				return
			}
			dotParamFields[name] = f.Index[0]
		}
	})
	if dotParamsErr != nil {
		return dotParams{}, dotParamsErr
	}
	ints := func(name string) []int {
		s := v.Field(dotParamFields[name])
		out := make([]int, s.Len())
		for i := range out {
			out[i] = int(s.Index(i).Int())
		}
		return out
	}
	num := func(name string) int { return int(v.Field(dotParamFields[name]).Int()) }
	return dotParams{
		lhsContracting: ints("lhsContractingAxes"), lhsBatch: ints("lhsBatchAxes"),
		rhsContracting: ints("rhsContractingAxes"), rhsBatch: ints("rhsBatchAxes"),
		batch: num("batchSize"), lhsCross: num("lhsCrossSize"), rhsCross: num("rhsCrossSize"),
		contracting: num("contractingSize"),
	}, nil
}

func bufferOf(b *simplego.Buffer) *bufferLayout { return (*bufferLayout)(unsafe.Pointer(b)) }

// execDotGeneral is purego's DotGeneral executor. The node's output is the normalised
// [batch, lhsCross, rhsCross] product (simplego reshapes it afterwards). Backends that are not
// purego's, and dtypes other than float32 and float64, go to simplego's own executor.
func execDotGeneral(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	if _, ok := pureInner.Load(backend); !ok || !fastPathsOn() {
		return simplegoDot(backend, node, inputs, owned)
	}
	outShape := *(*shapes.Shape)(unsafe.Add(unsafe.Pointer(node), nodeShapeOffset))
	if dt := outShape.DType; dt != dtypes.Float32 && dt != dtypes.Float64 {
		return simplegoDot(backend, node, inputs, owned)
	}
	p, err := readDotParams(*(*any)(unsafe.Add(unsafe.Pointer(node), nodeDataOffset)))
	if err != nil {
		return nil, fmt.Errorf("purego DotGeneral: %w", err)
	}
	fastDotCalls.Add(1)
	lhs, rhs := bufferOf(inputs[0]), bufferOf(inputs[1])
	out := simplegoGetBuffer(backend, outShape)
	if out == nil {
		return nil, fmt.Errorf("purego DotGeneral: backend already finalized")
	}
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		dotGeneral(lhs.shape.Dimensions, lhs.flat.([]float32), rhs.shape.Dimensions, rhs.flat.([]float32), p, flat, gemm.Float32Batch)
	case []float64:
		dotGeneral(lhs.shape.Dimensions, lhs.flat.([]float64), rhs.shape.Dimensions, rhs.flat.([]float64), p, flat, dgemmBatch)
	}
	return out, nil
}

// batchedGemm is the signature of gemm.Float32Batch (and of dgemmBatch for float64).
type batchedGemm[T float32 | float64] func(batch int, transA, transB bool, m, n, k int,
	a []T, lda, strideA int, b []T, ldb, strideB int, c []T, ldc, strideC int, workers int)

// operand is one side of a DotGeneral seen as a batch of matrices: rows are its cross
// (free) index and columns its contracting index, stored row-major or (trans) column-major.
type operand[T float32 | float64] struct {
	data  []T
	trans bool // stored as [batch, contracting, cross]
	ld    int  // row stride of the stored matrix
	// scratch: data is a transposed copy from getScratch, to give back after the product.
	scratch bool
}

// prepare views x (dims) as [batch, cross, contracting] or [batch, contracting, cross] without
// copying when its axes already lie in one of those orders, else copies it into
// [batch, cross, contracting].
func prepare[T float32 | float64](x []T, dims, contracting, batchAxes []int, cross, contract int) operand[T] {
	isCross := make([]bool, len(dims))
	for i := range isCross {
		isCross[i] = true
	}
	for _, a := range contracting {
		isCross[a] = false
	}
	for _, a := range batchAxes {
		isCross[a] = false
	}
	var crossAxes []int
	for a, c := range isCross {
		if c {
			crossAxes = append(crossAxes, a)
		}
	}
	nb := len(batchAxes)
	if inOrder(batchAxes, 0) {
		if inOrder(crossAxes, nb) && inOrder(contracting, nb+len(crossAxes)) {
			return operand[T]{data: x, ld: contract}
		}
		if inOrder(contracting, nb) && inOrder(crossAxes, nb+len(contracting)) {
			return operand[T]{data: x, trans: true, ld: cross}
		}
	}
	perm := append(append(append([]int{}, batchAxes...), crossAxes...), contracting...)
	return operand[T]{data: transpose(x, dims, perm), ld: contract, scratch: true}
}

// inOrder reports whether axes are start, start+1, ...
func inOrder(axes []int, start int) bool {
	for i, a := range axes {
		if a != start+i {
			return false
		}
	}
	return true
}

// transpose returns x (dims) with its axes permuted: axis i of the result is axis perm[i] of x.
// The result comes from scratchPool (give it back with putScratch once the product is done)
// and is filled by stridedCopy (fastops.go: rows split across cores; a copy, so the values do
// not depend on the worker count).
func transpose[T float32 | float64](x []T, dims, perm []int) []T {
	rank := len(dims)
	strides := make([]int, rank)
	s := 1
	for a := rank - 1; a >= 0; a-- {
		strides[a] = s
		s *= dims[a]
	}
	outDims := make([]int, rank)
	inStrides := make([]int, rank) // stride in x of each axis of the result
	for i, a := range perm {
		outDims[i], inStrides[i] = dims[a], strides[a]
	}
	out := getScratch[T](len(x))
	if !transposeBlocked(x, inStrides, out, outDims) {
		stridedCopy(x, 0, inStrides, out, outDims)
	}
	return out
}

// scratchPools holds the transposed operand copies of DotGeneral between calls, one
// sync.Pool per element type and length: a training step transposes the same shapes every
// time, and each copy was a fresh allocation (about 100 MiB of garbage per ARTEMIS-head step
// at B=32, 36% of all bytes allocated), which made the GC run, and empty simplego's buffer
// pools, more often.
var scratchPools sync.Map // scratchKey -> *sync.Pool of *[]T

type scratchKey struct {
	f64 bool
	n   int
}

func getScratch[T float32 | float64](n int) []T {
	var zero T
	_, f64 := any(zero).(float64)
	p, _ := scratchPools.LoadOrStore(scratchKey{f64, n}, &sync.Pool{})
	if s, ok := p.(*sync.Pool).Get().(*[]T); ok {
		return *s
	}
	return make([]T, n)
}

func putScratch[T float32 | float64](s []T) {
	var zero T
	_, f64 := any(zero).(float64)
	if p, ok := scratchPools.Load(scratchKey{f64, len(s)}); ok {
		p.(*sync.Pool).Put(&s)
	}
}

// dotGeneral computes out[b, i, j] = Σ_k lhs[b, i, k]·rhs[b, j, k] over the normalised views.
func dotGeneral[T float32 | float64](lhsDims []int, lhs []T, rhsDims []int, rhs []T, p dotParams, out []T, mm batchedGemm[T]) {
	dotGeneralInto(lhsDims, lhs, rhsDims, rhs, p, out, nil, p.rhsCross, mm)
}

// dotGeneralInto is dotGeneral writing the [i, j] matrix of batch index (b_0, b_1, ...) (over
// the node's batch axes) at Σ b_a·outBatchStrides[a], row stride ldc, columns contiguous;
// outBatchStrides nil means the contiguous [batch, m, n] layout.
func dotGeneralInto[T float32 | float64](lhsDims []int, lhs []T, rhsDims []int, rhs []T, p dotParams, out []T, outBatchStrides []int, ldc int, mm batchedGemm[T]) {
	m, n, k := p.lhsCross, p.rhsCross, p.contracting
	a := viewOperand(lhs, lhsDims, p.lhsContracting, p.lhsBatch, m, k)
	b := viewOperand(rhs, rhsDims, p.rhsContracting, p.rhsBatch, n, k)
	bdims := make([]int, len(p.lhsBatch))
	for i, ax := range p.lhsBatch {
		bdims[i] = lhsDims[ax]
	}
	if outBatchStrides == nil {
		outBatchStrides = make([]int, len(bdims))
		st := m * n
		for i := len(bdims) - 1; i >= 0; i-- {
			outBatchStrides[i] = st
			st *= bdims[i]
		}
	}
	// C = A·Bᵀ: op(B) must be k×n, so B stored [n, k] (not trans) is transposed for gemm.
	dotBatched(a, b, bdims, m, n, k, out, outBatchStrides, ldc, mm)
	for _, o := range []operand[T]{a.operand, b.operand} {
		if o.scratch {
			putScratch(o.data)
		}
	}
}

var blas64 gonum.Implementation

// dgemmBatch is gonum's Dgemm over a batch (float64 is used by gradient checks, not for speed).
func dgemmBatch(batch int, transA, transB bool, m, n, k int, a []float64, lda, strideA int,
	b []float64, ldb, strideB int, c []float64, ldc, strideC int, _ int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if transA {
		ta = blas.Trans
	}
	if transB {
		tb = blas.Trans
	}
	for i := range batch {
		blas64.Dgemm(ta, tb, m, n, k, 1, a[i*strideA:], lda, b[i*strideB:], ldb, 0, c[i*strideC:], ldc)
	}
}
