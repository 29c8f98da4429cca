package purego

import (
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX's own idiom for graph code.
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// DotGeneralAxes are the axes of a DotGeneral node, as given to graph.DotGeneral.
type DotGeneralAxes struct {
	LHSContracting, LHSBatch, RHSContracting, RHSBatch []int
}

// LayoutError is non-nil when graph.Node's unexported layout is not the one this package was
// written against (github.com/gomlx/gomlx v0.25.0; see checkNodeLayout). The gradient
// overrides are then not installed, [FastPathsError] reports it and TestFastPathsEnabled
// fails loudly. It is nil, and means nothing, when the GoMLX version check failed first.
var LayoutError error

// originalDotGeneralVJP, originalDotVJP and originalConvVJP are GoMLX's own gradients: what
// every graph not built for a purego backend gets, and the fallback.
var (
	originalDotGeneralVJP = VJPRegistration[NodeTypeDotGeneral]
	originalDotVJP        = VJPRegistration[NodeTypeDot]
	originalConvVJP       = VJPRegistration[NodeTypeConvGeneral]
)

// overrideCalls counts the gradients purego's overrides computed themselves (not delegated
// to GoMLX's), for the tests.
var overrideCalls atomic.Int64

// installGradients replaces GoMLX's DotGeneral, Dot and ConvGeneral gradients in
// graph.VJPRegistration (a process-wide map) with purego's, after checkNodeLayout. Each
// replacement delegates to GoMLX's original unless [usePuregoVJP] says the node's graph is
// built for a purego backend with the fast paths on, so graphs of any other backend ("go",
// "xla:cuda"...) get GoMLX's own gradients. guard.go calls it only once the GoMLX version is
// confirmed.
func installGradients() error {
	if LayoutError = checkNodeLayout(); LayoutError != nil {
		return LayoutError
	}
	for _, o := range []struct {
		t        NodeType
		original VJP
	}{{NodeTypeDotGeneral, originalDotGeneralVJP}, {NodeTypeDot, originalDotVJP}, {NodeTypeConvGeneral, originalConvVJP}} {
		if o.original == nil {
			return fmt.Errorf("purego: GoMLX registers no gradient for %s (written against %s)", o.t, GoMLXVersion)
		}
	}
	VJPRegistration[NodeTypeDotGeneral] = DotGeneralVJP
	VJPRegistration[NodeTypeDot] = DotVJP
	VJPRegistration[NodeTypeConvGeneral] = ConvGeneralVJP
	return nil
}

// usePuregoVJP reports whether node's gradient is purego's: its graph's backend is a purego
// [Backend] and the fast paths are on. Otherwise the override delegates to GoMLX's.
func usePuregoVJP(node *Node) bool {
	if node == nil || !fastPathsOn() {
		return false
	}
	g := node.Graph()
	if g == nil {
		return false
	}
	_, ok := g.Backend().(*Backend)
	return ok
}

var dotGeneralAxisFields = [4]string{"lhsContractingAxes", "lhsBatchAxes", "rhsContractingAxes", "rhsBatchAxes"}

// checkNodeLayout verifies, by reflection on the types only (no graph is built), that
// graph.Node has a field "inputs" of interface type graph.NodeInputs, and a field
// "customVJP" of type graph.VJP (the hook GoMLX consults before VJPRegistration, which this
// package leaves alone). It cannot see the concrete types GoMLX stores in "inputs" (one
// unexported struct per op, e.g. *nodeInputsDotGeneral): those are checked on every read by
// [ReadDotGeneralAxes] and [ReadConvParams] (field names and types, then consistency of the
// values with the operand and output shapes), which return an error on any mismatch, and the
// gradients then fall back to GoMLX's own.
func checkNodeLayout() error {
	nodeT := reflect.TypeFor[Node]()
	f, ok := nodeT.FieldByName("inputs")
	if !ok || f.Type != reflect.TypeFor[NodeInputs]() {
		return fmt.Errorf("purego: graph.Node has no field \"inputs\" of type graph.NodeInputs (GoMLX layout changed; written against %s)", GoMLXVersion)
	}
	c, ok := nodeT.FieldByName("customVJP")
	if !ok || c.Type != reflect.TypeFor[VJP]() {
		return fmt.Errorf("purego: graph.Node has no field \"customVJP\" of type graph.VJP (GoMLX layout changed; written against %s)", GoMLXVersion)
	}
	return nil
}

// ReadDotGeneralAxes reads the contracting and batch axes of a DotGeneral node from GoMLX's
// unexported node inputs, through reflection, without modifying anything.
func ReadDotGeneralAxes(node *Node) (DotGeneralAxes, error) {
	var axes DotGeneralAxes
	if node == nil || node.Type() != NodeTypeDotGeneral {
		return axes, fmt.Errorf("purego: ReadDotGeneralAxes needs a DotGeneral node, got %v", node)
	}
	in := reflect.ValueOf(node).Elem().FieldByName("inputs")
	if !in.IsValid() || in.Kind() != reflect.Interface || in.IsNil() {
		return axes, fmt.Errorf("purego: graph.Node.inputs missing or nil (GoMLX layout changed; written against v0.25.0)")
	}
	p := in.Elem()
	if p.Kind() != reflect.Pointer || p.Elem().Kind() != reflect.Struct {
		return axes, fmt.Errorf("purego: DotGeneral node inputs is %s, want a pointer to struct (GoMLX layout changed)", p.Type())
	}
	s := p.Elem()
	dst := [4]*[]int{&axes.LHSContracting, &axes.LHSBatch, &axes.RHSContracting, &axes.RHSBatch}
	for i, name := range dotGeneralAxisFields {
		fv := s.FieldByName(name)
		if !fv.IsValid() || fv.Kind() != reflect.Slice || fv.Type().Elem().Kind() != reflect.Int {
			return axes, fmt.Errorf("purego: %s has no []int field %q (GoMLX layout changed; written against v0.25.0)", s.Type(), name)
		}
		vals := make([]int, fv.Len())
		for j := range vals {
			vals[j] = int(fv.Index(j).Int())
		}
		*dst[i] = vals
	}
	// Consistency checks, so a reordering of same-typed fields is caught too.
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	if len(axes.LHSContracting) != len(axes.RHSContracting) || len(axes.LHSBatch) != len(axes.RHSBatch) {
		return axes, fmt.Errorf("purego: DotGeneral axes read %+v are inconsistent (GoMLX layout changed)", axes)
	}
	for i := range axes.LHSContracting {
		if !axisOK(lhs, axes.LHSContracting[i]) || !axisOK(rhs, axes.RHSContracting[i]) ||
			lhs.Shape().Dimensions[axes.LHSContracting[i]] != rhs.Shape().Dimensions[axes.RHSContracting[i]] {
			return axes, fmt.Errorf("purego: DotGeneral contracting axes read %+v do not match %s x %s (GoMLX layout changed)", axes, lhs.Shape(), rhs.Shape())
		}
	}
	for i := range axes.LHSBatch {
		if !axisOK(lhs, axes.LHSBatch[i]) || !axisOK(rhs, axes.RHSBatch[i]) ||
			lhs.Shape().Dimensions[axes.LHSBatch[i]] != rhs.Shape().Dimensions[axes.RHSBatch[i]] {
			return axes, fmt.Errorf("purego: DotGeneral batch axes read %+v do not match %s x %s (GoMLX layout changed)", axes, lhs.Shape(), rhs.Shape())
		}
	}
	want := len(axes.LHSBatch) + (lhs.Rank() - len(axes.LHSBatch) - len(axes.LHSContracting)) +
		(rhs.Rank() - len(axes.RHSBatch) - len(axes.RHSContracting))
	if node.Rank() != want {
		return axes, fmt.Errorf("purego: DotGeneral axes read %+v give rank %d, node is %s (GoMLX layout changed)", axes, want, node.Shape())
	}
	return axes, nil
}

func axisOK(x *Node, axis int) bool { return axis >= 0 && axis < x.Rank() }

// freeAxes lists x's axes that are neither contracting nor batch, ascending: the order in
// which DotGeneral puts them in its output.
func freeAxes(rank int, contracting, batch []int) []int {
	var out []int
	for a := range rank {
		if !slices.Contains(contracting, a) && !slices.Contains(batch, a) {
			out = append(out, a)
		}
	}
	return out
}

// DotGeneralVJP is the gradient of DotGeneral computed by two DotGenerals (matrix products).
//
// With out[b, i, j] = sum_k lhs[b, i, k] rhs[b, k, j] (b batch, i lhs free, j rhs free, k
// contracted; each possibly several axes):
//
//	dL/dlhs[b, i, k] = sum_j v[b, i, j] rhs[b, k, j]   (contract v's rhs-free axes with rhs's free axes)
//	dL/drhs[b, k, j] = sum_i v[b, i, j] lhs[b, i, k]   (contract v's lhs-free axes with lhs's free axes)
//
// followed by a transpose back to each operand's axis order. GoMLX's own version materialises
// the [b, i, j, k] product before reducing it, which XLA fuses away but simplego does not.
func DotGeneralVJP(node *Node, vjpOutputs []*Node, outputShape shapes.Shape) []*Node {
	if !usePuregoVJP(node) {
		return originalDotGeneralVJP(node, vjpOutputs, outputShape)
	}
	axes, err := ReadDotGeneralAxes(node)
	if err != nil || outputShape.Rank() != 0 || len(vjpOutputs) != 1 {
		return originalDotGeneralVJP(node, vjpOutputs, outputShape)
	}
	overrideCalls.Add(1)
	v := vjpOutputs[0]
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	nb := len(axes.LHSBatch)
	lhsFree := freeAxes(lhs.Rank(), axes.LHSContracting, axes.LHSBatch)
	rhsFree := freeAxes(rhs.Rank(), axes.RHSContracting, axes.RHSBatch)
	vBatch := iotaInts(nb)
	vLHSFree := make([]int, len(lhsFree))
	for i := range vLHSFree {
		vLHSFree[i] = nb + i
	}
	vRHSFree := make([]int, len(rhsFree))
	for i := range vRHSFree {
		vRHSFree[i] = nb + len(lhsFree) + i
	}
	if v.DType() != lhs.DType() {
		v = ConvertDType(v, lhs.DType())
	}

	// dlhs: [batch, lhsFree, rhs's contracting axes in ascending rhs order].
	dlhs := DotGeneral(v, vRHSFree, vBatch, rhs, rhsFree, axes.RHSBatch)
	dlhs = transposeUnlessIdentity(dlhs, backPermutation(lhs.Rank(), axes.LHSBatch, lhsFree, axes.LHSContracting, axes.RHSContracting))

	// drhs: [batch, rhsFree, lhs's contracting axes in ascending lhs order].
	drhs := DotGeneral(v, vLHSFree, vBatch, lhs, lhsFree, axes.LHSBatch)
	drhs = transposeUnlessIdentity(drhs, backPermutation(rhs.Rank(), axes.RHSBatch, rhsFree, axes.RHSContracting, axes.LHSContracting))
	return []*Node{dlhs, drhs}
}

// transposeUnlessIdentity avoids a copy (simplego materialises every Transpose) when the
// gradient is already in the operand's axis order.
func transposeUnlessIdentity(x *Node, perm []int) *Node {
	for i, p := range perm {
		if i != p {
			return TransposeAllAxes(x, perm...)
		}
	}
	return x
}

// backPermutation returns the permutation taking a gradient laid out as
// [batch, free, contracted (in ascending order of the other operand's paired axes)] back to
// this operand's axis order. thisContracting[c] is paired with otherContracting[c].
func backPermutation(rank int, batch, free, thisContracting, otherContracting []int) []int {
	perm := make([]int, rank)
	for i, a := range batch {
		perm[a] = i
	}
	for i, a := range free {
		perm[a] = len(batch) + i
	}
	sortedOther := slices.Sorted(slices.Values(otherContracting))
	for c, a := range thisContracting {
		perm[a] = len(batch) + len(free) + slices.Index(sortedOther, otherContracting[c])
	}
	return perm
}

// DotVJP is the gradient of graph.Dot (the backend Dot op) computed with matrix products; the
// vector-vector case keeps GoMLX's elementwise form.
func DotVJP(node *Node, vjpOutputs []*Node, outputShape shapes.Shape) []*Node {
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	if !usePuregoVJP(node) || outputShape.Rank() != 0 || len(vjpOutputs) != 1 || lhs.Rank() != 2 || rhs.Rank() > 2 {
		return originalDotVJP(node, vjpOutputs, outputShape)
	}
	overrideCalls.Add(1)
	v := vjpOutputs[0]
	if rhs.Rank() == 1 { // [i,j] x [j] -> [i]
		return []*Node{
			DotGeneral(v, nil, nil, rhs, nil, nil),           // outer product [i, j]
			DotGeneral(lhs, []int{0}, nil, v, []int{0}, nil), // [j]
		}
	}
	return []*Node{
		DotGeneral(v, []int{1}, nil, rhs, []int{1}, nil), // [i,k] x [j,k] -> [i,j]
		DotGeneral(lhs, []int{0}, nil, v, []int{0}, nil), // [i,j] x [i,k] -> [j,k]
	}
}
