package lrcn

import (
	"fmt"
	"github.com/actrepro/actrepro/gomlx_models/summary"

	"github.com/actrepro/actrepro/gomlx_models/convlstm"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gopjrt/dtypes"
)

// LayerSummary is one row of a Keras model.summary() table.
type LayerSummary = summary.Layer

// Config holds the LRCN hyperparameters. DefaultConfig returns the values of
// the paper's Figure 2 table.
type Config struct {
	Frames, Height, Width, Channels int // input video: 20 x 64 x 64 x 3
	Classes                         int // 4

	Filters []int // per-frame Conv2D filters: 16, 32, 64, 64
	Pools   []int // max-pool window (= stride) after each Conv2D: 4, 4, 2, 2
	Kernel  int   // 3 (3x3, same padding)
	// Dropout is the TimeDistributed(Dropout) rate after every pooling but
	// the last (0.25 in the authors' code).
	Dropout   float64
	LSTMUnits int // 32 (Figure 2 table; the prose of section 5.2 says 64)
}

// DefaultConfig is the architecture of the paper's Figure 2 table.
func DefaultConfig() Config {
	return Config{
		Frames: 20, Height: 64, Width: 64, Channels: 3, Classes: 4,
		Filters: []int{16, 32, 64, 64}, Pools: []int{4, 4, 2, 2}, Kernel: 3,
		Dropout: 0.25, LSTMUnits: 32,
	}
}

// Validate reports the first invalid field by name.
func (c Config) Validate() error {
	switch {
	case c.Frames < 1 || c.Height < 1 || c.Width < 1 || c.Channels < 1:
		return fmt.Errorf("lrcn: input shape %dx%dx%dx%d must be positive", c.Frames, c.Height, c.Width, c.Channels)
	case c.Classes < 2:
		return fmt.Errorf("lrcn: Classes=%d, need at least 2", c.Classes)
	case len(c.Filters) == 0:
		return fmt.Errorf("lrcn: Filters is empty")
	case len(c.Pools) != len(c.Filters):
		return fmt.Errorf("lrcn: Pools has %d entries, Filters %d", len(c.Pools), len(c.Filters))
	case c.Kernel < 1:
		return fmt.Errorf("lrcn: Kernel=%d must be positive", c.Kernel)
	case c.Dropout < 0 || c.Dropout >= 1:
		return fmt.Errorf("lrcn: Dropout=%g must be in [0,1)", c.Dropout)
	case c.LSTMUnits < 1:
		return fmt.Errorf("lrcn: LSTMUnits=%d must be positive", c.LSTMUnits)
	}
	h, w := c.Height, c.Width
	for i, p := range c.Pools {
		if c.Filters[i] < 1 {
			return fmt.Errorf("lrcn: Filters[%d]=%d must be positive", i, c.Filters[i])
		}
		if p < 1 {
			return fmt.Errorf("lrcn: Pools[%d]=%d must be positive", i, p)
		}
		h, w = h/p, w/p
		if h < 1 || w < 1 {
			return fmt.Errorf("lrcn: input %dx%d too small for pooling %d", c.Height, c.Width, i)
		}
	}
	return nil
}

// Model returns the class logits [batch, Classes] of videos shaped
// [batch, Frames, Height, Width, Channels] with values in [0, 1]; the Dense
// layer's softmax is left to the loss.
func Model(ctx *context.Context, cfg Config, videos *Node) *Node {
	return Build(ctx, cfg, videos, nil)
}

// Build is Model with an optional record callback receiving each layer's
// summary row. Layer names are those of the paper's Figure 2 table (Keras
// numbered them after the ConvLSTM model built in the same session).
func Build(ctx *context.Context, cfg Config, videos *Node, record func(LayerSummary)) *Node {
	ctx = ctx.In("lrcn").WithInitializer(initializers.GlorotUniformFn(ctx))
	if record == nil {
		record = func(LayerSummary) {}
	}
	td := 3 // Keras's time_distributed counter in the authors' notebook
	rec := func(x *Node, params int) {
		record(LayerSummary{Name: fmt.Sprintf("time_distributed_%d", td), Type: "TimeDistributed", Shape: x.Shape().Dimensions[1:], Params: params})
		td++
	}
	d := videos.Shape().Dimensions
	b, t := d[0], d[1]
	// TimeDistributed: frames of all videos go through the same layers.
	x := Reshape(videos, b*t, d[2], d[3], d[4])
	unframe := func(x *Node) *Node {
		fd := x.Shape().Dimensions
		return Reshape(x, append([]int{b, t}, fd[1:]...)...)
	}
	for i, f := range cfg.Filters {
		before := summary.TrainableParams(ctx)
		x = Conv2DSameRelu(ctx.In(fmt.Sprintf("conv2d_%d", i)), x, f, cfg.Kernel)
		rec(unframe(x), summary.TrainableParams(ctx)-before)
		p := cfg.Pools[i]
		x = MaxPool(x).Window(p).Strides(p).NoPadding().Done()
		rec(unframe(x), 0)
		if i < len(cfg.Filters)-1 {
			x = layers.DropoutStatic(ctx, x, cfg.Dropout)
			rec(unframe(x), 0)
		}
	}
	x = Reshape(x, b, t, -1)
	rec(x, 0)
	before := summary.TrainableParams(ctx)
	x = LSTM(ctx.In("lstm"), x, cfg.LSTMUnits)
	record(LayerSummary{Name: "lstm", Type: "LSTM", Shape: x.Shape().Dimensions[1:], Params: summary.TrainableParams(ctx) - before})
	before = summary.TrainableParams(ctx)
	x = convlstm.DenseKeras(ctx.In("dense"), x, cfg.Classes)
	record(LayerSummary{Name: "dense_1", Type: "Dense", Shape: x.Shape().Dimensions[1:], Params: summary.TrainableParams(ctx) - before})
	return x
}

// Conv2DSameRelu is Keras's Conv2D(filters, (k, k), padding="same",
// activation="relu") on x [batch, H, W, Cin] with variables "kernel"
// [k, k, Cin, filters] and "bias" [filters].
func Conv2DSameRelu(ctx *context.Context, x *Node, filters, k int) *Node {
	g := x.Graph()
	cin := x.Shape().Dimensions[3]
	kernel := ctx.VariableWithShape("kernel", shapes.Make(x.DType(), k, k, cin, filters)).ValueGraph(g)
	bias := ctx.WithInitializer(initializers.Zero).VariableWithShape("bias", shapes.Make(x.DType(), filters)).ValueGraph(g)
	y := convlstm.Conv2D(x, kernel, true)
	return activations.Relu(Add(y, Reshape(bias, 1, 1, 1, filters)))
}

// LSTM is Keras's LSTM(units) (return_sequences=False) on x [batch, T, in],
// returning the last hidden state [batch, units]. Variables "kernel"
// [in, 4u], "recurrent_kernel" [u, 4u], "bias" [4u] (forget block
// initialised to 1), gates in Keras's order i, f, c, o (Hochreiter and
// Schmidhuber 1997, as in Keras):
//
//	z_t = x_t·W + h_{t-1}·U + b
//	i_t = σ(z_i), f_t = σ(z_f), o_t = σ(z_o)
//	c_t = f_t ⊙ c_{t-1} + i_t ⊙ tanh(z_c)
//	h_t = o_t ⊙ tanh(c_t)
func LSTM(ctx *context.Context, x *Node, units int) *Node {
	g := x.Graph()
	dt := x.DType()
	d := x.Shape().Dimensions
	b, t, in := d[0], d[1], d[2]
	W := ctx.VariableWithShape("kernel", shapes.Make(dt, in, 4*units)).ValueGraph(g)
	U := ctx.VariableWithShape("recurrent_kernel", shapes.Make(dt, units, 4*units)).ValueGraph(g)
	bias := ctx.WithInitializer(convlstm.ForgetBiasInitializer).VariableWithShape("bias", shapes.Make(dt, 4*units)).ValueGraph(g)

	// Input projections of all steps at once.
	zx := Add(Dot(Reshape(x, b*t, in), W), Reshape(bias, 1, 4*units))
	zx = Reshape(zx, b, t, 4*units)
	var h, c *Node
	for step := 0; step < t; step++ {
		z := Reshape(SliceAxis(zx, 1, AxisElem(step)), b, 4*units)
		if h != nil {
			z = Add(z, Dot(h, U))
		}
		parts := Split(z, -1, 4)
		i, f, cc, o := Sigmoid(parts[0]), Sigmoid(parts[1]), Tanh(parts[2]), Sigmoid(parts[3])
		cNew := Mul(i, cc)
		if c != nil {
			cNew = Add(Mul(f, c), cNew)
		}
		c = cNew
		h = Mul(o, Tanh(c))
	}
	return h
}

// Summarize builds (without running) the model for one video on backend
// and returns its Keras-style layer table and total trainable parameters.
func Summarize(backend backends.Backend, cfg Config) (rows []LayerSummary, total int, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, 0, err
	}
	defer func() {
		if r := recover(); r != nil {
			rows, total, err = nil, 0, fmt.Errorf("lrcn: building the model: %v", r)
		}
	}()
	g := NewGraph(backend, "lrcn_summary")
	x := Parameter(g, "videos", shapes.Make(dtypes.Float32, 1, cfg.Frames, cfg.Height, cfg.Width, cfg.Channels))
	ctx := context.New()
	Build(ctx, cfg, x, func(l LayerSummary) { rows = append(rows, l) })
	return rows, summary.TrainableParams(ctx), nil
}
