package purego_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// Benchmarks of issue 2 (`make bench`): the ARTEMIS-sized head trained on purego at B=8 and
// B=32. Each reports seconds per step, GFLOP/s of matrix products, and peak resident memory
// read from /proc/self/status VmHWM after resetting it through /proc/self/clear_refs, so each
// benchmark's peak is its own (the compiled graphs of earlier benchmarks stay resident).

// measured holds this run's purego wall and CPU seconds per step, by benchmark name, for the
// PyTorch ratios.
var measured = map[string][2]float64{}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// resetPeakRSS frees what it can and resets VmHWM (Linux >= 4.0); false when unsupported.
func resetPeakRSS() bool {
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSSMB returns VmHWM in MiB (0 when unavailable).
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// cpuSeconds is the process's user+system CPU time: on a shared machine, CPU seconds per step
// estimate what an idle machine would take better than wall time does.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func benchHead(b *testing.B, batch int, train bool) {
	cfg := issueHead
	cfg.Batch = batch
	reset := resetPeakRSS()
	h, err := newHeadTrainer(pureBackend(), cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	run := h.Infer
	if train {
		run = func() error { _, err := h.Step(); return err }
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
	flops := cfg.forwardFLOPs()
	what := "inference"
	if train {
		flops *= 3 // backward = two matrix products per forward one
		what = "train step"
	}
	peak := peakRSSMB()
	b.ReportMetric(perStep, "s/op")
	b.ReportMetric(flops/perStep/1e9, "GFLOP/s")
	b.ReportMetric(peak, "peakRSS-MiB")
	b.ReportMetric(cpuPerStep, "cpu-s/op")
	measured[b.Name()] = [2]float64{perStep, cpuPerStep}
	peakNote := "VmHWM since reset"
	if !reset {
		peakNote = "VmHWM of the whole process (reset unsupported)"
	}
	fmt.Printf("purego %s %s: %.3f s wall (%.3f CPU-s), %.2f GFLOP/s wall, peak RSS %.0f MiB (%s), load average %s\n",
		what, cfg, perStep, cpuPerStep, flops/perStep/1e9, peak, peakNote, loadAvg())
}

// BenchmarkHeadTrainSmallBothVJPs compares, on a reduced head (B=2, width 256, FF 1024, so that
// GoMLX's own gradient fits in memory), a training step with purego's DotGeneral gradient and
// with GoMLX's. Opt-in (ACTREPRO_BENCH_VJP=1): the GoMLX variant needs ~1 GB and minutes.
func BenchmarkHeadTrainSmallBothVJPs(b *testing.B) {
	if os.Getenv("ACTREPRO_BENCH_VJP") != "1" {
		b.Skip("set ACTREPRO_BENCH_VJP=1 to compare with GoMLX's own DotGeneral gradient")
	}
	cfg := headConfig{Batch: 2, Video: 16, Classes: 140, Width: 256, Heads: 4, FF: 1024}
	for _, variant := range []string{"purego", "gomlx"} {
		if variant == "gomlx" {
			graph.VJPRegistration[graph.NodeTypeDotGeneral] = purego.OriginalDotGeneralVJP()
		}
		resetPeakRSS()
		h, err := newHeadTrainer(pureBackend(), cfg, 1)
		if err != nil {
			b.Fatal(err)
		}
		_, err = h.Step() // builds (with the chosen gradient) and compiles the graph
		graph.VJPRegistration[graph.NodeTypeDotGeneral] = purego.DotGeneralVJP
		if err != nil {
			b.Fatal(err)
		}
		start, cpuStart := time.Now(), cpuSeconds()
		const steps = 2
		for range steps {
			if _, err := h.Step(); err != nil {
				b.Fatal(err)
			}
		}
		fmt.Printf("train step %s with %s DotGeneral gradient: %.3f s wall (%.3f CPU-s), peak RSS %.0f MiB, load average %s\n",
			cfg, variant, time.Since(start).Seconds()/steps, (cpuSeconds()-cpuStart)/steps, peakRSSMB(), loadAvg())
	}
}

func BenchmarkHeadInferB8(b *testing.B)  { benchHead(b, 8, false) }
func BenchmarkHeadTrainB8(b *testing.B)  { benchHead(b, 8, true) }
func BenchmarkHeadInferB32(b *testing.B) { benchHead(b, 32, false) }
func BenchmarkHeadTrainB32(b *testing.B) { benchHead(b, 32, true) }

// pytorchHead is the same head in PyTorch (post-norm encoder layer, ReLU FF, one logit per class
// token, BCE-with-logits, Adam lr 1e-3), timed on the CPU with torch.set_num_threads(2).
const pytorchHead = `
import sys, time, torch, torch.nn as nn
B, V, C, D, H, F, N = [int(a) for a in sys.argv[1:8]]
torch.manual_seed(1); torch.set_num_threads(2)
class Head(nn.Module):
    def __init__(s):
        super().__init__()
        s.layer = nn.TransformerEncoderLayer(D, H, F, dropout=0.0, activation="relu", batch_first=True)
        s.logit = nn.Linear(D, 1)
    def forward(s, x):
        return s.logit(s.layer(x)[:, V:, :]).squeeze(-1)
m = Head(); opt = torch.optim.Adam(m.parameters(), lr=1e-3); lossf = nn.BCEWithLogitsLoss()
x = torch.randn(B, V + C, D); y = (torch.rand(B, C) < 0.1).float()
def step():
    opt.zero_grad(); loss = lossf(m(x), y); loss.backward(); opt.step()
step()
t, c = time.perf_counter(), time.process_time()
for _ in range(N): step()
train, train_cpu = (time.perf_counter() - t) / N, (time.process_time() - c) / N
with torch.no_grad():
    m(x); t, c = time.perf_counter(), time.process_time()
    for _ in range(N): m(x)
    infer, infer_cpu = (time.perf_counter() - t) / N, (time.process_time() - c) / N
print(torch.__version__, train, infer, train_cpu, infer_cpu)
`

// BenchmarkPyTorchHead times the identical PyTorch model when python3 can import torch
// (Debian python3-torch) and prints the purego/PyTorch ratio; it is skipped otherwise.
func BenchmarkPyTorchHead(b *testing.B) {
	pytorchOnce.Do(func() { pytorchHeadRun(b) })
}

// pytorchOnce: the benchmark function runs for b.N=1 and then b.N=3; PyTorch is timed once.
var pytorchOnce sync.Once

func pytorchHeadRun(b *testing.B) {
	python := ""
	// The first python3 on PATH may be a pyenv one without Debian's python3-torch.
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import torch").Run() == nil {
			python = p
			break
		}
	}
	if python == "" {
		b.Skip("python3-torch not importable: no PyTorch comparison (apt-get install python3-torch to enable)")
	}
	for _, batch := range []int{8, 32} {
		c := issueHead
		c.Batch = batch
		var out bytes.Buffer
		cmd := exec.Command(python, "-c", pytorchHead, strconv.Itoa(c.Batch), strconv.Itoa(c.Video), strconv.Itoa(c.Classes),
			strconv.Itoa(c.Width), strconv.Itoa(c.Heads), strconv.Itoa(c.FF), "3")
		cmd.Stdout, cmd.Stderr = &out, os.Stderr
		if err := cmd.Run(); err != nil {
			b.Logf("PyTorch run failed (no comparison): %v", err)
			return
		}
		f := strings.Fields(out.String())
		if len(f) != 5 {
			b.Logf("unexpected PyTorch output %q", out.String())
			return
		}
		var v [4]float64
		for i := range v {
			v[i], _ = strconv.ParseFloat(f[i+1], 64)
		}
		train, infer, trainCPU, inferCPU := v[0], v[1], v[2], v[3]
		line := fmt.Sprintf("PyTorch %s %s: train step %.3f s wall (%.3f CPU-s), inference %.3f s wall (%.3f CPU-s), 2 threads",
			f[0], c, train, trainCPU, infer, inferCPU)
		if g, ok := measured[fmt.Sprintf("BenchmarkHeadTrainB%d", batch)]; ok && train > 0 && trainCPU > 0 {
			line += fmt.Sprintf("; purego/PyTorch train %.1fx wall, %.1fx CPU", g[0]/train, g[1]/trainCPU)
		}
		if g, ok := measured[fmt.Sprintf("BenchmarkHeadInferB%d", batch)]; ok && infer > 0 && inferCPU > 0 {
			line += fmt.Sprintf("; inference %.1fx wall, %.1fx CPU", g[0]/infer, g[1]/inferCPU)
		}
		fmt.Println(line + ", load average " + loadAvg())
	}
}

// BenchmarkHeadOps prints the wall time per step spent in each op type's executor, and in
// each node kind (op, output and operand shapes), for the head's B=32 training step (set
// PUREGO_OPTIMES=1; skipped otherwise, so `make bench` does not run it).
func BenchmarkHeadOps(b *testing.B) {
	if os.Getenv("PUREGO_OPTIMES") == "" {
		b.Skip("set PUREGO_OPTIMES=1 for the per-op breakdown")
	}
	cfg := issueHead
	cfg.Batch = 32
	h, err := newHeadTrainer(pureBackend(), cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.Step(); err != nil {
		b.Fatal(err)
	}
	const steps = 3
	report, restore := purego.TimeOps()
	for range steps {
		if _, err := h.Step(); err != nil {
			restore()
			b.Fatal(err)
		}
	}
	fmt.Printf("head train step %s, per op type:\n%s", cfg, report(steps))
	restore()
	detail, restore := purego.TimeOpsDetail()
	for range steps {
		if _, err := h.Step(); err != nil {
			restore()
			b.Fatal(err)
		}
	}
	fmt.Printf("per node kind:\n%s", detail(steps, 60))
	restore()
}

// BenchmarkHeadRound5Interleaved alternates head steps with the round-5 fast paths on and off
// (purego.SetRound5; two trainers, one compiled with the paths on and one with them off, as
// the output-layout rewrite happens at compile time) in one process, so that both see the
// same load, and reports the CPU and wall seconds per step of each.
func BenchmarkHeadRound5Interleaved(b *testing.B) {
	defer purego.SetRound5(true)
	for _, w := range []headWorkload{{"TrainB32", 32, true}, {"InferB32", 32, false}, {"TrainB8", 8, true}} {
		b.Run(w.name, func(b *testing.B) {
			var variants [2]headVariant
			for i, on := range []bool{true, false} {
				variants[i] = headVariant{
					backend: func() (backends.Backend, error) { return pureBackend(), nil },
					before:  func() { purego.SetRound5(on) },
				}
			}
			cpu, wall := benchHeadInterleaved(b, w, variants)
			b.ReportMetric(cpu[0], "on-cpu-s/op")
			b.ReportMetric(cpu[1], "off-cpu-s/op")
			fmt.Printf("head %s: round 5 on %.3f CPU-s %.3f s wall per step, off %.3f CPU-s %.3f s wall (%+.1f%% CPU, %+.1f%% wall), %d steps each, load average %s\n",
				w.name, cpu[0], wall[0], cpu[1], wall[1], 100*(cpu[0]/cpu[1]-1), 100*(wall[0]/wall[1]-1), b.N, loadAvg())
		})
	}
}
