package purego_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/convlstm"
	"github.com/actrepro/actrepro/gomlx_models/lrcn"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Training steps of the two UCF50 models at the paper's full-scale shapes (issue 12): batch 4
// of 20 frames of 64x64x3, 4 classes, Figure 1/2 architectures (convlstm.DefaultConfig,
// lrcn.DefaultConfig), sparse softmax cross-entropy and Adam (lr 1e-3, epsilon 1e-7), as
// internal/tasks/ucf50/fit.go trains them. testdata/pytorch_conv_models.py times the same
// models in PyTorch for the ratio (BenchmarkPyTorchConvModels).

const convBatch = 4

type convModel struct {
	name   string
	frames int
	build  func(ctx *context.Context, videos *Node) *Node
}

var convModels = []convModel{
	{"ConvLSTM", convlstm.DefaultConfig().Frames, func(ctx *context.Context, v *Node) *Node {
		return convlstm.Model(ctx, convlstm.DefaultConfig(), v)
	}},
	{"LRCN", lrcn.DefaultConfig().Frames, func(ctx *context.Context, v *Node) *Node {
		return lrcn.Model(ctx, lrcn.DefaultConfig(), v)
	}},
}

// newConvStep builds one training step of m on backend with fixed random videos and labels.
func newConvStep(backend backends.Backend, m convModel, batch int) (func() error, error) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		return nil, err
	}
	opt := optimizers.Adam().LearningRate(1e-3).Epsilon(1e-7).Done()
	step, err := context.NewExec(backend, ctx, func(ctx *context.Context, videos, labels *Node) *Node {
		ctx.SetTraining(videos.Graph(), true) // dropout on, as in training
		logits := m.build(ctx, videos)
		loss := ReduceAllMean(losses.SparseCategoricalCrossEntropyLogits([]*Node{labels}, []*Node{logits}))
		opt.UpdateGraph(ctx, videos.Graph(), loss)
		return loss
	})
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(3, 4))
	v := make([]float32, batch*m.frames*64*64*3)
	for i := range v {
		v[i] = rng.Float32()
	}
	y := make([]int32, batch)
	for i := range y {
		y[i] = int32(rng.IntN(4))
	}
	videos := tensors.FromFlatDataAndDimensions(v, batch, m.frames, 64, 64, 3)
	labels := tensors.FromFlatDataAndDimensions(y, batch, 1)
	return func() error {
		out, err := step.Exec(videos, labels)
		if err != nil {
			return err
		}
		out[0].FinalizeAll()
		return nil
	}, nil
}

func benchConv(b *testing.B, m convModel) {
	reset := resetPeakRSS()
	run, err := newConvStep(pureBackend(), m, convBatch)
	if err != nil {
		b.Fatal(err)
	}
	if err := run(); err != nil { // compiles the graph
		b.Fatal(err)
	}
	b.ResetTimer()
	start, cpuStart := time.Now(), cpuSeconds()
	for range b.N {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
	perStep := time.Since(start).Seconds() / float64(b.N)
	cpuPerStep := (cpuSeconds() - cpuStart) / float64(b.N)
	b.StopTimer()
	peak := peakRSSMB()
	b.ReportMetric(perStep, "s/op")
	b.ReportMetric(peak, "peakRSS-MiB")
	b.ReportMetric(cpuPerStep, "cpu-s/op")
	measured[b.Name()] = [2]float64{perStep, cpuPerStep}
	peakNote := "VmHWM since reset"
	if !reset {
		peakNote = "VmHWM of the whole process (reset unsupported)"
	}
	fmt.Printf("purego %s train step B=%d %dx64x64x3: %.3f s wall (%.3f CPU-s), peak RSS %.0f MiB (%s), load average %s\n",
		m.name, convBatch, m.frames, perStep, cpuPerStep, peak, peakNote, loadAvg())
}

func BenchmarkConvLSTMTrain(b *testing.B) { benchConv(b, convModels[0]) }
func BenchmarkLRCNTrain(b *testing.B)     { benchConv(b, convModels[1]) }

var pytorchConvOnce sync.Once

// BenchmarkPyTorchConvModels times the same two training steps in PyTorch
// (testdata/pytorch_conv_models.py, Debian python3-torch, 2 threads) and prints the
// purego/PyTorch ratios; skipped when torch is not importable.
func BenchmarkPyTorchConvModels(b *testing.B) {
	pytorchConvOnce.Do(func() {
		python := ""
		for _, p := range []string{"python3", "/usr/bin/python3"} {
			if exec.Command(p, "-c", "import torch").Run() == nil {
				python = p
				break
			}
		}
		if python == "" {
			b.Skip("python3-torch not importable: no PyTorch comparison (apt-get install python3-torch to enable)")
		}
		var out bytes.Buffer
		cmd := exec.Command(python, filepath.Join("testdata", "pytorch_conv_models.py"), strconv.Itoa(convBatch), "3")
		cmd.Stdout, cmd.Stderr = &out, os.Stderr
		if err := cmd.Run(); err != nil {
			b.Logf("PyTorch run failed (no comparison): %v", err)
			return
		}
		// One line per model: "<model> <torch version> <wall s/step> <CPU s/step>".
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			f := strings.Fields(line)
			if len(f) != 4 {
				b.Logf("unexpected PyTorch output %q", line)
				continue
			}
			wall, _ := strconv.ParseFloat(f[2], 64)
			cpu, _ := strconv.ParseFloat(f[3], 64)
			msg := fmt.Sprintf("PyTorch %s %s train step B=%d: %.3f s wall (%.3f CPU-s), 2 threads", f[1], f[0], convBatch, wall, cpu)
			if g, ok := measured["Benchmark"+f[0]+"Train"]; ok && wall > 0 && cpu > 0 {
				msg += fmt.Sprintf("; purego/PyTorch %.1fx wall, %.1fx CPU", g[0]/wall, g[1]/cpu)
			}
			fmt.Println(msg + ", load average " + loadAvg())
		}
	})
}

// BenchmarkConvOps prints the wall time per step spent in each op type's executor for the two
// models (set PUREGO_OPTIMES=1; skipped otherwise, so `make bench` does not run it).
func BenchmarkConvOps(b *testing.B) {
	if os.Getenv("PUREGO_OPTIMES") == "" {
		b.Skip("set PUREGO_OPTIMES=1 for the per-op breakdown")
	}
	for _, m := range convModels {
		run, err := newConvStep(pureBackend(), m, convBatch)
		if err != nil {
			b.Fatal(err)
		}
		if err := run(); err != nil {
			b.Fatal(err)
		}
		report, restore := purego.TimeOps()
		const steps = 3
		for range steps {
			if err := run(); err != nil {
				restore()
				b.Fatal(err)
			}
		}
		fmt.Printf("%s train step B=%d, per op type:\n%s", m.name, convBatch, report(steps))
		restore()
	}
}
