package purego

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gopjrt/dtypes"
)

// Elementwise fusion (issue 12, item 3, round 4). An executor sees one node, so fusion is a
// pass over simplego's node list when a purego Builder compiles (Builder.Compile, before
// simplego's): it counts each node's consumers among the nodes the outputs need (as
// simplego's newExecutable does) and, walking from the last node back, turns each maximal
// tree of elementwise float nodes whose interior nodes have one consumer, are no output and
// have the root's shape into one native node (executor slot opFused) that evaluates the tree
// per element, in blocks of fuseBlock elements held in small registers (one pass over
// memory, no intermediate buffers). Its leaves are read in place with strides: a
// BroadcastInDim or Reshape feeding the tree is not materialised (its operand is
// read through the broadcast's strides), nor are simplego's implicit broadcasts (biases,
// statistics, scalars).
//
// Bit-identity: each op of the tree is evaluated by the same function as purego's own
// elementwise executors (binaryRun and unaryRun, elementwise.go: simplego v0.25.0's
// expression for the op), on the operands in the same order (a size-1 left operand of
// Add/Mul/Max/Min goes right, as simplego does), and every intermediate is stored in a
// register of the node's dtype, so it is rounded exactly as the separate op's output was;
// the loops hold no multiply-add across statements (and GOAMD64=v1 has no FMA). A value
// constant along a block (an op on two broadcast operands) is computed once, the same value.
// The elements are split across cores in contiguous ranges and each element's value does not
// depend on the split: results are bit-identical to the unfused graph for any worker count.
//
// The pass runs only for purego's backends (their Builder), with the fast paths on
// (guard.go) and the layout checks of checkFuseLayout passed, and not under the backend
// option "no_fusion"; the interior nodes it bypasses stay in simplego's list unused
// (simplego skips nodes no output needs). The native node uses OpTypeComplex's executor
// slot, which simplego v0.25.0 leaves empty (checked at start-up).

// opFused is the executor slot of purego's fused elementwise nodes.
const opFused = backends.OpTypeComplex

// fuseBlock is the number of elements evaluated per op at a time (registers stay in L1 or L2;
// 1024 rather than 256 since round 6: a quarter of the per-block dispatch, -20% for the fused
// nodes of the LRCN step; each element's value does not depend on the block).
const fuseBlock = 1024

var (
	fastFusedCalls atomic.Int64 // fused nodes executed (for tests)
	fusedTiledRuns atomic.Int64 // of them, run in fusedTiling's layout (for tests)
	fusedBuilt     atomic.Int64 // fused nodes built (for tests)
	fusedOpsBuilt  atomic.Int64 // elementwise ops replaced by them (for tests)

	// fuseErr is why fusion is off (nil: the layout checks passed and the slot is installed).
	fuseErr = fmt.Errorf("purego: fusion not installed")

	nodeIdxOffset, nodeInputsOffset, nodeOpTypeOffset, nodeMultiOffset uintptr
	builderNodesOffset, builderCompiledOffset                          uintptr
)

// installFusion checks the fields of simplego's Node and Builder the pass rewrites and that
// opFused's slot is empty, then installs execFused there. guard.go calls it after the
// executor table check passed (so the linknamed table is simplego's).
func installFusion() error {
	if err := checkFuseLayout(); err != nil {
		return err
	}
	if got := funcName(simplegoExecutors[opFused]); got != "" && got != funcName(execFused) {
		return fmt.Errorf("purego: simplego's executor slot %s holds %q, want it empty (GoMLX internals changed; written against %s)",
			opFused, got, GoMLXVersion)
	}
	simplegoExecutors[opFused] = execFused
	fuseErr = nil
	return nil
}

// checkFuseLayout finds the offsets of simplego v0.25.0's Node.builderIdx, inputs, opType
// and multiOutputsShapes and Builder.nodes and compiled, checking names and types.
func checkFuseLayout() error {
	field := func(t reflect.Type, name string, want reflect.Type) (uintptr, error) {
		f, ok := t.FieldByName(name)
		if !ok || f.Type != want {
			return 0, fmt.Errorf("purego fusion: %s has no field %s of type %s", t, name, want)
		}
		return f.Offset, nil
	}
	nt, bt := reflect.TypeOf(simplego.Node{}), reflect.TypeOf(simplego.Builder{})
	nodes := reflect.TypeOf([]*simplego.Node(nil))
	var err error
	for _, f := range []struct {
		t    reflect.Type
		name string
		want reflect.Type
		off  *uintptr
	}{
		{nt, "builderIdx", reflect.TypeOf(0), &nodeIdxOffset},
		{nt, "inputs", nodes, &nodeInputsOffset},
		{nt, "opType", reflect.TypeOf(backends.OpTypeAdd), &nodeOpTypeOffset},
		{nt, "multiOutputsShapes", reflect.TypeOf([]shapes.Shape(nil)), &nodeMultiOffset},
		{bt, "nodes", nodes, &builderNodesOffset},
		{bt, "compiled", reflect.TypeOf(false), &builderCompiledOffset},
	} {
		if *f.off, err = field(f.t, f.name, f.want); err != nil {
			return err
		}
	}
	return nil
}

// fusionOn reports whether the pass may run now.
func fusionOn() bool { return fuseErr == nil && fastPathsOn() }

func nodePtr(n *simplego.Node) unsafe.Pointer { return unsafe.Pointer(n) }

func nodeIndex(n *simplego.Node) int { return *(*int)(unsafe.Add(nodePtr(n), nodeIdxOffset)) }

func nodeInputs(n *simplego.Node) *[]*simplego.Node {
	return (*[]*simplego.Node)(unsafe.Add(nodePtr(n), nodeInputsOffset))
}

func nodeOpType(n *simplego.Node) *backends.OpType {
	return (*backends.OpType)(unsafe.Add(nodePtr(n), nodeOpTypeOffset))
}

func nodeMulti(n *simplego.Node) bool {
	return len(*(*[]shapes.Shape)(unsafe.Add(nodePtr(n), nodeMultiOffset))) > 0
}

// Compile implements backends.Builder: the fusion pass (when on), then simplego's Compile.
func (b *Builder) Compile(outputs []backends.Op, shardings []*backends.ShardingSpec) (backends.Executable, error) {
	if sb, ok := b.Builder.(*simplego.Builder); ok && !b.noFusion && len(shardings) == 0 && fusionOn() {
		fuseElementwise(sb, outputs)
	}
	return b.Builder.Compile(outputs, shardings)
}

// Fused programs ---------------------------------------------------------------------------

// fusedView is one leaf read of a fused node: input buffer `input` read at flat offset
// Σ idx[a]·strides[a] for output multi-index idx.
type fusedView struct {
	input   int
	strides []int
}

// fusedInstr computes register i = x op y (binary) or op(x) (unary); an operand ref r ≥ 0 is
// register r, r < 0 is view -r-1.
type fusedInstr struct {
	bin  bool
	bk   binKind
	uk   unKind
	x, y int
}

// fusedProgram is the data of a fused node.
type fusedProgram struct {
	views  []fusedView
	instrs []fusedInstr
	ops    []backends.OpType // the replaced op of each instruction (for tests and String)
	// mdims, mstrides: the output axes merged as by mergeAxes (innermost last), per view.
	mdims    []int
	mstrides [][]int
	work     int    // per-element cost weight (a math call counts 16)
	inPlace  []bool // per input: every view of it is the identity (may be overwritten in place)
	nInputs  int
}

func (p *fusedProgram) String() string {
	names := make([]string, len(p.ops))
	for i, op := range p.ops {
		names[i] = op.String()
	}
	return fmt.Sprintf("Fused[%s](%d inputs)", strings.Join(names, ","), p.nInputs)
}

var fuseBinary = map[backends.OpType]binKind{
	backends.OpTypeAdd: binAdd, backends.OpTypeSub: binSub, backends.OpTypeMul: binMul, backends.OpTypeDiv: binDiv,
	backends.OpTypeMax: binMax, backends.OpTypeMin: binMin, backends.OpTypePow: binPow,
}

var fuseUnary = map[backends.OpType]unKind{
	backends.OpTypeNeg: unNeg, backends.OpTypeAbs: unAbs, backends.OpTypeSign: unSign, backends.OpTypeExp: unExp,
	backends.OpTypeExpm1: unExpm1, backends.OpTypeLog: unLog, backends.OpTypeLog1p: unLog1p,
	backends.OpTypeSqrt: unSqrt, backends.OpTypeRsqrt: unRsqrt, backends.OpTypeTanh: unTanh,
	backends.OpTypeLogistic: unLogistic, backends.OpTypeSin: unSin, backends.OpTypeCos: unCos,
}

// contiguous returns the row-major strides of dims.
func contiguous(dims []int) []int {
	s := make([]int, len(dims))
	st := 1
	for a := len(dims) - 1; a >= 0; a-- {
		s[a] = st
		st *= dims[a]
	}
	return s
}

// fuser holds the state of one pass.
type fuser struct {
	uses     []int
	isOutput []bool
	absorbed []bool
}

// fuseElementwise rewrites sb's node list (see the file comment). It leaves the list alone
// when anything is unexpected (simplego's Compile then reports any error).
func fuseElementwise(sb *simplego.Builder, outputs []backends.Op) {
	if *(*bool)(unsafe.Add(unsafe.Pointer(sb), builderCompiledOffset)) {
		return
	}
	nodes := *(*[]*simplego.Node)(unsafe.Add(unsafe.Pointer(sb), builderNodesOffset))
	f := &fuser{uses: make([]int, len(nodes)), isOutput: make([]bool, len(nodes)), absorbed: make([]bool, len(nodes))}
	var stack []*simplego.Node
	visit := func(n *simplego.Node) bool {
		i := nodeIndex(n)
		if i < 0 || i >= len(nodes) || nodes[i] != n {
			return false // not this builder's
		}
		f.uses[i]++
		if f.uses[i] == 1 {
			stack = append(stack, n)
		}
		return true
	}
	for _, op := range outputs {
		n, ok := op.(*simplego.Node)
		if !ok || n == nil || !visit(n) {
			return
		}
		f.isOutput[nodeIndex(n)] = true
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, in := range *nodeInputs(n) {
			if !visit(in) {
				return
			}
		}
	}
	absorbDotTransposes(nodes, f) // dotlayout.go
	for i := len(nodes) - 1; i >= 0; i-- {
		if f.uses[i] == 0 || f.absorbed[i] || !fusible(nodes[i]) {
			continue
		}
		f.fuseFrom(nodes[i])
	}
}

// fusible reports whether n is an elementwise op the fused executor evaluates: float32 or
// float64, operands of its dtype and shapes purego's elementwise executors accept.
func fusible(n *simplego.Node) bool {
	if nodeMulti(n) {
		return false
	}
	shape, _ := nodeOf(n)
	dt := shape.DType
	if (dt != dtypes.Float32 && dt != dtypes.Float64) || shape.Size() == 0 {
		return false
	}
	op := *nodeOpType(n)
	ins := *nodeInputs(n)
	if _, ok := fuseBinary[op]; ok && len(ins) == 2 {
		for _, in := range ins {
			s, _ := nodeOf(in)
			if _, ok := operandStrides(s, shape.Dimensions); !ok || s.DType != dt {
				return false
			}
		}
		return true
	}
	if _, ok := fuseUnary[op]; ok && len(ins) == 1 {
		s, _ := nodeOf(ins[0])
		return s.DType == dt && s.Size() == shape.Size()
	}
	return false
}

// group collects one fused node's program while the tree is walked.
type group struct {
	f       *fuser
	root    shapes.Shape
	leaves  []*simplego.Node
	leafIdx map[*simplego.Node]int
	views   []fusedView
	viewIdx map[string]int
	instrs  []fusedInstr
	ops     []backends.OpType
	members []*simplego.Node // absorbed interior nodes
	folded  bool             // a view reads through a BroadcastInDim or Reshape
}

// fuseFrom builds the tree rooted at root and rewrites root into a fused node when it
// replaces at least two ops or reads a broadcast in place.
func (f *fuser) fuseFrom(root *simplego.Node) {
	rs, _ := nodeOf(root)
	g := &group{f: f, root: rs, leafIdx: map[*simplego.Node]int{}, viewIdx: map[string]int{}}
	g.emit(root)
	if len(g.instrs) < 2 && !g.folded {
		return
	}
	p := &fusedProgram{views: g.views, instrs: g.instrs, ops: g.ops, nInputs: len(g.leaves)}
	dims := rs.Dimensions
	strides := make([][]int, len(g.views))
	for v, view := range g.views {
		strides[v] = view.strides
	}
	p.mdims, p.mstrides = mergeAxesN(dims, strides)
	for _, s := range p.mstrides {
		if in := s[len(s)-1]; in != 0 && in != 1 {
			return // cannot happen for broadcasts and reshapes; stay unfused if it does
		}
	}
	for _, ins := range g.instrs {
		switch {
		case ins.bin && ins.bk == binPow, !ins.bin && ins.uk > unSign:
			p.work += 16
		default:
			p.work++
		}
	}
	p.inPlace = make([]bool, len(g.leaves))
	ident := contiguous(dims)
	for i, leaf := range g.leaves {
		ls, _ := nodeOf(leaf)
		p.inPlace[i] = ls.Equal(rs)
		for _, view := range g.views {
			if view.input != i {
				continue
			}
			for a, d := range dims {
				if d != 1 && view.strides[a] != ident[a] {
					p.inPlace[i] = false
				}
			}
		}
	}
	for _, m := range g.members {
		f.absorbed[nodeIndex(m)] = true
	}
	*nodeOpType(root) = opFused
	*nodeInputs(root) = g.leaves
	*(*any)(unsafe.Add(nodePtr(root), nodeDataOffset)) = p
	fusedBuilt.Add(1)
	fusedOpsBuilt.Add(int64(len(g.instrs)))
}

// emit appends the instructions computing node n (and its absorbed operands) and returns
// n's register.
func (g *group) emit(n *simplego.Node) int {
	op := *nodeOpType(n)
	ins := *nodeInputs(n)
	refs := make([]int, len(ins))
	for i, in := range ins {
		refs[i] = g.operand(in)
	}
	instr := fusedInstr{x: refs[0]}
	if bk, ok := fuseBinary[op]; ok {
		instr.bin, instr.bk, instr.y = true, bk, refs[1]
		ls, _ := nodeOf(ins[0])
		rs, _ := nodeOf(ins[1])
		if bk.commutes() && ls.Size() == 1 && rs.Size() != 1 {
			instr.x, instr.y = refs[1], refs[0] // as simplego: the size-1 operand on the right
		}
	} else {
		instr.uk = fuseUnary[op]
	}
	g.instrs = append(g.instrs, instr)
	g.ops = append(g.ops, op)
	return len(g.instrs) - 1
}

// operand returns the ref of input n of a tree node: a register when n is absorbed (an
// elementwise node with one consumer, no output, of the root's shape), else a view.
func (g *group) operand(n *simplego.Node) int {
	i := nodeIndex(n)
	s, _ := nodeOf(n)
	if g.f.uses[i] == 1 && !g.f.isOutput[i] && s.Equal(g.root) && fusible(n) {
		g.members = append(g.members, n)
		return g.emit(n)
	}
	src, strides := g.source(n)
	// The consumer's implicit broadcast of operand shape s to the root's dims (as
	// operandStrides: a size-1 operand is constant, else equal rank, axes equal or 1).
	dims := g.root.Dimensions
	view := make([]int, len(dims))
	if s.Size() != 1 {
		for a := range dims {
			if s.Dimensions[a] == dims[a] {
				view[a] = strides[a]
			}
		}
	}
	leaf, ok := g.leafIdx[src]
	if !ok {
		leaf = len(g.leaves)
		g.leaves = append(g.leaves, src)
		g.leafIdx[src] = leaf
	}
	key := fmt.Sprint(leaf, view)
	v, ok := g.viewIdx[key]
	if !ok {
		v = len(g.views)
		g.views = append(g.views, fusedView{input: leaf, strides: view})
		g.viewIdx[key] = v
	}
	return -v - 1
}

// source returns the node whose buffer holds n's values and the strides (one per axis of n)
// to read them: through a BroadcastInDim or Reshape of the same dtype (read in
// place, not materialised), else n itself, contiguous.
func (g *group) source(n *simplego.Node) (*simplego.Node, []int) {
	s, data := nodeOf(n)
	ins := *nodeInputs(n)
	if len(ins) != 1 || nodeMulti(n) {
		return n, contiguous(s.Dimensions)
	}
	xs, _ := nodeOf(ins[0])
	if xs.DType != s.DType {
		return n, contiguous(s.Dimensions)
	}
	switch *nodeOpType(n) {
	case backends.OpTypeBroadcastInDim:
		axes, ok := data.([]int)
		if !ok || len(axes) != xs.Rank() {
			break
		}
		src, xstr := g.source(ins[0])
		out := make([]int, s.Rank())
		for i, a := range axes {
			if a < 0 || a >= s.Rank() || (i > 0 && axes[i-1] >= a) || (xs.Dimensions[i] != 1 && xs.Dimensions[i] != s.Dimensions[a]) {
				return n, contiguous(s.Dimensions)
			}
			if xs.Dimensions[i] != 1 {
				out[a] = xstr[i]
			}
		}
		g.folded = true
		return src, out
	case backends.OpTypeReshape:
		if xs.Size() != s.Size() {
			break
		}
		// Only a reshape of a stored buffer (contiguous): not of a folded view.
		g.folded = true
		return ins[0], contiguous(s.Dimensions)
	}
	return n, contiguous(s.Dimensions)
}

// mergeAxesN is mergeAxes for any number of stride lists: size-1 axes dropped, neighbouring
// axes merged when every view steps uniformly across them; innermost axis last.
func mergeAxesN(dims []int, strides [][]int) (mdims []int, mstrides [][]int) {
	mstrides = make([][]int, len(strides))
	for a := len(dims) - 1; a >= 0; a-- {
		if dims[a] == 1 {
			continue
		}
		if n := len(mdims); n > 0 {
			merge := true
			for v, s := range strides {
				if s[a] != mstrides[v][n-1]*mdims[n-1] {
					merge = false
					break
				}
			}
			if merge {
				mdims[n-1] *= dims[a]
				continue
			}
		}
		mdims = append(mdims, dims[a])
		for v, s := range strides {
			mstrides[v] = append(mstrides[v], s[a])
		}
	}
	if len(mdims) == 0 {
		mdims = []int{1}
		for v := range mstrides {
			mstrides[v] = []int{0}
		}
	}
	for i, j := 0, len(mdims)-1; i < j; i, j = i+1, j-1 {
		mdims[i], mdims[j] = mdims[j], mdims[i]
		for v := range mstrides {
			mstrides[v][i], mstrides[v][j] = mstrides[v][j], mstrides[v][i]
		}
	}
	return mdims, mstrides
}

// Execution --------------------------------------------------------------------------------

// execFused runs purego's fused nodes (they exist only when the pass built them).
func execFused(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	outShape, data := nodeOf(node)
	if dp, ok := data.(*dotOutProgram); ok {
		return execDotOut(backend, node, inputs, dp)
	}
	p, ok := data.(*fusedProgram)
	if !ok || len(inputs) != p.nInputs {
		return nil, fmt.Errorf("purego fused node: node data is %T with %d inputs, want purego's program", data, len(inputs))
	}
	flats := make([]any, len(inputs))
	for i, in := range inputs {
		flats[i] = bufferOf(in).flat
	}
	// The output buffer: an owned input read only at the output's own positions (in place,
	// as simplego's binary and unary executors reuse an owned input), else a pooled buffer.
	var out *simplego.Buffer
	for i, in := range inputs {
		if owned[i] && p.inPlace[i] && bufferOf(in).shape.Equal(outShape) {
			out = in
			inputs[i] = nil
			break
		}
	}
	if out == nil {
		if out = simplegoGetBuffer(backend, outShape); out == nil {
			return nil, fmt.Errorf("purego fused node: backend already finalized")
		}
	}
	fastFusedCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		fusedRun(p, typedFlats[float32](flats), flat)
	case []float64:
		fusedRun(p, typedFlats[float64](flats), flat)
	default:
		return nil, fmt.Errorf("purego fused node: dtype %s not supported", outShape.DType)
	}
	return out, nil
}

func typedFlats[T float32 | float64](flats []any) [][]T {
	out := make([][]T, len(flats))
	for i, f := range flats {
		out[i] = f.([]T)
	}
	return out
}

// fusedRun evaluates p for every output element; elements are split across cores in
// contiguous ranges, each range in blocks of at most fuseBlock elements within one run of
// the innermost merged axis (of fusedTiling's layout when it applies: see there).
func fusedRun[T float32 | float64](p *fusedProgram, srcs [][]T, out []T) {
	dims, mstrides, period := p.mdims, p.mstrides, 0
	if td, ts, per, ok := fusedTiling(p); ok {
		dims, mstrides, period = td, ts, per
		fusedTiledRuns.Add(1)
	}
	rank := len(dims)
	n := dims[rank-1]
	nv := len(p.views)
	block := fuseBlock
	if period > 0 {
		block = fuseBlock / period * period
	}
	parallelRows(len(out), len(out)*p.work, func(lo, hi int) {
		rp := fusedRegs[T](len(p.instrs) * fuseBlock)
		defer fusedRegsPool.Put(rp)
		regs := (*rp)[:len(p.instrs)*fuseBlock]
		lens := make([]int, len(p.instrs))
		vals := make([][]T, nv)
		offs := make([]int, nv)
		idx := make([]int, rank)
		// Periodic views (period > 0, inner stride 1 and period-long runs repeated along
		// the merged axis): tiles[v] holds block+period values, the run at tiled[v]
		// repeated; it is refilled when the view's run changes.
		var tiles [][]T
		var tiled []int
		if period > 0 {
			tiles = make([][]T, nv)
			tiled = make([]int, nv)
			for v := range p.views {
				if mstrides[v][rank-1] == -1 {
					tiles[v] = make([]T, block+period)
					tiled[v] = -1
				}
			}
		}
		row, col := lo/n, lo%n
		for a := rank - 2; a >= 0; a-- {
			idx[a] = row % dims[a]
			row /= dims[a]
			for v := range offs {
				offs[v] += idx[a] * mstrides[v][a]
			}
		}
		for pos := lo; pos < hi; {
			m := min(hi-pos, n-col)
			for c := 0; c < m; c += block {
				mm := min(block, m-c)
				for v, view := range p.views {
					src := srcs[view.input]
					switch mstrides[v][rank-1] {
					case 0:
						vals[v] = src[offs[v] : offs[v]+1]
					case -1:
						tile := tiles[v]
						if tiled[v] != offs[v] {
							run := src[offs[v] : offs[v]+period]
							for t := 0; t < len(tile); t += period {
								copy(tile[t:], run)
							}
							tiled[v] = offs[v]
						}
						ph := (col + c) % period
						vals[v] = tile[ph : ph+mm]
					default:
						s := offs[v] + col + c
						vals[v] = src[s : s+mm]
					}
				}
				fusedBlock(p.instrs, vals, regs, lens, out[pos+c:pos+c+mm])
			}
			pos += m
			col = 0
			for a := rank - 2; a >= 0; a-- { // odometer over the outer axes
				idx[a]++
				for v := range offs {
					offs[v] += mstrides[v][a]
				}
				if idx[a] < dims[a] {
					break
				}
				for v := range offs {
					offs[v] -= idx[a] * mstrides[v][a]
				}
				idx[a] = 0
			}
		}
	})
}

// fusedRegsPool recycles fusedRun's registers (*[]float32 or *[]float64; each register is
// written before it is read, so old contents never matter): len(instrs)·fuseBlock values per
// chunk and call would otherwise be garbage each time.
var fusedRegsPool sync.Pool

// fusedRegs returns a pooled (or new) slice pointer of dtype T with at least n values.
func fusedRegs[T float32 | float64](n int) *[]T {
	if rp, ok := fusedRegsPool.Get().(*[]T); ok && cap(*rp) >= n {
		return rp
	}
	r := make([]T, n)
	return &r
}

// fusedTiling merges the two innermost merged axes of p when the innermost one is short (a
// period of at most fuseBlock/2 elements, e.g. 16 channels) and every view is, across those
// two axes, contiguous (strides period, 1), constant (0, 0) or a repeated run (0, 1: a bias
// or per-channel statistic broadcast over the positions). Blocks then hold whole multiples
// of the period instead of one period each (less per-block overhead); a repeated run is read
// from a tiled copy of its values (marked by inner stride -1 in the returned strides). Every
// element still gets the same operand values and the same ops: bit-identical.
func fusedTiling(p *fusedProgram) (dims []int, strides [][]int, period int, ok bool) {
	rank := len(p.mdims)
	if rank < 2 {
		return nil, nil, 0, false
	}
	period = p.mdims[rank-1]
	if period > fuseBlock/2 {
		return nil, nil, 0, false
	}
	periodic := false
	for _, s := range p.mstrides {
		outer, inner := s[rank-2], s[rank-1]
		switch {
		case inner == 1 && outer == period, inner == 0 && outer == 0:
		case inner == 1 && outer == 0:
			periodic = true
		default:
			return nil, nil, 0, false
		}
	}
	if !periodic {
		return nil, nil, 0, false
	}
	dims = append(append([]int(nil), p.mdims[:rank-2]...), p.mdims[rank-2]*period)
	strides = make([][]int, len(p.mstrides))
	for v, s := range p.mstrides {
		strides[v] = append([]int(nil), s[:rank-1]...)
		switch {
		case s[rank-1] == 0:
			strides[v][rank-2] = 0
		case s[rank-2] == 0:
			strides[v][rank-2] = -1
		default:
			strides[v][rank-2] = 1
		}
	}
	return dims, strides, period, true
}

// fusedBlock evaluates the instructions over one block: each operand is a slice of len(out)
// values or a single value constant over the block (lens[r] is register r's length); the
// last instruction writes out.
func fusedBlock[T float32 | float64](instrs []fusedInstr, vals [][]T, regs []T, lens []int, out []T) {
	m := len(out)
	get := func(r int) []T {
		if r < 0 {
			return vals[-r-1]
		}
		return regs[r*fuseBlock : r*fuseBlock+lens[r]]
	}
	var res []T
	last := len(instrs) - 1
	for i, ins := range instrs {
		x := get(ins.x)
		var y []T
		constant := len(x) == 1
		if ins.bin {
			y = get(ins.y)
			constant = constant && len(y) == 1
		}
		switch {
		case constant:
			res = regs[i*fuseBlock : i*fuseBlock+1]
		case i == last:
			res = out
		default:
			res = regs[i*fuseBlock : i*fuseBlock+m]
		}
		lens[i] = len(res)
		if ins.bin {
			binaryRun(ins.bk, x, y, res)
		} else {
			unaryRun(ins.uk, x, res)
		}
	}
	if len(res) == 1 && &res[0] != &out[0] { // a constant result
		for i := range out {
			out[i] = res[0]
		}
	}
}
