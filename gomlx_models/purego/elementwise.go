package purego

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gopjrt/dtypes"
)

// Elementwise executors (issue 12, item 3, round 3). After the matrix kernel, the ARTEMIS head's
// training step spent its time in simplego's elementwise ops (op timing of one B=32 step at
// ccc66bd: Add 148 ms, Sign 102 ms, Mul 97 ms, Div 96 ms, Sub 71 ms, Exp 40 ms, Max 23 ms, of
// 1.76 s): one core each, the broadcasting ones (biases, layer-norm and softmax statistics)
// through simplego's broadcastIterator, one index computation per element, and Sign (the ReLU
// gradient) with data-dependent branches.
//
// purego's binary executor (Add, Sub, Mul, Div, Max, Min, Pow) merges the output's axes into
// runs along which each operand is either contiguous or constant, and its unary executor (Neg,
// Abs, Sign, Exp, Expm1, Log, Log1p, Sqrt, Rsqrt, Tanh, Logistic, Sin, Cos) is one loop; both
// split the OUTPUT elements across cores. Each output element is computed by the same single
// Go expression as simplego's (gen_exec_binary.go and exec_unary.go, v0.25.0), on the operands
// in the same order, so results are bit-identical to simplego's whatever the worker count (the
// Go compiler does not fuse a*b+c into an FMA across statements, and these loops have no
// multiply-add). The output buffer is chosen as simplego's: an owned input of the output's
// shape is reused in place, else a pooled buffer. Everything else (other dtypes, shapes
// simplego would reject) goes to simplego's own executor, as do backends not wrapped by purego
// and every call when the fast paths are off.

// fastUnaryCalls counts the unary ops run by purego's executor (fastBinaryCalls, in
// fastops.go, counts the binary ones), for tests.
var fastUnaryCalls atomic.Int64

// The op types purego executes elementwise (installed by puregoExecutors, matmul.go).
const (
	opSub      = backends.OpTypeSub
	opDiv      = backends.OpTypeDiv
	opMax      = backends.OpTypeMax
	opMin      = backends.OpTypeMin
	opPow      = backends.OpTypePow
	opNeg      = backends.OpTypeNeg
	opAbs      = backends.OpTypeAbs
	opSign     = backends.OpTypeSign
	opExp      = backends.OpTypeExp
	opExpm1    = backends.OpTypeExpm1
	opLog      = backends.OpTypeLog
	opLog1p    = backends.OpTypeLog1p
	opSqrt     = backends.OpTypeSqrt
	opRsqrt    = backends.OpTypeRsqrt
	opTanh     = backends.OpTypeTanh
	opLogistic = backends.OpTypeLogistic
	opSin      = backends.OpTypeSin
	opCos      = backends.OpTypeCos
)

// elementwiseExpected names simplego v0.25.0's executor of each slot purego replaces here
// (checked by checkExecutorTable, like expectedExecutors).
var elementwiseExpected = []struct {
	op   backends.OpType
	name string
}{
	{backends.OpTypeSub, "execSub"}, {backends.OpTypeDiv, "execDiv"}, {backends.OpTypeMax, "execMax"},
	{backends.OpTypeMin, "execMin"}, {backends.OpTypePow, "execPow"},
	{backends.OpTypeNeg, "execNeg"}, {backends.OpTypeAbs, "execAbs"}, {backends.OpTypeSign, "execSign"},
	{backends.OpTypeExp, "execExp"}, {backends.OpTypeExpm1, "execExpm1"}, {backends.OpTypeLog, "execLog"},
	{backends.OpTypeLog1p, "execLog1p"}, {backends.OpTypeSqrt, "execSqrt"}, {backends.OpTypeRsqrt, "execRsqrt"},
	{backends.OpTypeLogistic, "execLogistic"}, {backends.OpTypeSin, "execSin"}, {backends.OpTypeCos, "execCos"},
}

// Binary ops ------------------------------------------------------------------------------

type binKind uint8

const (
	binAdd binKind = iota
	binSub
	binMul
	binDiv
	binMax
	binMin
	binPow
)

// commutes: simplego puts a size-1 left operand on the right for these (and computes
// rhs op lhs), but keeps lhs op rhs for the others.
func (k binKind) commutes() bool { return k == binAdd || k == binMul || k == binMax || k == binMin }

var binOpType = [...]backends.OpType{binAdd: backends.OpTypeAdd, binSub: backends.OpTypeSub, binMul: backends.OpTypeMul,
	binDiv: backends.OpTypeDiv, binMax: backends.OpTypeMax, binMin: backends.OpTypeMin, binPow: backends.OpTypePow}

func execAdd(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execBinary(b, n, in, o, binAdd)
}

func execSub(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execBinary(b, n, in, o, binSub)
}

func execMul(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execBinary(b, n, in, o, binMul)
}

func execDiv(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execBinary(b, n, in, o, binDiv)
}

func execMax(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execBinary(b, n, in, o, binMax)
}

func execMin(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execBinary(b, n, in, o, binMin)
}

func execPow(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execBinary(b, n, in, o, binPow)
}

// operandStrides returns the flat stride of operand shape s along each axis of the output
// (0 where the operand is broadcast), or ok=false for shapes simplego's broadcasting would
// not accept (it then handles, or rejects, the op itself).
func operandStrides(s shapes.Shape, out []int) (strides []int, ok bool) {
	strides = make([]int, len(out))
	if s.Size() == 1 {
		return strides, true // a scalar or size-1 operand: constant
	}
	if s.Rank() != len(out) {
		return nil, false
	}
	st := 1
	for a := len(out) - 1; a >= 0; a-- {
		d := s.Dimensions[a]
		switch {
		case d == out[a]:
			strides[a] = st
		case d != 1:
			return nil, false
		}
		st *= d
	}
	return strides, true
}

func execBinary(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool, k binKind) (*simplego.Buffer, error) {
	op := binOpType[k]
	outShape, _ := nodeOf(node)
	lhs, rhs := bufferOf(inputs[0]), bufferOf(inputs[1])
	dt := outShape.DType
	if !isPure(backend) || (dt != dtypes.Float32 && dt != dtypes.Float64) || lhs.shape.DType != dt || rhs.shape.DType != dt {
		return simplegoOriginal[op](backend, node, inputs, owned)
	}
	ls, lok := operandStrides(lhs.shape, outShape.Dimensions)
	rs, rok := operandStrides(rhs.shape, outShape.Dimensions)
	if !lok || !rok || outShape.Size() == 0 {
		return simplegoOriginal[op](backend, node, inputs, owned)
	}
	l, r := lhs.flat, rhs.flat // read before binaryOutput may take a buffer
	if k.commutes() && lhs.shape.Size() == 1 && rhs.shape.Size() != 1 {
		l, r, ls, rs = r, l, rs, ls // as simplego: the size-1 operand on the right
	}
	out := binaryOutput(backend, inputs, owned, outShape)
	if out == nil {
		return nil, fmt.Errorf("purego %s: backend already finalized", op)
	}
	fastBinaryCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		binaryStrided(k, l.([]float32), r.([]float32), ls, rs, flat, outShape.Dimensions)
	case []float64:
		binaryStrided(k, l.([]float64), r.([]float64), ls, rs, flat, outShape.Dimensions)
	}
	return out, nil
}

// binaryOutput picks the output buffer as simplego's binaryOperandsAndOutput (v0.25.0,
// backends/simplego/exec_binary.go) does: an owned input of the output's shape is reused
// (and taken from inputs, so simplego does not release it), else a pooled buffer. In place is
// safe: each output element depends only on the input elements at its own position (or on
// a broadcast operand, which then has another shape and is never the output).
func binaryOutput(backend *simplego.Backend, inputs []*simplego.Buffer, owned []bool, shape shapes.Shape) *simplego.Buffer {
	switch {
	case owned[1] && bufferOf(inputs[1]).shape.Equal(shape):
		out := inputs[1]
		inputs[1] = nil
		return out
	case owned[0] && bufferOf(inputs[0]).shape.Equal(shape):
		out := inputs[0]
		inputs[0] = nil
		return out
	}
	return simplegoGetBuffer(backend, shape)
}

// mergeAxes drops the output axes of size 1 and merges neighbouring axes along which both
// operands keep stepping uniformly (contiguous, or both constant), so the innermost axis is
// as long as possible. It returns the merged dimensions and strides.
func mergeAxes(dims, ls, rs []int) (mdims, mls, mrs []int) {
	for a := len(dims) - 1; a >= 0; a-- {
		if dims[a] == 1 {
			continue
		}
		if n := len(mdims); n > 0 && ls[a] == mls[n-1]*mdims[n-1] && rs[a] == mrs[n-1]*mdims[n-1] {
			mdims[n-1] *= dims[a]
			continue
		}
		mdims, mls, mrs = append(mdims, dims[a]), append(mls, ls[a]), append(mrs, rs[a])
	}
	if len(mdims) == 0 { // a single element
		return []int{1}, []int{0}, []int{0}
	}
	for i, j := 0, len(mdims)-1; i < j; i, j = i+1, j-1 { // innermost last
		mdims[i], mdims[j] = mdims[j], mdims[i]
		mls[i], mls[j] = mls[j], mls[i]
		mrs[i], mrs[j] = mrs[j], mrs[i]
	}
	return mdims, mls, mrs
}

// binaryStrided computes out[o] = l[o·ls] op r[o·rs] for every output multi-index o; the
// elements are split across cores in contiguous ranges.
func binaryStrided[T float32 | float64](k binKind, l, r []T, ls, rs []int, out []T, dims []int) {
	dims, ls, rs = mergeAxes(dims, ls, rs)
	rank := len(dims)
	n := dims[rank-1] // run length
	lStep, rStep := ls[rank-1], rs[rank-1]
	work := len(out)
	if k == binPow {
		work *= 16
	}
	parallelRows(len(out), work, func(lo, hi int) {
		// Output position lo: run `row`, column `col`; operand offsets of the run's start.
		row, col := lo/n, lo%n
		idx := make([]int, rank)
		lOff, rOff := 0, 0
		for a := rank - 2; a >= 0; a-- {
			idx[a] = row % dims[a]
			row /= dims[a]
			lOff += idx[a] * ls[a]
			rOff += idx[a] * rs[a]
		}
		for pos := lo; pos < hi; {
			m := min(hi-pos, n-col)
			a, b := l[lOff:lOff+1], r[rOff:rOff+1]
			if lStep != 0 {
				a = l[lOff+col : lOff+col+m]
			}
			if rStep != 0 {
				b = r[rOff+col : rOff+col+m]
			}
			binaryRun(k, a, b, out[pos:pos+m])
			pos += m
			col = 0
			for a := rank - 2; a >= 0; a-- { // odometer over the outer axes
				idx[a]++
				lOff += ls[a]
				rOff += rs[a]
				if idx[a] < dims[a] {
					break
				}
				lOff -= idx[a] * ls[a]
				rOff -= idx[a] * rs[a]
				idx[a] = 0
			}
		}
	})
}

// binaryRun computes out[i] = a[i] op b[i], where a and b have len(out) elements or a single
// one (constant along the run). Each element is simplego's expression for the op.
func binaryRun[T float32 | float64](k binKind, a, b, out []T) {
	n := len(out)
	if simdElementwise && n >= simdMin {
		if o, ok := any(out).([]float32); ok && binaryRunSIMD(k, any(a).([]float32), any(b).([]float32), o) {
			return
		}
	}
	switch {
	case len(a) == n && len(b) == n:
		b = b[:n]
		a = a[:n]
		switch k {
		case binAdd:
			for i := range out {
				out[i] = a[i] + b[i]
			}
		case binSub:
			for i := range out {
				out[i] = a[i] - b[i]
			}
		case binMul:
			for i := range out {
				out[i] = a[i] * b[i]
			}
		case binDiv:
			for i := range out {
				out[i] = a[i] / b[i]
			}
		case binMax:
			for i := range out {
				out[i] = max(a[i], b[i])
			}
		case binMin:
			for i := range out {
				out[i] = min(a[i], b[i])
			}
		case binPow:
			for i := range out {
				out[i] = T(math.Pow(float64(a[i]), float64(b[i])))
			}
		}
	case len(b) == 1:
		c := b[0]
		a = a[:n]
		switch k {
		case binAdd:
			for i, v := range a {
				out[i] = v + c
			}
		case binSub:
			for i, v := range a {
				out[i] = v - c
			}
		case binMul:
			for i, v := range a {
				out[i] = v * c
			}
		case binDiv:
			for i, v := range a {
				out[i] = v / c
			}
		case binMax:
			for i, v := range a {
				out[i] = max(v, c)
			}
		case binMin:
			for i, v := range a {
				out[i] = min(v, c)
			}
		case binPow:
			for i, v := range a {
				out[i] = T(math.Pow(float64(v), float64(c)))
			}
		}
	default: // len(a) == 1, b a full run
		c := a[0]
		b = b[:n]
		switch k {
		case binAdd:
			for i, v := range b {
				out[i] = c + v
			}
		case binSub:
			for i, v := range b {
				out[i] = c - v
			}
		case binMul:
			for i, v := range b {
				out[i] = c * v
			}
		case binDiv:
			for i, v := range b {
				out[i] = c / v
			}
		case binMax:
			for i, v := range b {
				out[i] = max(c, v)
			}
		case binMin:
			for i, v := range b {
				out[i] = min(c, v)
			}
		case binPow:
			for i, v := range b {
				out[i] = T(math.Pow(float64(c), float64(v)))
			}
		}
	}
}

// Unary ops -------------------------------------------------------------------------------

type unKind uint8

const (
	unNeg unKind = iota
	unAbs
	unSign
	unExp
	unExpm1
	unLog
	unLog1p
	unSqrt
	unRsqrt
	unTanh
	unLogistic
	unSin
	unCos
)

var unOpType = [...]backends.OpType{unNeg: backends.OpTypeNeg, unAbs: backends.OpTypeAbs, unSign: backends.OpTypeSign,
	unExp: backends.OpTypeExp, unExpm1: backends.OpTypeExpm1, unLog: backends.OpTypeLog, unLog1p: backends.OpTypeLog1p,
	unSqrt: backends.OpTypeSqrt, unRsqrt: backends.OpTypeRsqrt, unTanh: backends.OpTypeTanh,
	unLogistic: backends.OpTypeLogistic, unSin: backends.OpTypeSin, unCos: backends.OpTypeCos}

func execNeg(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execUnary(b, n, in, o, unNeg)
}

func execAbs(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execUnary(b, n, in, o, unAbs)
}

func execSign(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execUnary(b, n, in, o, unSign)
}

func execExp(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execUnary(b, n, in, o, unExp)
}

func execExpm1(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execUnary(b, n, in, o, unExpm1)
}

func execLog(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execUnary(b, n, in, o, unLog)
}

func execLog1p(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execUnary(b, n, in, o, unLog1p)
}

func execSqrt(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execUnary(b, n, in, o, unSqrt)
}

func execRsqrt(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execUnary(b, n, in, o, unRsqrt)
}

// execTanhFast is purego's Tanh (named apart from simplego's execTanh, which the table check
// looks for by name).
func execTanhFast(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execUnary(b, n, in, o, unTanh)
}

func execLogistic(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execUnary(b, n, in, o, unLogistic)
}

func execSin(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execUnary(b, n, in, o, unSin)
}

func execCos(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execUnary(b, n, in, o, unCos)
}

func execUnary(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool, k unKind) (*simplego.Buffer, error) {
	op := unOpType[k]
	outShape, _ := nodeOf(node)
	in := bufferOf(inputs[0])
	dt := outShape.DType
	if !isPure(backend) || (dt != dtypes.Float32 && dt != dtypes.Float64) || in.shape.DType != dt || in.shape.Size() != outShape.Size() {
		return simplegoOriginal[op](backend, node, inputs, owned)
	}
	// The output buffer as simplego's unaryOperandAndOutput: the input itself when owned.
	src := in.flat
	var out *simplego.Buffer
	if owned[0] {
		out = inputs[0]
		inputs[0] = nil
	} else {
		out = simplegoGetBuffer(backend, in.shape.Clone())
		if out == nil {
			return nil, fmt.Errorf("purego %s: backend already finalized", op)
		}
	}
	fastUnaryCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		unary(k, src.([]float32), flat)
	case []float64:
		unary(k, src.([]float64), flat)
	}
	return out, nil
}

// unary computes out[i] = op(x[i]), the elements split across cores.
func unary[T float32 | float64](k unKind, x, out []T) {
	work := len(out)
	if k > unSign { // a call to package math per element
		work *= 16
	}
	parallelRows(len(out), work, func(lo, hi int) { unaryRun(k, x[lo:hi], out[lo:hi]) })
}

// unaryRun is simplego v0.25.0's expression for each op (exec_unary.go), element by element;
// Sign is computed without branches on the data (same values: ±1 for non-zero numbers, +0 for
// zeros and NaN).
func unaryRun[T float32 | float64](k unKind, x, out []T) {
	out = out[:len(x)]
	switch k {
	case unNeg:
		for i, v := range x {
			out[i] = -v
		}
	case unAbs:
		for i, v := range x {
			if v < 0 {
				out[i] = -v
			} else {
				out[i] = v
			}
		}
	case unSign:
		signRun(x, out)
	case unExp:
		for i, v := range x {
			out[i] = T(math.Exp(float64(v)))
		}
	case unExpm1:
		for i, v := range x {
			out[i] = T(math.Expm1(float64(v)))
		}
	case unLog:
		for i, v := range x {
			out[i] = T(math.Log(float64(v)))
		}
	case unLog1p:
		for i, v := range x {
			out[i] = T(math.Log1p(float64(v)))
		}
	case unSqrt:
		for i, v := range x {
			out[i] = T(math.Sqrt(float64(v)))
		}
	case unRsqrt:
		for i, v := range x {
			out[i] = T(1.0 / math.Sqrt(float64(v)))
		}
	case unTanh:
		for i, v := range x {
			out[i] = T(math.Tanh(float64(v)))
		}
	case unLogistic:
		for i, v := range x {
			if v >= 0 {
				out[i] = T(1.0 / (1.0 + math.Exp(-float64(v))))
			} else {
				e := math.Exp(float64(v))
				out[i] = T(e / (1.0 + e))
			}
		}
	case unSin:
		for i, v := range x {
			out[i] = T(math.Sin(float64(v)))
		}
	case unCos:
		for i, v := range x {
			out[i] = T(math.Cos(float64(v)))
		}
	}
}

// signRun writes simplego's Sign (-1 for x < 0, 1 for x > 0, +0 otherwise, NaN included) with
// integer selects on the bit pattern instead of branches on the data.
func signRun[T float32 | float64](x, out []T) {
	switch xs := any(x).(type) {
	case []float32:
		os := any(out).([]float32)
		if simdElementwise && len(os) >= simdMin { // AVX2, 8 lanes of the same integer selects
			n8 := len(os) &^ 7
			signV32(xs[:n8], os[:n8])
			xs, os = xs[n8:len(os)], os[n8:]
		}
		for i, v := range xs {
			b := math.Float32bits(v)
			r := b&(1<<31) | 0x3f800000       // ±1 with v's sign
			if (b&^(1<<31))-1 >= 0x7f800000 { // ±0 (wraps) or NaN
				r = 0
			}
			os[i] = math.Float32frombits(r)
		}
	case []float64:
		os := any(out).([]float64)
		for i, v := range xs {
			b := math.Float64bits(v)
			r := b&(1<<63) | 0x3ff0000000000000
			if (b&^(1<<63))-1 >= 0x7ff0000000000000 {
				r = 0
			}
			os[i] = math.Float64frombits(r)
		}
	}
}
