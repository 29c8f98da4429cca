package ucf50

import (
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/convlstm"
	"github.com/actrepro/actrepro/gomlx_models/lrcn"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/gomlx/gomlx/pkg/core/graph"
	gctx "github.com/gomlx/gomlx/pkg/ml/context"
)

// BenchmarkFullEpoch times the first two epochs of Fit (training steps over the train split,
// then the validation pass; the first also compiles the graphs) of each model at the full scale's shapes: UCF50's video counts of the four
// classes (123, 100, 137, 198), the spec's split (test 0.25, validation 0.2), batch 4, 20
// frames of 64x64x3, on random clips (the time does not depend on the pixels). Set
// UCF50_EPOCH_BENCH=1 to run it (issue 12's epoch targets); skipped otherwise.
func BenchmarkFullEpoch(b *testing.B) {
	if os.Getenv("UCF50_EPOCH_BENCH") == "" {
		b.Skip("set UCF50_EPOCH_BENCH=1 to time one full-scale epoch per model")
	}
	backend, err := purego.New(purego.Name)
	if err != nil {
		b.Fatal(err)
	}
	n := 123 + 100 + 137 + 198
	trIdx, vaIdx, _ := Split(n, 0.25, 0.2, 27)
	rng := rand.New(rand.NewPCG(1, 2))
	clips := func(m int) *Clips {
		c := &Clips{N: m, T: 20, H: 64, W: 64, C: 3, X: make([]float32, m*20*64*64*3), Y: make([]int, m)}
		for i := range c.X {
			c.X[i] = rng.Float32()
		}
		for i := range c.Y {
			c.Y[i] = rng.IntN(4)
		}
		return c
	}
	trainSet, valSet := clips(len(trIdx)), clips(len(vaIdx))
	models := []struct {
		name string
		fn   ModelFn
	}{
		{"ConvLSTM", func(ctx *gctx.Context, x *graph.Node) *graph.Node {
			return convlstm.Model(ctx, convlstm.DefaultConfig(), x)
		}},
		{"LRCN", func(ctx *gctx.Context, x *graph.Node) *graph.Node { return lrcn.Model(ctx, lrcn.DefaultConfig(), x) }},
	}
	for _, m := range models {
		p := &epochTimer{start: time.Now(), cpu: cpuSeconds()}
		_, h, err := Fit(backend, m.fn, trainSet, valSet, FitOptions{Epochs: 2, Patience: 5, BatchSize: 4, LearningRate: 1e-3, Seed: 27}, p)
		if err != nil {
			b.Fatal(err)
		}
		load, _ := os.ReadFile("/proc/loadavg")
		for e, t := range p.epochs {
			what := "second epoch"
			if e == 0 {
				what = "first epoch, includes graph compilation"
			}
			fmt.Printf("UCF50 full-scale epoch %d, %s: %d train clips + %d validation clips: %.1f s wall, %.1f CPU-s (%s; train loss %.3f), load average %.16s\n",
				e+1, m.name, trainSet.N, valSet.N, t[0], t[1], what, h.TrainLoss[e], load)
		}
	}
}

// epochTimer records the wall and CPU seconds of each epoch reported to it.
type epochTimer struct {
	start  time.Time
	cpu    float64
	epochs [][2]float64
}

func (p *epochTimer) Start(string, int) {}
func (p *epochTimer) Finish()           {}
func (p *epochTimer) Step(int, map[string]float64) {
	now, cpu := time.Now(), cpuSeconds()
	p.epochs = append(p.epochs, [2]float64{now.Sub(p.start).Seconds(), cpu - p.cpu})
	p.start, p.cpu = now, cpu
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
