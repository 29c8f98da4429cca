package convlstm

import (
	"fmt"
	"github.com/actrepro/actrepro/gomlx_models/summary"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gopjrt/dtypes"
)

// Recurrent activations of the ConvLSTM gates i, f and o.
const (
	// ActivationHardSigmoid is tf.keras 2.x's ConvLSTM2D default, clip(0.2x+0.5, 0, 1):
	// the authors' code derives from a 2021 tf.keras tutorial.
	ActivationHardSigmoid = "hard_sigmoid"
	// ActivationSigmoid is Keras 3's ConvLSTM2D default.
	ActivationSigmoid = "sigmoid"
)

// Config holds the ConvLSTM hyperparameters. DefaultConfig returns the
// values of the paper's Figure 1 table.
type Config struct {
	Frames, Height, Width, Channels int // input video: 20 x 64 x 64 x 3
	Classes                         int // 4 (WalkingWithDog, TaiChi, Swing, HorseRace)

	// Filters of the successive ConvLSTM2D layers: 4, 8, 14, 16 (Figure 1
	// table; the prose of section 5.1 lists only 4, 8, 14).
	Filters []int
	Kernel  int // 3 (3x3 kernels)

	// Dropout is the rate of the TimeDistributed(Dropout) after every pooling
	// but the last (section 5.1: 0.2).
	Dropout float64
	// RecurrentDropout is the ConvLSTM2D recurrent_dropout (0.2 in the
	// authors' code). One mask per sequence is shared by the four gates
	// (Keras 3 behaviour; tf.keras 2.x drew one mask per gate).
	RecurrentDropout float64
	// RecurrentActivation is ActivationHardSigmoid (default, tf.keras 2.x) or ActivationSigmoid.
	RecurrentActivation string
}

// DefaultConfig is the architecture of the paper's Figure 1 table.
func DefaultConfig() Config {
	return Config{
		Frames: 20, Height: 64, Width: 64, Channels: 3, Classes: 4,
		Filters: []int{4, 8, 14, 16}, Kernel: 3,
		Dropout: 0.2, RecurrentDropout: 0.2,
		RecurrentActivation: ActivationHardSigmoid,
	}
}

// Validate reports the first invalid field by name.
func (c Config) Validate() error {
	switch {
	case c.Frames < 1 || c.Height < 1 || c.Width < 1 || c.Channels < 1:
		return fmt.Errorf("convlstm: input shape %dx%dx%dx%d must be positive", c.Frames, c.Height, c.Width, c.Channels)
	case c.Classes < 2:
		return fmt.Errorf("convlstm: Classes=%d, need at least 2", c.Classes)
	case len(c.Filters) == 0:
		return fmt.Errorf("convlstm: Filters is empty")
	case c.Kernel < 1:
		return fmt.Errorf("convlstm: Kernel=%d must be positive", c.Kernel)
	case c.Dropout < 0 || c.Dropout >= 1:
		return fmt.Errorf("convlstm: Dropout=%g must be in [0,1)", c.Dropout)
	case c.RecurrentDropout < 0 || c.RecurrentDropout >= 1:
		return fmt.Errorf("convlstm: RecurrentDropout=%g must be in [0,1)", c.RecurrentDropout)
	case c.RecurrentActivation != ActivationHardSigmoid && c.RecurrentActivation != ActivationSigmoid:
		return fmt.Errorf("convlstm: RecurrentActivation=%q, want %q or %q", c.RecurrentActivation, ActivationHardSigmoid, ActivationSigmoid)
	}
	for i, f := range c.Filters {
		if f < 1 {
			return fmt.Errorf("convlstm: Filters[%d]=%d must be positive", i, f)
		}
	}
	h, w := c.Height, c.Width
	for i := range c.Filters {
		h, w = h-c.Kernel+1, w-c.Kernel+1
		if h < 1 || w < 1 {
			return fmt.Errorf("convlstm: input %dx%d too small for ConvLSTM2D layer %d", c.Height, c.Width, i)
		}
		h, w = (h+1)/2, (w+1)/2
	}
	return nil
}

// LayerSummary is one row of a Keras model.summary() table.
type LayerSummary = summary.Layer

// Model returns the class logits [batch, Classes] of videos shaped
// [batch, Frames, Height, Width, Channels] with values in [0, 1]. The
// softmax of the paper's Dense layer is left to the loss (categorical
// cross-entropy on logits), so probabilities are Softmax(logits).
func Model(ctx *context.Context, cfg Config, videos *Node) *Node {
	return Build(ctx, cfg, videos, nil)
}

// Build is Model with an optional record callback that receives each
// layer's summary row in order (used by Summarize).
func Build(ctx *context.Context, cfg Config, videos *Node, record func(LayerSummary)) *Node {
	ctx = ctx.In("convlstm").WithInitializer(initializers.GlorotUniformFn(ctx))
	if record == nil {
		record = func(LayerSummary) {}
	}
	suffix := func(i int) string {
		if i == 0 {
			return ""
		}
		return fmt.Sprintf("_%d", i)
	}
	// The frames are kept as a list of [batch, H, W, C] tensors from the input to the
	// flatten: slicing one frame out of a [batch, T, ...] tensor inside the network would
	// make its gradient a zero-padded copy of the whole tensor per frame (GoMLX's Slice
	// gradient is a Pad), T full-size Pads and Adds per layer.
	frames := unstackFrames(videos)
	t := len(frames)
	for i, f := range cfg.Filters {
		before := summary.TrainableParams(ctx)
		name := "conv_lstm2d" + suffix(i)
		frames = convLSTM2DFrames(ctx.In(name), frames, f, cfg.Kernel, cfg.RecurrentDropout, cfg.RecurrentActivation)
		record(LayerSummary{Name: name, Type: "ConvLSTM2D", Shape: framesShape(t, frames), Params: summary.TrainableParams(ctx) - before})
		for j, fr := range frames {
			frames[j] = maxPoolFrame(fr)
		}
		record(LayerSummary{Name: "max_pooling3d" + suffix(i), Type: "MaxPooling3D", Shape: framesShape(t, frames), Params: 0})
		if i < len(cfg.Filters)-1 {
			frames = dropoutFrames(ctx, frames, cfg.Dropout)
			record(LayerSummary{Name: "time_distributed" + suffix(i), Type: "TimeDistributed", Shape: framesShape(t, frames), Params: 0})
		}
	}
	x := Stack(frames, 1)
	batch := x.Shape().Dimensions[0]
	x = Reshape(x, batch, -1)
	record(LayerSummary{Name: "flatten", Type: "Flatten", Shape: x.Shape().Dimensions[1:], Params: 0})
	before := summary.TrainableParams(ctx)
	x = DenseKeras(ctx.In("dense"), x, cfg.Classes)
	record(LayerSummary{Name: "dense", Type: "Dense", Shape: x.Shape().Dimensions[1:], Params: summary.TrainableParams(ctx) - before})
	return x
}

// DenseKeras is Keras's Dense without activation: x·kernel + bias with
// kernel [in, units] and bias [units].
func DenseKeras(ctx *context.Context, x *Node, units int) *Node {
	g := x.Graph()
	in := x.Shape().Dimensions[x.Rank()-1]
	kernel := ctx.VariableWithShape("kernel", shapes.Make(x.DType(), in, units)).ValueGraph(g)
	bias := ctx.WithInitializer(initializers.Zero).VariableWithShape("bias", shapes.Make(x.DType(), units)).ValueGraph(g)
	return Add(Dot(x, kernel), Reshape(bias, 1, units))
}

// unstackFrames returns the T frames [batch, H, W, C] of x [batch, T, H, W, C].
func unstackFrames(x *Node) []*Node {
	d := x.Shape().Dimensions
	frames := make([]*Node, d[1])
	for t := range frames {
		frames[t] = Reshape(SliceAxis(x, 1, AxisElem(t)), d[0], d[2], d[3], d[4])
	}
	return frames
}

// framesShape is the Keras output shape (without batch) of T frames like frames[0].
func framesShape(t int, frames []*Node) []int {
	return append([]int{t}, frames[0].Shape().Dimensions[1:]...)
}

// maxPoolFrame is MaxPool3DSpatial on one frame [batch, H, W, C].
func maxPoolFrame(x *Node) *Node {
	d := x.Shape().Dimensions
	return MaxPool(x).Window(2).Strides(2).PaddingPerDim([][2]int{{0, d[1] % 2}, {0, d[2] % 2}}).Done()
}

// dropoutFrames is layers.DropoutStatic(ctx, Stack(frames, 1), rate) (Keras's
// TimeDistributed(Dropout)) unstacked: the same single uniform draw of the
// stacked shape, so the same masks, sliced per frame (the draw has no gradient).
func dropoutFrames(ctx *context.Context, frames []*Node, rate float64) []*Node {
	g := frames[0].Graph()
	if rate <= 0 || !ctx.IsTraining(g) {
		return frames
	}
	d := frames[0].Shape().Dimensions
	dims := append([]int{d[0], len(frames)}, d[1:]...)
	rateNode := Scalar(g, dtypes.Float32, rate)
	rnd := ctx.RandomUniform(g, shapes.Make(dtypes.Float32, dims...))
	drop := LessOrEqual(rnd, BroadcastToDims(rateNode, dims...))
	keep := ConvertDType(OneMinus(rateNode), frames[0].DType())
	out := make([]*Node, len(frames))
	for t, x := range frames {
		dropT := Reshape(SliceAxis(drop, 1, AxisElem(t)), d...)
		out[t] = Div(Where(dropT, ZerosLike(x), x), keep)
	}
	return out
}

// MaxPool3DSpatial is Keras's MaxPooling3D(pool_size=(1, 2, 2),
// padding="same") on [batch, T, H, W, C]: each frame is pooled 2x2 with
// stride 2, an odd border padded at the end (TensorFlow's "same" rule),
// so H becomes ceil(H/2).
func MaxPool3DSpatial(x *Node) *Node {
	d := x.Shape().Dimensions
	b, t, h, w, c := d[0], d[1], d[2], d[3], d[4]
	frames := Reshape(x, b*t, h, w, c)
	pooled := MaxPool(frames).Window(2).Strides(2).PaddingPerDim([][2]int{{0, h % 2}, {0, w % 2}}).Done()
	pd := pooled.Shape().Dimensions
	return Reshape(pooled, b, t, pd[1], pd[2], c)
}

// ConvLSTM2D is Keras's ConvLSTM2D(filters, (k, k), padding="valid",
// activation="tanh", return_sequences=True) on x [batch, T, H, W, Cin],
// returning [batch, T, H-k+1, W-k+1, filters]. Its variables, in ctx, are
// "kernel" [k, k, Cin, 4F], "recurrent_kernel" [k, k, F, 4F] and "bias"
// [4F] (forget block initialised to 1, Keras's unit_forget_bias), gate
// blocks in Keras's order i, f, c, o. For each frame t (Shi et al. 2015,
// eq. 3, without the peephole terms, as Keras):
//
//	z_t = W * x_t + U * h_{t-1} + b           (* is convolution; U with same padding)
//	i_t = σ(z_i),  f_t = σ(z_f),  o_t = σ(z_o)
//	c_t = f_t ⊙ c_{t-1} + i_t ⊙ tanh(z_c)
//	h_t = o_t ⊙ tanh(c_t)
//
// σ is recurrentActivation. With recurrentDropout > 0 and ctx training,
// h_{t-1} is multiplied by a dropout mask drawn once per sequence.
func ConvLSTM2D(ctx *context.Context, x *Node, filters, kernel int, recurrentDropout float64, recurrentActivation string) *Node {
	return Stack(convLSTM2DFrames(ctx, unstackFrames(x), filters, kernel, recurrentDropout, recurrentActivation), 1)
}

// convLSTM2DFrames is ConvLSTM2D on the list of frames [batch, H, W, Cin],
// returning the list of h_t [batch, H-k+1, W-k+1, filters]. The input
// convolution runs per frame, so no gradient is sliced out of a stacked tensor.
func convLSTM2DFrames(ctx *context.Context, frames []*Node, filters, kernel int, recurrentDropout float64, recurrentActivation string) []*Node {
	x0 := frames[0]
	g := x0.Graph()
	dt := x0.DType()
	d := x0.Shape().Dimensions
	b, cin := d[0], d[3]
	t := len(frames)
	f := filters

	wVar := ctx.VariableWithShape("kernel", shapes.Make(dt, kernel, kernel, cin, 4*f))
	uVar := ctx.VariableWithShape("recurrent_kernel", shapes.Make(dt, kernel, kernel, f, 4*f))
	bVar := ctx.WithInitializer(ForgetBiasInitializer).VariableWithShape("bias", shapes.Make(dt, 4*f))
	W, U, bias := wVar.ValueGraph(g), uVar.ValueGraph(g), bVar.ValueGraph(g)
	bias = Reshape(bias, 1, 1, 1, 4*f)
	oh, ow := d[1]-kernel+1, d[2]-kernel+1

	var mask *Node
	if recurrentDropout > 0 && ctx.IsTraining(g) {
		rnd := ctx.RandomUniform(g, shapes.Make(dt, b, oh, ow, f))
		keep := Scalar(g, dt, 1/(1-recurrentDropout))
		mask = Where(LessOrEqual(rnd, Scalar(g, dt, recurrentDropout)), ZerosLike(rnd), BroadcastToDims(keep, b, oh, ow, f))
	}
	gate := func(z *Node) *Node {
		if recurrentActivation == ActivationSigmoid {
			return Sigmoid(z)
		}
		return ClipScalar(AddScalar(MulScalar(z, 0.2), 0.5), 0, 1)
	}

	var hPrev, cPrev *Node
	outs := make([]*Node, t)
	for step := 0; step < t; step++ {
		z := Add(Conv2D(frames[step], W, false), bias) // W * x_t + b
		if hPrev != nil {                              // h_0 = 0: the recurrent term vanishes at the first frame.
			hr := hPrev
			if mask != nil {
				hr = Mul(hr, mask)
			}
			z = Add(z, Conv2D(hr, U, true))
		}
		parts := Split(z, -1, 4)
		i, fg, cc, o := gate(parts[0]), gate(parts[1]), Tanh(parts[2]), gate(parts[3])
		c := Mul(i, cc)
		if cPrev != nil {
			c = Add(Mul(fg, cPrev), c)
		}
		hPrev = Mul(o, Tanh(c))
		cPrev = c
		outs[step] = hPrev
	}
	return outs
}

// ForgetBiasInitializer initialises an LSTM bias [4u] as Keras's
// unit_forget_bias: zeros except ones in the forget block (the second of
// the gate blocks i, f, c, o).
func ForgetBiasInitializer(g *Graph, shape shapes.Shape) *Node {
	u := shape.Dimensions[0] / 4
	zeros := Zeros(g, shapes.Make(shape.DType, u))
	return Concatenate([]*Node{zeros, OnesLike(zeros), zeros, zeros}, 0)
}
