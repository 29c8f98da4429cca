package afsd

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gopjrt/dtypes"
)

// Loss weights and constants of AFSD's THUMOS14 training (configs/thumos14.yaml and
// multisegment_loss.py).
const (
	LocWeight    = 10.0 // training.lw: GIoU and refined L1
	ConfWeight   = 1.0  // training.cw: focal losses and quality
	FocalGamma   = 2.0  // FocalLoss_Ori gamma
	FocalAlphaBg = 0.25 // alpha of the background class (balance_index 0, alpha 0.25)
	FocalAlphaFg = 0.75 // 1 - alpha for the action classes (multisegment_loss.py:41-47)
	FocalEps     = 1e-6 // added to p_t before the log (L37, L79)
	PropIoU      = 0.5  // overlap_thresh: a refined target is kept when tIoU(coarse, GT) >= 0.5
	PropBCEScale = 0.1  // weight of the level-0 boundary start/end BCE (train.py:148-149)
	giouEps      = 1.1920928955078125e-07
	bceLogFloor  = -100 // F.binary_cross_entropy clamps log at -100
)

// Targets are a batch's per-point targets, built by [AssignTargets] on the host.
type Targets struct {
	Loc  *Node // [B, P, 2]: distances of the point's centre to its segment's start and end, frames
	Conf *Node // [B, P] int32: the class 1..K of the shortest segment containing the point, else 0
	// Start, End [B, L]: the frame-level boundary masks (thumos_dataset.py:111-121).
	Start, End *Node
}

// Losses are AFSD's loss terms, each already normalised as the code does (sums over the batch
// divided by the number of positive points N or of refined positives PN, both at least 1).
type Losses struct {
	Loc, Conf, PropLoc, PropConf, Quality, Start, End *Node
	Total                                             *Node // lw·(Loc+PropLoc) + cw·(Conf+PropConf+Quality) + Start + End (train.py:175-180)
}

// SegmentIoU is iou_loss(..., 'calc iou') (multisegment_loss.py:93-121): for distances pred
// and target [..., 2] from the same centre, intersection min(l)+min(r) over union.
func SegmentIoU(pred, target *Node) *Node {
	pl, pr := lastSplit(pred)
	tl, tr := lastSplit(target)
	inter := Add(Min(pl, tl), Min(pr, tr))
	union := Sub(Add(Add(pl, pr), Add(tl, tr)), inter)
	return Div(inter, MaxScalar(union, giouEps))
}

// GIoULoss is 1 - GIoU of distance pairs [..., 2] (iou_loss with loss_type 'giou',
// multisegment_loss.py:93-121): the enclosing length is max(l)+max(r). Result [...].
func GIoULoss(pred, target *Node) *Node {
	pl, pr := lastSplit(pred)
	tl, tr := lastSplit(target)
	inter := Add(Min(pl, tl), Min(pr, tr))
	union := Sub(Add(Add(pl, pr), Add(tl, tr)), inter)
	iou := Div(inter, MaxScalar(union, giouEps))
	enc := Add(Max(pl, tl), Max(pr, tr))
	giou := Sub(iou, Div(Sub(enc, union), MaxScalar(enc, giouEps)))
	return OneMinus(giou)
}

func lastSplit(x *Node) (a, b *Node) {
	r := x.Rank()
	axes := make([]SliceAxisSpec, r)
	for i := range axes {
		axes[i] = AxisRange()
	}
	axes[r-1] = AxisElem(0)
	a = Squeeze(Slice(x, axes...), -1)
	axes[r-1] = AxisElem(1)
	b = Squeeze(Slice(x, axes...), -1)
	return a, b
}

// SoftmaxFocal is FocalLoss_Ori on softmax probabilities (multisegment_loss.py:20-90 with
// alpha 0.25, balance_index 0, size_average False): per point -α_y (1-p_y)^γ log(p_y + ε), with
// p_y = softmax(logits)_y + ε, α = 0.25 for the background and 0.75 otherwise. logits [..., K+1],
// labels [...] int32. Result [...] (the caller sums).
func SoftmaxFocal(logits, labels *Node) *Node {
	k := logits.Shape().Dimensions[logits.Rank()-1]
	p := Softmax(logits, -1)
	onehot := OneHot(labels, k, logits.DType())
	pt := AddScalar(ReduceSum(Mul(p, onehot), -1), FocalEps)
	isBg := ConvertDType(Equal(labels, ZerosLike(labels)), logits.DType())
	alpha := AddScalar(MulScalar(isBg, FocalAlphaBg-FocalAlphaFg), FocalAlphaFg)
	return Neg(Mul(Pow(OneMinus(pt), Scalar(pt.Graph(), pt.DType(), FocalGamma)), Mul(alpha, Log(pt))))
}

// BCEWithLogits is F.binary_cross_entropy_with_logits per element: max(x,0) - x·y + log(1+e^{-|x|}).
// The target y may carry a gradient (PyTorch differentiates it: ∂/∂y = -x).
func BCEWithLogits(x, y *Node) *Node {
	return Add(Sub(MaxScalar(x, 0), Mul(x, y)), Log1P(Exp(Neg(Abs(x)))))
}

// BCEProb is F.binary_cross_entropy on probabilities p per element, with the log clamped at
// -100 as PyTorch does.
func BCEProb(p, y *Node) *Node {
	lp := MaxScalar(Log(MaxScalar(p, 1e-30)), bceLogFloor)
	lq := MaxScalar(Log(MaxScalar(OneMinus(p), 1e-30)), bceLogFloor)
	return Neg(Add(Mul(y, lp), Mul(OneMinus(y), lq)))
}

// ComputeLosses is MultiSegmentLoss.forward (multisegment_loss.py:135-257) plus the start/end
// BCE of train.py:101-149:
//   - coarse: GIoU of the positive points' distances (sum / N) and the softmax focal loss of
//     every point (sum / N);
//   - refined: a point keeps its class when the tIoU of its (gradient-free) coarse distances
//     with its target is >= 0.5; its target offsets are (target - coarse)/(½·coarse length);
//     L1 on them (sum / PN) and the focal loss against the kept classes (sum / PN);
//   - quality: BCE with logits of the positive points' quality logit against the tIoU of the
//     refined box with the target, clamped at 0 (sum / N). As in the code, the tIoU target is
//     computed from the live coarse and refined outputs, so it carries a gradient;
//   - start/end: BCE of the frame-level probabilities against the masks (mean), plus 0.1 times
//     the BCE of the level-0 boundary probabilities of both branches against the masks
//     subsampled by 4 (F.interpolate nearest, scale 1/4).
func ComputeLosses(o Output, t Targets) Losses {
	g := o.Loc.Graph()
	dt := o.Loc.DType()
	pos := ConvertDType(GreaterThan(t.Conf, ZerosLike(t.Conf)), dt) // [B, P]
	n := MaxScalar(ReduceAllSum(pos), 1)
	var ls Losses
	ls.Loc = Div(ReduceAllSum(Mul(GIoULoss(o.Loc, t.Loc), pos)), n)
	ls.Conf = Div(ReduceAllSum(SoftmaxFocal(o.Conf, t.Conf)), n)

	pre := StopGradient(o.Loc)
	iou := SegmentIoU(pre, t.Loc)
	keep := GreaterOrEqual(iou, Scalar(g, dt, PropIoU))
	propConf := Where(keep, t.Conf, ZerosLike(t.Conf))
	ppos := ConvertDType(GreaterThan(propConf, ZerosLike(propConf)), dt)
	pn := MaxScalar(ReduceAllSum(ppos), 1)
	pl, pr := lastSplit(pre)
	halfW := InsertAxes(MulScalar(Add(pl, pr), 0.5), -1) // [B, P, 1]
	propT := Div(Sub(t.Loc, pre), halfW)
	ls.PropLoc = Div(ReduceAllSum(Mul(ReduceSum(Abs(Sub(o.PropLoc, propT)), -1), ppos)), pn)
	ls.PropConf = Div(ReduceAllSum(SoftmaxFocal(o.PropConf, propConf)), pn)

	// Quality (L224-236): the refined box from the live outputs.
	lw := InsertAxes(func() *Node { a, b := lastSplit(o.Loc); return Add(a, b) }(), -1)
	cur := Add(Mul(MulScalar(lw, 0.5), o.PropLoc), o.Loc)
	q := MaxScalar(SegmentIoU(cur, t.Loc), 0)
	ls.Quality = Div(ReduceAllSum(Mul(BCEWithLogits(o.Center, q), pos)), n)

	sub4 := func(x *Node) *Node { // F.interpolate(scores, scale_factor=1/4), nearest: index 4i (ActivityNet: 1/8, anet/train.py:141)
		d := x.Shape().Dimensions
		f := d[1] / o.StartLocProp.Shape().Dimensions[1]
		return Squeeze(Slice(Reshape(x, d[0], d[1]/f, f), AxisRange(), AxisRange(), AxisElem(0)), -1)
	}
	ls.Start = Add(ReduceAllMean(BCEProb(o.Start, t.Start)),
		MulScalar(Add(ReduceAllMean(BCEProb(o.StartLocProp, sub4(t.Start))), ReduceAllMean(BCEProb(o.StartConfProp, sub4(t.Start)))), PropBCEScale))
	ls.End = Add(ReduceAllMean(BCEProb(o.End, t.End)),
		MulScalar(Add(ReduceAllMean(BCEProb(o.EndLocProp, sub4(t.End))), ReduceAllMean(BCEProb(o.EndConfProp, sub4(t.End)))), PropBCEScale))
	ls.Total = Add(Add(MulScalar(Add(ls.Loc, ls.PropLoc), LocWeight), MulScalar(Add(Add(ls.Conf, ls.PropConf), ls.Quality), ConfWeight)),
		Add(ls.Start, ls.End))
	return ls
}

// BackgroundLoss is GAF's L_n-ai as coded (GAF/thumos14/train.py:265-290): the background
// features go through the detector against the complement intervals labelled 0 (interval(),
// train.py:70-78), so every point's target is the background class; the cost is
// lw·loss_l + cw·loss_c with no positives (loss_l = 0, N = max(0, 1) = 1): the focal loss
// summed over all points.
func BackgroundLoss(o Output) *Node {
	lab := Zeros(o.Conf.Graph(), shapes.Make(dtypes.Int32, o.Center.Shape().Dimensions...))
	return MulScalar(ReduceAllSum(SoftmaxFocal(o.Conf, lab)), ConfWeight)
}
