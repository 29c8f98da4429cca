package purego_test

import (
	"fmt"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
)

// BenchmarkHeadFusionInterleaved runs the ARTEMIS-head step (B=8 and B=32 training, B=32
// inference) on two purego backends in one process, with and without the fusion pass
// (option "no_fusion"), alternating single steps, and reports the CPU seconds per step of
// each: on a shared machine both see the same load. The two give the same bits
// (TestTrainingStepBitIdentical). Opt-in, like the other long benchmarks: -bench
// HeadFusionInterleaved.
func BenchmarkHeadFusionInterleaved(b *testing.B) {
	for _, w := range []struct {
		name  string
		batch int
		train bool
	}{{"TrainB8", 8, true}, {"TrainB32", 32, true}, {"InferB32", 32, false}} {
		b.Run(w.name, func(b *testing.B) {
			cfg := issueHead
			cfg.Batch = w.batch
			var runs [2]func() error
			for i, opts := range []string{"", ":no_fusion"} {
				bk, err := purego.New(purego.Name + opts)
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
			var cpu [2]float64
			b.ResetTimer()
			for range b.N {
				for i, run := range runs {
					c0 := cpuSeconds()
					if err := run(); err != nil {
						b.Fatal(err)
					}
					cpu[i] += cpuSeconds() - c0
				}
			}
			n := float64(b.N)
			b.ReportMetric(cpu[0]/n, "fused-cpu-s/op")
			b.ReportMetric(cpu[1]/n, "unfused-cpu-s/op")
			fmt.Printf("head %s: fused %.3f CPU-s/step, no_fusion %.3f CPU-s/step (%+.1f%%), %d steps each, load average %s\n",
				w.name, cpu[0]/n, cpu[1]/n, 100*(cpu[0]/cpu[1]-1), b.N, loadAvg())
		})
	}
}
