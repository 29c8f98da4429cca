package trainer

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
)

func testBackend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := purego.New(purego.Name)
	if err != nil {
		t.Fatalf("backend: %v", err)
	}
	return b
}

// linearData is a separable binary problem: label = x0 + x1 > 0.
type linearData struct{ x, y [][]float32 }

func newLinearData(n int, seed int64) *linearData {
	rng := rand.New(rand.NewSource(seed))
	d := &linearData{}
	for i := 0; i < n; i++ {
		a, b := float32(rng.NormFloat64()), float32(rng.NormFloat64())
		var y float32
		if a+b > 0 {
			y = 1
		}
		d.x = append(d.x, []float32{a, b})
		d.y = append(d.y, []float32{y})
	}
	return d
}

func (d *linearData) Len() int { return len(d.x) }
func (d *linearData) Batch(idx []int) ([]*tensors.Tensor, []*tensors.Tensor, error) {
	x := make([]float32, 0, 2*len(idx))
	y := make([]float32, 0, len(idx))
	for _, i := range idx {
		x = append(x, d.x[i]...)
		y = append(y, d.y[i]...)
	}
	return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(x, len(idx), 2)},
		[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(y, len(idx), 1)}, nil
}

func logistic(ctx *mlctx.Context, in []*Node) []*Node {
	return []*Node{layers.DenseWithBias(ctx.In("logistic"), in[0], 1)}
}

func bce(_ *mlctx.Context, labels, out []*Node) *Node {
	x, y := out[0], labels[0]
	return ReduceAllMean(Add(Sub(Max(x, ZerosLike(x)), Mul(x, y)), Log1p(Exp(Neg(Abs(x))))))
}

func accuracy(tr *Trainer, d *linearData) (float64, error) {
	p, err := tr.Predict(d, 7)
	if err != nil {
		return 0, err
	}
	if len(p) != d.Len() {
		return 0, fmt.Errorf("Predict returned %d rows, want %d", len(p), d.Len())
	}
	ok := 0
	for i, row := range p {
		if (row[0] > 0) == (d.y[i][0] > 0) {
			ok++
		}
	}
	return float64(ok) / float64(d.Len()), nil
}

func fit(t *testing.T, cfg Config) (*Result, *Trainer) {
	t.Helper()
	train, val := newLinearData(64, 1), newLinearData(30, 2)
	tr, err := New(testBackend(t), mlctx.New(), cfg, logistic, bce)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Fit(context.Background(), train, func(int) (map[string]float64, error) {
		a, err := accuracy(tr, val)
		return map[string]float64{"val_acc": a}, err
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res, tr
}

func TestFitLearnsAndIsDeterministic(t *testing.T) {
	cfg := Config{Epochs: 8, BatchSize: 8, Seed: 5, LearningRate: 0.1, Schedule: ScheduleCosineRestarts, RestartEvery: 4, Monitor: "val_acc"}
	r1, tr := fit(t, cfg)
	r2, _ := fit(t, cfg)
	// minAccuracy: a linear boundary fitted by logistic regression on 64
	// points classifies fresh points of the same law almost perfectly.
	const minAccuracy = 0.85
	if r1.Best["val_acc"] < minAccuracy {
		t.Errorf("best val_acc %.3f, want >= %.2f", r1.Best["val_acc"], minAccuracy)
	}
	if fmt.Sprint(r1.Curves) != fmt.Sprint(r2.Curves) {
		t.Errorf("two runs with seed %d differ:\n%v\n%v", cfg.Seed, r1.Curves, r2.Curves)
	}
	if got := tr.Params(); got != 3 {
		t.Errorf("Params() = %d, want 3 (2 weights + 1 bias)", got)
	}
	if len(r1.Curves["train_loss"]) != 8 || len(r1.Curves["lr"]) != 8 {
		t.Errorf("curves have %d/%d epochs, want 8", len(r1.Curves["train_loss"]), len(r1.Curves["lr"]))
	}
}

func TestEarlyStopping(t *testing.T) {
	// A learning rate of ~0 leaves the model unchanged: val_acc never
	// improves after the first epoch, so Patience 2 stops after epoch 3.
	cfg := Config{Epochs: 20, BatchSize: 8, Seed: 1, LearningRate: 1e-12, Monitor: "val_acc", Patience: 2}
	r, _ := fit(t, cfg)
	if !r.StoppedEarly || r.Epochs != 3 || r.BestEpoch != 0 {
		t.Errorf("StoppedEarly=%v Epochs=%d BestEpoch=%d, want true 3 0", r.StoppedEarly, r.Epochs, r.BestEpoch)
	}
}

func TestLRSchedule(t *testing.T) {
	// Values of torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(T_0=4,
	// eta_min=0) stepped per epoch from lr 1, by the closed form
	// (1 + cos(pi * (e mod 4) / 4)) / 2.
	c := Config{LearningRate: 1, Schedule: ScheduleCosineRestarts, RestartEvery: 4}
	want := []float64{1, 0.8535533905932737, 0.5, 0.14644660940672627, 1, 0.8535533905932737}
	const tol = 1e-12
	for e, w := range want {
		if got := c.LR(e); math.Abs(got-w) > tol {
			t.Errorf("LR(%d) = %v, want %v", e, got, w)
		}
	}
}

func TestValidate(t *testing.T) {
	good := Config{Epochs: 1, BatchSize: 1, LearningRate: 1}
	cases := []struct {
		name string
		mod  func(*Config)
	}{
		{"epochs", func(c *Config) { c.Epochs = 0 }},
		{"batch", func(c *Config) { c.BatchSize = -1 }},
		{"lr", func(c *Config) { c.LearningRate = math.NaN() }},
		{"schedule", func(c *Config) { c.Schedule = "step" }},
		{"restarts", func(c *Config) { c.Schedule = ScheduleCosineRestarts }},
		{"patience without monitor", func(c *Config) { c.Patience = 3 }},
	}
	if err := good.Validate(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, tc := range cases {
		c := good
		tc.mod(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", tc.name, c)
		}
	}
}

// recordingData records the indices of every training batch.
type recordingData struct {
	*linearData
	seen [][]int
}

func (d *recordingData) Batch(idx []int) ([]*tensors.Tensor, []*tensors.Tensor, error) {
	d.seen = append(d.seen, append([]int(nil), idx...))
	return d.linearData.Batch(idx)
}

// TestEpochSampleIsFresh: with EpochSize < Len each epoch draws a fresh
// random sample without replacement, as PyTorch's RandomSampler(num_samples)
// does, rather than consuming one permutation across epochs (which would make
// 4 epochs of 16 out of 64 clips a partition of the 64).
func TestEpochSampleIsFresh(t *testing.T) {
	const n, epochSize, batch, epochs = 64, 16, 8, 4
	data := &recordingData{linearData: newLinearData(n, 1)}
	cfg := Config{Epochs: epochs, BatchSize: batch, EpochSize: epochSize, Seed: 3, LearningRate: 0.1, Monitor: "x"}
	tr, err := New(testBackend(t), mlctx.New(), cfg, logistic, bce)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), data, func(int) (map[string]float64, error) {
		return map[string]float64{"x": 0}, nil
	}, nil); err != nil {
		t.Fatal(err)
	}
	if len(data.seen) != epochs*epochSize/batch {
		t.Fatalf("%d training batches, want %d", len(data.seen), epochs*epochSize/batch)
	}
	all := map[int]int{}
	for e := 0; e < epochs; e++ {
		inEpoch := map[int]bool{}
		for _, b := range data.seen[e*epochSize/batch : (e+1)*epochSize/batch] {
			for _, i := range b {
				if inEpoch[i] {
					t.Errorf("epoch %d draws clip %d twice (want without replacement)", e+1, i)
				}
				inEpoch[i] = true
				all[i]++
			}
		}
	}
	if len(all) == n {
		t.Errorf("the %d epochs partition the %d clips: one permutation consumed across epochs, not a fresh sample per epoch", epochs, n)
	}
}
