package purego_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/gomlx/gomlx/backends"
)

// BenchmarkHeadFusionInterleaved runs the ARTEMIS-head step (B=8 and B=32 training, B=32
// inference) on two purego backends in one process, with and without the fusion pass
// (option "no_fusion"), alternating single steps, and reports the CPU seconds per step of
// each: on a shared machine both see the same load. The two give the same bits
// (TestTrainingStepBitIdentical).
func BenchmarkHeadFusionInterleaved(b *testing.B) {
	for _, w := range []headWorkload{{"TrainB8", 8, true}, {"TrainB32", 32, true}, {"InferB32", 32, false}} {
		b.Run(w.name, func(b *testing.B) {
			var variants [2]headVariant
			for i, opts := range []string{"", ":no_fusion"} {
				variants[i].backend = func() (backends.Backend, error) { return purego.New(purego.Name + opts) }
			}
			cpu, _ := benchHeadInterleaved(b, w, variants)
			b.ReportMetric(cpu[0], "fused-cpu-s/op")
			b.ReportMetric(cpu[1], "unfused-cpu-s/op")
			fmt.Printf("head %s: fused %.3f CPU-s/step, no_fusion %.3f CPU-s/step (%+.1f%%), %d steps each, load average %s\n",
				w.name, cpu[0], cpu[1], 100*(cpu[0]/cpu[1]-1), b.N, loadAvg())
		})
	}
}

// headWorkload is one ARTEMIS-head workload of the interleaved benchmarks.
type headWorkload struct {
	name  string
	batch int
	train bool
}

// headVariant is one side of an interleaved head benchmark: the backend its trainer is built
// on, and a switch run before it is built and before each of its steps (nil: none).
type headVariant struct {
	backend func() (backends.Backend, error)
	before  func()
}

// benchHeadInterleaved builds one head trainer per variant (its first step compiles) and then
// alternates single steps of the two b.N times, so both see the same machine load; it
// returns the CPU and wall seconds per step of each.
func benchHeadInterleaved(b *testing.B, w headWorkload, variants [2]headVariant) (cpu, wall [2]float64) {
	b.Helper()
	cfg := issueHead
	cfg.Batch = w.batch
	var runs [2]func() error
	for i, v := range variants {
		if v.before != nil {
			v.before()
		}
		bk, err := v.backend()
		if err != nil {
			b.Fatal(err)
		}
		h, err := newHeadTrainer(bk, cfg, 1)
		if err != nil {
			b.Fatal(err)
		}
		runs[i] = h.Infer
		if w.train {
			runs[i] = func() error { _, err := h.Step(); return err }
		}
		if err := runs[i](); err != nil { // compiles
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		for i, v := range variants {
			if v.before != nil {
				v.before()
			}
			c0, t0 := cpuSeconds(), time.Now()
			if err := runs[i](); err != nil {
				b.Fatal(err)
			}
			cpu[i] += cpuSeconds() - c0
			wall[i] += time.Since(t0).Seconds()
		}
	}
	for i := range cpu {
		cpu[i] /= float64(b.N)
		wall[i] /= float64(b.N)
	}
	return cpu, wall
}
