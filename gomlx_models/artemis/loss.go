package artemis

import (
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// distEpsilon keeps the gradient of the Euclidean distance finite at 0.
const distEpsilon = 1e-12

// cosEpsilon guards the norms in the cosine similarity (PyTorch's eps=1e-8).
const cosEpsilon = 1e-8

// Loss returns the training loss of a batch: binary cross-entropy with
// logits (section 4.1) plus AlignWeight times the alignment loss of section
// 3.3 when Align is set. targets is the multi-hot [B, K] matrix. bce and
// align are returned separately for the curves (align is nil without
// alignment).
func (c Config) Loss(ctx *context.Context, out Output, targets *Node) (total, bce, align *Node) {
	targets = ConvertDType(targets, out.Logits.DType())
	bce = BCEWithLogits(out.Logits, targets)
	switch c.Align {
	case AlignContrastive:
		if c.ContrastiveForm == FormPaper {
			align = contrastiveLoss(out, targets)
		} else {
			align = contrastiveCode(out, targets)
		}
	case AlignCosine:
		align = c.cosineLoss(out)
	case AlignCCA:
		if c.CCAForm == FormPaper {
			align = c.ccaLoss(ctx.In(Scope).In("cca"), out)
		} else {
			align = c.ccaCode(out)
		}
	default:
		return bce, bce, nil
	}
	return Add(bce, MulScalar(align, c.AlignWeight)), bce, align
}

// BCEWithLogits is the mean over all elements of PyTorch's
// BCEWithLogitsLoss: max(x, 0) - x y + log(1 + exp(-|x|)).
func BCEWithLogits(logits, targets *Node) *Node {
	l := Sub(Max(logits, ZerosLike(logits)), Mul(logits, targets))
	l = Add(l, Log1p(Exp(Neg(Abs(logits)))))
	return ReduceAllMean(l)
}

// pooled averages a branch output over its tokens: [B, n, E] -> [B, E].
func pooled(x *Node) *Node { return ReduceMean(x, 1) }

// pairwiseEps is the eps of torch.nn.functional.pairwise_distance, which
// takes ||x1 - x2 + eps||_2.
const pairwiseEps = 1e-6

// contrastiveCode is the authors' ContrastiveLoss (artemis_contrastive.py:
// 14-23, called at :296 with fb1 = H_v^final mapped by W_j, fb2 = H_q^final
// and the multi-hot labels): per clip and class, d = ||fb1 - fb2 + 1e-6||
// over E, and the mean over [B, K] of (1-y) d² + y max(0, 1-d)², margin 1.
// The label plays the inverse of Eq. 17's role: a class that is present
// pushes its two features apart.
func contrastiveCode(out Output, targets *Node) *Node {
	diff := AddScalar(Sub(out.Fb1K, out.Fb2), pairwiseEps)
	d2 := ReduceSum(Square(diff), -1) // [B, K]
	d := Sqrt(d2)
	hinge := Max(OneMinus(d), ZerosLike(d))
	return ReduceAllMean(Add(Mul(OneMinus(targets), d2), Mul(targets, Square(hinge))))
}

// contrastiveLoss (ContrastiveForm = FormPaper) is Eq. 17 over every pair (i, j) of clips in the batch:
// y_ij dist + (1 - y_ij) max(0, margin - dist), dist the Euclidean distance
// between fb1 of clip i and fb2 of clip j (both averaged over tokens),
// margin 1, y_ij = 1 when clips i and j share at least one label (always for
// i = j).
func contrastiveLoss(out Output, targets *Node) *Node {
	f1, f2 := pooled(out.Fb1), pooled(out.Fb2) // [B, E]
	diff := Sub(InsertAxes(f1, 1), InsertAxes(f2, 0))
	dist := Sqrt(AddScalar(ReduceSum(Square(diff), -1), distEpsilon)) // [B, B]
	shared := Einsum("ik,jk->ij", targets, targets)
	y := ConvertDType(GreaterThan(shared, ScalarZero(shared.Graph(), shared.DType())), dist.DType())
	hinge := Max(OneMinus(dist), ZerosLike(dist)) // max(0, margin - dist), margin = 1
	return ReduceAllMean(Add(Mul(y, dist), Mul(OneMinus(y), hinge)))
}

// cosineLoss is Eq. 18, 1 - cos(fb1, fb2), averaged. The axis is
// CosineAxis: the authors' class axis of the [B, K, E] features
// (artemis_contrastive.py:27-36, nn.CosineSimilarity(dim=1)), or the paper's
// feature axis of the token-averaged branch outputs.
func (c Config) cosineLoss(out Output) *Node {
	if c.CosineAxis == CosineFeature {
		return ReduceAllMean(OneMinus(cosine(pooled(out.Fb1), pooled(out.Fb2), -1)))
	}
	return ReduceAllMean(OneMinus(cosine(out.Fb1K, out.Fb2, 1)))
}

func cosine(a, b *Node, axis int) *Node {
	dot := ReduceSum(Mul(a, b), axis)
	na := Sqrt(ReduceSum(Square(a), axis))
	nb := Sqrt(ReduceSum(Square(b), axis))
	return Div(dot, Max(Mul(na, nb), Scalar(a.Graph(), a.DType(), cosEpsilon)))
}

// ccaLoss (CCAForm = FormPaper) is Eq. 19 as printed, on the token-averaged branch outputs:
//
//	-Tr(W1ᵀ Σ12 W2) / sqrt(Tr(W1ᵀ (Σ11 + rI) W1) · Tr(W2ᵀ (Σ22 + rI) W2))
//
// with learned projections W1, W2 [E, CCADim], batch covariances and ridge r
// = CCARidge. The traces are computed through the projected features
// (Tr(W1ᵀ Σ12 W2) = Σ_c <P1_c, P2_c>/(B-1), P = centred H · W), which needs
// only matrix products. The classical "sum of canonical correlations" needs
// an eigen-decomposition that the graph backends lack; it is not offered.
func (c Config) ccaLoss(ctx *context.Context, out Output) *Node {
	h1, h2 := pooled(out.Fb1), pooled(out.Fb2)
	g := h1.Graph()
	dt := h1.DType()
	e := h1.Shape().Dimensions[1]
	n := float64(h1.Shape().Dimensions[0])
	dim := c.CCADim
	if dim == 0 {
		dim = e
	}
	init := ctx.WithInitializer(initializers.XavierUniformFn(ctx))
	w1 := init.VariableWithShape("W_fb1", shapes.Make(dt, e, dim)).ValueGraph(g)
	w2 := init.VariableWithShape("W_fb2", shapes.Make(dt, e, dim)).ValueGraph(g)
	p1 := MatMul(Sub(h1, ReduceAndKeep(h1, ReduceMean, 0)), w1)
	p2 := MatMul(Sub(h2, ReduceAndKeep(h2, ReduceMean, 0)), w2)
	denom := n - 1
	if denom < 1 {
		denom = 1
	}
	num := DivScalar(ReduceAllSum(Mul(p1, p2)), denom)
	v1 := Add(DivScalar(ReduceAllSum(Square(p1)), denom), MulScalar(ReduceAllSum(Square(w1)), c.CCARidge))
	v2 := Add(DivScalar(ReduceAllSum(Square(p2)), denom), MulScalar(ReduceAllSum(Square(w2)), c.CCARidge))
	return Neg(Div(num, Sqrt(Mul(v1, v2))))
}
