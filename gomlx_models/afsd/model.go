package afsd

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gopjrt/dtypes"
)

// GNEps is GroupNorm's ε (PyTorch's nn.GroupNorm default).
const GNEps = 1e-5

// Config sizes the detector for one stream.
type Config struct {
	FeatureDim int // D, input width per step (one stream; I3D: 1024)
	Channels   int // C, pyramid, tower and proposal width (AFSD: 512, BDNet.py:17; ProposalBranch(.., 512) L212-213)
	Groups     int // GroupNorm groups (AFSD: 32 everywhere)
	Classes    int // action classes; the class heads have Classes+1 outputs, 0 = background
	ClipLength int // window length in steps of the 10 fps grid (AFSD: 256)
	Levels     int // pyramid levels (AFSD: 6, BDNet.py:16)
	// LocInit, when > 0, initialises the coarse regression head's biases to log(LocInit), so
	// that the first distances exp(scale·x) are about LocInit frames instead of about one
	// (a reduced-scale choice, not AFSD's: AFSD's Unit1D keeps PyTorch's default init,
	// common/layers.py:175-190, and trains 16 epochs; heads trained from scratch for a few
	// hundred steps at Adam's bounded step never grow the boxes to the segments' lengths).
	// 0 keeps the default (zero) bias.
	LocInit float64
	// ANet selects AFSD's ActivityNet geometry (AFSD/anet/BDNet.py): the pyramid starts at the
	// Mixed_5c tap alone (level 0 has ClipLength/8 points, feat_t = 768 // 8, L19, L264-271;
	// Mixed_4f is unused), every further level is a stride-2 convolution of the previous one,
	// and level i's distances are multiplied by fpn_strides[i] = 4·2^i (L18, L285-287).
	ANet bool
}

// DefaultConfig is AFSD's THUMOS14 geometry and widths at input width d.
func DefaultConfig(d, classes int) Config {
	return Config{FeatureDim: d, Channels: 512, Groups: 32, Classes: classes, ClipLength: 256, Levels: 6}
}

// FeatT is the length of the first pyramid level (AFSD: feat_t = 256 // 4, BDNet.py:18).
func (c Config) FeatT() int {
	if c.ANet {
		return c.ClipLength / 8 // AFSD/anet/BDNet.py:19
	}
	return c.ClipLength / 4
}

// FPNStride is level i's distance multiplier: 4·2^i with ANet (AFSD/anet/BDNet.py:18), else 1.
func (c Config) FPNStride(i int) float64 {
	if c.ANet {
		return float64(int(4) << uint(i))
	}
	return 1
}

// LevelLengths are the pyramid's lengths: FeatT, FeatT/2, ... (64, 32, 16, 8, 4, 2).
func (c Config) LevelLengths() []int {
	out := make([]int, c.Levels)
	t := c.FeatT()
	for i := range out {
		out[i] = t
		t /= 2
	}
	return out
}

// Points is the number of anchor points over all levels (126 for AFSD).
func (c Config) Points() int {
	n := 0
	for _, t := range c.LevelLengths() {
		n += t
	}
	return n
}

// Priors are the points' centres as fractions of the window, (j+0.5)/t per level, levels
// concatenated (BDNet.py:243-250).
func (c Config) Priors() []float64 {
	var out []float64
	for _, t := range c.LevelLengths() {
		for j := range t {
			out = append(out, (float64(j)+0.5)/float64(t))
		}
	}
	return out
}

// Validate checks the sizes.
func (c Config) Validate() error {
	switch {
	case c.FeatureDim < 1 || c.Channels < 2 || c.Classes < 1:
		return fmt.Errorf("afsd: sizes must be positive: feature %d, channels %d (>= 2), classes %d", c.FeatureDim, c.Channels, c.Classes)
	case c.Groups < 1 || c.Channels%c.Groups != 0 || (2*c.Channels)%c.Groups != 0:
		return fmt.Errorf("afsd: channels %d not divisible into %d groups", c.Channels, c.Groups)
	case c.Channels%2 != 0:
		return fmt.Errorf("afsd: channels %d must be even (start/end and boundary halves)", c.Channels)
	case c.LocInit < 0 || math.IsNaN(c.LocInit) || math.IsInf(c.LocInit, 0):
		return fmt.Errorf("afsd: loc init %g must be >= 0 (0 = default bias)", c.LocInit)
	case c.Levels < 2 || c.ClipLength%8 != 0 || c.FeatT()%(1<<uint(c.Levels-1)) != 0:
		return fmt.Errorf("afsd: window %d (a multiple of 8) must leave FeatT = %d divisible by 2^(levels-1) = 2^%d", c.ClipLength, c.FeatT(), c.Levels-1)
	}
	return nil
}

// Taps stands in for the I3D backbone's two taps (BDNet.py:262-263): Mixed_4f is the window at
// a quarter of its length (AFSD: [832, 64, 6, 6] for 256 frames), Mixed_5c at an eighth
// ([1024, 32, 3, 3]). With fixed features they are average poolings over 4 and 8 steps of the
// 10 fps grid (the temporal strides of I3D's taps); their spatial axes are gone, so the
// 1×6×6 and 1×3×3 convolutions of levels 0 and 1 become 1×1. x [B, L, D] → [B, L/4, D], [B, L/8, D].
func Taps(x *Node) (mixed4f, mixed5c *Node) {
	d := x.Shape().Dimensions
	b, l, f := d[0], d[1], d[2]
	return ReduceMean(Reshape(x, b, l/4, 4, f), 2), ReduceMean(Reshape(x, b, l/8, 8, f), 2)
}

// GroupNorm is nn.GroupNorm(groups, C) on x [B, T, C] (channels last): per sample and group,
// mean and biased variance over time and the group's channels, then a per-channel affine map
// (γ = 1, β = 0 at initialisation).
func GroupNorm(ctx *context.Context, x *Node, groups int) *Node {
	d := x.Shape().Dimensions
	b, t, ch := d[0], d[1], d[2]
	g := Reshape(x, b, t, groups, ch/groups)
	mean := ReduceAndKeep(g, ReduceMean, 1, 3)
	cen := Sub(g, mean)
	v := ReduceAndKeep(Square(cen), ReduceMean, 1, 3)
	y := Reshape(Div(cen, Sqrt(AddScalar(v, GNEps))), b, t, ch)
	gamma := ctx.WithInitializer(initializers.One).VariableWithShape("gn_gamma", shapes.Make(x.DType(), ch)).ValueGraph(x.Graph())
	beta := ctx.WithInitializer(initializers.Zero).VariableWithShape("gn_beta", shapes.Make(x.DType(), ch)).ValueGraph(x.Graph())
	return Add(Mul(y, Reshape(gamma, 1, 1, ch)), Reshape(beta, 1, 1, ch))
}

// padTime pads x [B, T, C] with zeros on the time axis.
func padTime(x *Node, front, back int) *Node {
	if front == 0 && back == 0 {
		return x
	}
	d := x.Shape().Dimensions
	parts := []*Node{}
	if front > 0 {
		parts = append(parts, Zeros(x.Graph(), shapes.Make(x.DType(), d[0], front, d[2])))
	}
	parts = append(parts, x)
	if back > 0 {
		parts = append(parts, Zeros(x.Graph(), shapes.Make(x.DType(), d[0], back, d[2])))
	}
	return Concatenate(parts, 1)
}

// Conv1D is AFSD's Unit1D (common/layers.py:175-215): a 1-D convolution with bias and 'same'
// padding computed as TensorFlow does (total max(k-s, 0) when s divides T, else max(k - T mod s,
// 0); the front gets the smaller half). x [B, T, Cin] → [B, ceil(T/s), out].
func Conv1D(ctx *context.Context, x *Node, out, kernel, stride int) *Node {
	t := x.Shape().Dimensions[1]
	var pad int
	if t%stride == 0 {
		pad = max(kernel-stride, 0)
	} else {
		pad = max(kernel-t%stride, 0)
	}
	x = padTime(x, pad/2, pad-pad/2)
	if kernel == 1 && stride == 1 {
		return layers.Dense(ctx, x, true, out)
	}
	return layers.Convolution(ctx, x).Channels(out).KernelSize(kernel).Strides(stride).NoPadding().UseBias(true).Done()
}

// convGNReLU is Unit1D, GroupNorm, ReLU: AFSD's building block.
func convGNReLU(ctx *context.Context, c Config, x *Node, out, kernel, stride int) *Node {
	h := Conv1D(ctx.In("conv"), x, out, kernel, stride)
	return activations.Relu(GroupNorm(ctx.In("gn"), h, c.Groups))
}

// repeatTime is nearest-neighbour upsampling of x [B, T, C] by an integer factor (F.interpolate
// mode 'nearest' with T·factor outputs picks input floor(i/factor)).
func repeatTime(x *Node, factor int) *Node {
	d := x.Shape().Dimensions
	return Reshape(BroadcastToDims(InsertAxes(x, 2), d[0], d[1], factor, d[2]), d[0], d[1]*factor, d[2])
}

// Output is the detector's forward pass for one stream (BDNet.py:396-405). P = Points().
type Output struct {
	Loc      *Node // [B, P, 2] distances (in frames of the window) to the start and the end, > 0
	Conf     *Node // [B, P, Classes+1] class logits of the coarse stage
	PropLoc  *Node // [B, P, 2] refinement offsets, in units of half the coarse length
	PropConf *Node // [B, P, Classes+1] refined class logits
	Center   *Node // [B, P] quality logit ("center", BDNet.py:323-326)
	// Start, End [B, L]: the frame-level start/end probabilities, tanh of the frame feature's
	// halves averaged over channels (train.py:101-110 applies tanh(...).mean(-1)).
	Start, End *Node
	// Level-0 start/end from the proposal branches' boundary features [B, FeatT] (BDNet.py:306-313).
	StartLocProp, EndLocProp, StartConfProp, EndConfProp *Node
	Pyramid                                              []*Node // level features [B, t, C]
	Frame                                                *Node   // the frame-level feature [B, L, C]
}

// Forward runs the coarse pyramid, the heads, the frame-level branch and the refinement stage
// (CoarsePyramid.forward, BDNet.py:252-337) on the two taps of one stream: mixed4f [B, L/4, D]
// and mixed5c [B, L/8, D] (see [Taps]). Shared layers (towers and heads) are reused across
// levels, so ctx must be unchecked or is made so.
func Forward(ctx *context.Context, c Config, mixed4f, mixed5c *Node) Output {
	ctx = ctx.Checked(false)
	g := mixed4f.Graph()
	C, L, K1 := c.Channels, c.ClipLength, c.Classes+1
	b := mixed4f.Shape().Dimensions[0]

	// Pyramid (BDNet.py:264-277): level 0 from 4f, level 1 from 5c upsampled into level 0,
	// then stride-2 convolutions on level 1's output.
	var pyr []*Node
	var x *Node
	first := 2
	if c.ANet { // AFSD/anet/BDNet.py:264-271: level 0 is the 5c tap's projection alone
		x = activations.Relu(GroupNorm(ctx.In("pyramid0").In("gn"), layers.Dense(ctx.In("pyramid0").In("conv"), mixed5c, true, C), c.Groups))
		pyr, first = []*Node{x}, 1
	} else {
		l0 := activations.Relu(GroupNorm(ctx.In("pyramid0").In("gn"), layers.Dense(ctx.In("pyramid0").In("conv"), mixed4f, true, C), c.Groups))
		l1 := activations.Relu(GroupNorm(ctx.In("pyramid1").In("gn"), layers.Dense(ctx.In("pyramid1").In("conv"), mixed5c, true, C), c.Groups))
		pyr, x = []*Node{Add(l0, repeatTime(l1, 2)), l1}, l1
	}
	for i := first; i < c.Levels; i++ {
		x = convGNReLU(ctx.In(fmt.Sprintf("pyramid%d", i)), c, x, C, 3, 2)
		pyr = append(pyr, x)
	}

	// Frame-level branch (BDNet.py:279-286, deconv L228-238): level 0 upsampled to L, three
	// convolutions; channel halves give start and end.
	fr := repeatTime(pyr[0], L/pyr[0].Shape().Dimensions[1])
	fr = convGNReLU(ctx.In("deconv0"), c, fr, C, 3, 1)
	fr = convGNReLU(ctx.In("deconv1"), c, fr, C, 3, 1)
	fr = convGNReLU(ctx.In("deconv2"), c, fr, C, 1, 1)
	half := func(x *Node, h int) *Node {
		n := x.Shape().Dimensions[2] / 2
		return Slice(x, AxisRange(), AxisRange(), AxisRange(h*n, (h+1)*n))
	}
	tanhMean := func(x *Node) *Node { return ReduceMean(Tanh(x), -1) }
	out := Output{Pyramid: pyr, Frame: fr, Start: tanhMean(half(fr, 0)), End: tanhMean(half(fr, 1))}

	var locs, confs, plocs, pconfs, centers []*Node
	for i, feat := range pyr {
		t := feat.Shape().Dimensions[1]
		locF, confF := feat, feat
		for k := range 2 { // shared towers (BDNet.py:161-192)
			locF = convGNReLU(ctx.In(fmt.Sprintf("loc_tower%d", k)), c, locF, C, 3, 1)
			confF = convGNReLU(ctx.In(fmt.Sprintf("conf_tower%d", k)), c, confF, C, 3, 1)
		}
		// ScaleExp per level (BDNet.py:52-58): exp(scale·x), scale initialised to 1.
		scale := ctx.In(fmt.Sprintf("scale_exp%d", i)).WithInitializer(initializers.One).
			VariableWithShape("scale", shapes.Make(feat.DType())).ValueGraph(g)
		if c.LocInit > 0 && i == 0 { // created before Conv1D asks for it; a loaded value is kept
			b0 := math.Log(c.LocInit / c.FPNStride(0))
			var v any = []float32{float32(b0), float32(b0)}
			if locF.DType() == dtypes.Float64 {
				v = []float64{b0, b0}
			}
			ctx.In("loc_head").In("conv").VariableWithValue("biases", v)
		}
		loc := Exp(Mul(Conv1D(ctx.In("loc_head"), locF, 2, 3, 1), scale))
		if c.ANet {
			loc = MulScalar(loc, c.FPNStride(i))
		}
		conf := Conv1D(ctx.In("conf_head"), confF, K1, 3, 1)
		segs, fsegs := boundaries(c, StopGradient(loc), t)
		locProp, locLR := proposalBranch(ctx.In("loc_proposal"), c, locF, fr, segs, fsegs)
		confProp, confLR := proposalBranch(ctx.In("conf_proposal"), c, confF, fr, segs, fsegs)
		if i == 0 {
			out.StartLocProp, out.EndLocProp = tanhMean(half(locLR, 0)), tanhMean(half(locLR, 1))
			out.StartConfProp, out.EndConfProp = tanhMean(half(confLR, 0)), tanhMean(half(confLR, 1))
		}
		locs, confs = append(locs, loc), append(confs, conf)
		plocs = append(plocs, Conv1D(ctx.In("prop_loc_head"), locProp, 2, 1, 1))
		pconfs = append(pconfs, Conv1D(ctx.In("prop_conf_head"), confProp, K1, 1, 1))
		centers = append(centers, Reshape(Conv1D(ctx.In("center_head"), locProp, 1, 3, 1), b, t))
	}
	out.Loc, out.Conf = Concatenate(locs, 1), Concatenate(confs, 1)
	out.PropLoc, out.PropConf = Concatenate(plocs, 1), Concatenate(pconfs, 1)
	out.Center = Concatenate(centers, 1)
	return out
}

// boundaries are the pooling ranges of a level's points (BDNet.py:305-333, under no_grad):
// for the level feature, in level units, [l-out, l+in] and [r-in, r+out] around the predicted
// start l and end r, in = max(len/4, 1), out = max(len/10, 1); for the frame feature the same
// in frames, with len = r - l + 1. All rounded half to even (torch.round). loc [B, t, 2] in
// frames; results [B, t, 4].
func boundaries(c Config, loc *Node, t int) (segs, fsegs *Node) {
	g := loc.Graph()
	dt := loc.DType()
	L := float64(c.ClipLength)
	j := Reshape(Iota(g, shapes.Make(dt, t), 0), 1, t, 1) // round(prior·t - 0.5) = j
	left := Slice(loc, AxisRange(), AxisRange(), AxisRange(0, 1))
	right := Slice(loc, AxisRange(), AxisRange(), AxisRange(1, 2))
	four := func(l, r, plen *Node) *Node {
		in := MaxScalar(DivScalar(plen, 4), 1)
		out := MaxScalar(DivScalar(plen, 10), 1)
		return Round(Concatenate([]*Node{Sub(l, out), Add(l, in), Sub(r, in), Add(r, out)}, -1))
	}
	sl, sr := MulScalar(left, float64(t)/L), MulScalar(right, float64(t)/L)
	segs = four(Sub(j, sl), Add(j, sr), Add(sl, sr))
	centre := MulScalar(AddScalar(j, 0.5), L/float64(t)) // prior·frame_num
	d0, d1 := Sub(centre, left), Add(centre, right)
	fsegs = four(d0, d1, AddScalar(Sub(d1, d0), 1))
	return segs, fsegs
}

// BoundaryMaxPool is AFSD's boundary max-pooling (prop_pooling/boundary_max_pooling_kernel.cu:
// 17-46): for x [B, T, C] and ranges segs [B, P, 4], output [B, P, C] whose first C/2 channels
// are the max of x over steps [segs₀, segs₁] and the last C/2 over [segs₂, segs₃], inclusive,
// both ends clamped into [0, T-1]; a range whose end precedes its start is its start alone (the
// kernel's loop). The ranges carry no gradient (they come from no_grad code); x's gradient goes
// to the maximum, as the kernel's backward pass (L48-85) sends it to the first arg-max.
func BoundaryMaxPool(x, segs *Node) *Node {
	g := x.Graph()
	d := x.Shape().Dimensions
	b, t, ch := d[0], d[1], d[2]
	p := segs.Shape().Dimensions[1]
	segs = StopGradient(segs)
	steps := Reshape(Iota(g, shapes.Make(x.DType(), t), 0), 1, 1, t)
	var outs []*Node
	for h := range 2 {
		lo := ClipScalar(Slice(segs, AxisRange(), AxisRange(), AxisElem(2*h)), 0, float64(t-1))   // [B, P, 1]
		hi := ClipScalar(Slice(segs, AxisRange(), AxisRange(), AxisElem(2*h+1)), 0, float64(t-1)) // [B, P, 1]
		hi = Max(hi, lo)
		mask := LogicalAnd(GreaterOrEqual(steps, lo), LessOrEqual(steps, hi)) // [B, P, T]
		xh := Slice(x, AxisRange(), AxisRange(), AxisRange(h*ch/2, (h+1)*ch/2))
		xb := BroadcastToDims(InsertAxes(xh, 1), b, p, t, ch/2)
		mb := BroadcastToDims(InsertAxes(mask, -1), b, p, t, ch/2)
		low := BroadcastToDims(Scalar(g, x.DType(), -3e38), b, p, t, ch/2)
		outs = append(outs, ReduceMax(Where(mb, xb, low), 2))
	}
	return Concatenate(outs, -1)
}

// proposalBranch is ProposalBranch.forward (BDNet.py:60-110): the point's own feature (1×1,
// GN, ReLU), its boundary features (1×1 to 2C, GN, ReLU, boundary max-pooled), the frame
// feature's boundary features (pooled, 1×1, GN, ReLU), concatenated (4C) and mixed back to C.
// Returns the proposal feature [B, t, C] and the 2C-channel boundary feature before pooling
// (for the level-0 start/end supervision).
func proposalBranch(ctx *context.Context, c Config, feat, frame, segs, fsegs *Node) (prop, lr *Node) {
	C := c.Channels
	short := convGNReLU(ctx.In("cur_point"), c, feat, C, 1, 1)
	lr = convGNReLU(ctx.In("lr"), c, feat, 2*C, 1, 1)
	pf := BoundaryMaxPool(lr, segs)
	roi := convGNReLU(ctx.In("roi"), c, BoundaryMaxPool(frame, fsegs), C, 1, 1)
	prop = convGNReLU(ctx.In("proposal"), c, Concatenate([]*Node{roi, pf, short}, -1), C, 1, 1)
	return prop, lr
}
