package ucf50

import (
	"math/rand/v2"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/convlstm"
	"github.com/actrepro/actrepro/gomlx_models/lrcn"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// toyClips: class 0 bright first half of frames, class 1 bright second half
// (separable only over time).
func toyClips(n, t, h, w int, seed uint64) *Clips {
	r := rand.New(rand.NewPCG(seed, 1))
	c := &Clips{N: n, T: t, H: h, W: w, C: 3}
	for i := 0; i < n; i++ {
		y := i % 2
		c.Y = append(c.Y, y)
		for f := 0; f < t; f++ {
			on := (f < t/2) == (y == 0)
			for p := 0; p < h*w*3; p++ {
				v := 0.3 * r.Float32()
				if on {
					v += 0.6
				}
				c.X = append(c.X, v)
			}
		}
	}
	return c
}

// TestFitToy trains both models three epochs on clips whose class is
// which half of the sequence is bright (visible only over time).
func TestFitToy(t *testing.T) {
	backend, err := purego.New("")
	if err != nil {
		t.Fatal(err)
	}
	tr, va := toyClips(16, 6, 32, 32, 1), toyClips(8, 6, 32, 32, 2)
	for name, m := range map[string]ModelFn{
		"lrcn": func(ctx *context.Context, x *graph.Node) *graph.Node {
			c := lrcn.DefaultConfig()
			c.Frames, c.Height, c.Width, c.Classes = 6, 32, 32, 2
			c.Pools = []int{2, 2, 2, 2}
			return lrcn.Model(ctx, c, x)
		},
		"convlstm": func(ctx *context.Context, x *graph.Node) *graph.Node {
			c := convlstm.DefaultConfig()
			c.Frames, c.Height, c.Width, c.Classes = 6, 32, 32, 2
			return convlstm.Model(ctx, c, x)
		},
	} {
		_, h, err := Fit(backend, m, tr, va, FitOptions{Epochs: 3, Patience: 5, BatchSize: 4, LearningRate: 1e-3, Seed: 1, RestoreBest: true}, nil)
		if err != nil {
			t.Fatal(name, err)
		}
		t.Logf("%s: %+v", name, h)
		if h.Epochs != 3 || len(h.ValLoss) != 3 || h.BestEpoch < 1 {
			t.Errorf("%s: history %+v, want 3 epochs", name, h)
		}
		if !(h.TrainLoss[2] < h.TrainLoss[0]) {
			t.Errorf("%s: training loss did not decrease: %v", name, h.TrainLoss)
		}
	}
}
