package artemistables

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	model "github.com/actrepro/actrepro/gomlx_models/artemis"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/modelsize"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/tasks/artemis"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
)

// SizeTaskName is Table 6's task.
const SizeTaskName = "artemis-size"

func init() { runner.Register(SizeTaskName, SizeTask{}) }

// PresetEnsemble is the ensemble row: the members of the authors'
// main_ensemble.py (BEST1, BEST3 trained with the cosine loss,
// ARTEMIS-biLSTM), whose parameters add up and which run one after the
// other per clip.
const PresetEnsemble = "ensemble"

// EnsembleMembers are the presets of the ensemble's members, in
// main_ensemble.py's order. The cosine loss of BEST3 adds no parameters.
var EnsembleMembers = []string{"best1", "best3", "artemis-bilstm"}

// SizeConfig is a Table 6 point.
type SizeConfig struct {
	Data struct {
		Dataset string `toml:"dataset,required"` // "animalkingdom" (K = 140)
		Source  string `toml:"source,required"`  // "synthetic": the timed inputs are seeded random features
	}
	Model struct {
		Preset string `toml:"preset,required"` // best1, best2, best3, artemis-bilstm, ... or "ensemble"
		// TimingBackend is where the head is timed: "purego" (the CPU) or
		// e.g. "xla:cuda"; an unavailable backend leaves the time empty
		// and says why.
		TimingBackend string `toml:"timing_backend"`
		Classes       int    `toml:"classes"`      // K (140)
		Frames        int    `toml:"frames"`       // T (16)
		Patches       int    `toml:"patches"`      // TimeSformer patch tokens per frame (196 at 224x224)
		VideoLayout   string `toml:"video_layout"` // "timesformer" (default: X as the authors' head receives it) or "frames"
		// DescModelsM is the description models' size in millions the
		// paper adds to each row (BLIP-2 2,700 + Llama 3 8B 8,000; Table
		// 6's footnote).
		DescModelsM float64 `toml:"desc_models_m"`
	}
	Train struct {
		Reps   int   `toml:"reps"`   // timed clips (100, the paper's)
		Warmup int   `toml:"warmup"` // untimed clips first (compilation, caches)
		Seed   int64 `toml:"seed"`
	}
}

// DecodeSize reads a Table 6 point.
func DecodeSize(p runner.Point) (SizeConfig, error) {
	var c SizeConfig
	c.Model.TimingBackend, c.Model.Classes, c.Model.Frames, c.Model.Patches = purego.Name, 140, 16, 196
	c.Model.VideoLayout, c.Model.DescModelsM = model.VideoTimeSformer, 10700
	c.Train.Reps, c.Train.Warmup, c.Train.Seed = 100, 3, 1
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, err
	}
	switch {
	case c.Data.Dataset != "animalkingdom":
		return c, spec.Errorf("data.dataset", `want "animalkingdom", got %q`, c.Data.Dataset)
	case c.Data.Source != "synthetic":
		return c, spec.Errorf("data.source", `the timed inputs are random features: want "synthetic", got %q`, c.Data.Source)
	case c.Model.Preset != PresetEnsemble && !knownPreset(c.Model.Preset):
		return c, spec.Errorf("model.preset", "unknown preset %q (want best1, best2, best3, artemis-<text layer> or ensemble)", c.Model.Preset)
	case c.Model.Classes < 1 || c.Model.Frames < 1 || c.Model.Patches < 1:
		return c, spec.Errorf("model.classes", "classes, frames and patches must be positive")
	case c.Model.VideoLayout != model.VideoTimeSformer && c.Model.VideoLayout != model.VideoFrames:
		return c, spec.Errorf("model.video_layout", "want %q or %q, got %q", model.VideoTimeSformer, model.VideoFrames, c.Model.VideoLayout)
	case c.Model.DescModelsM < 0:
		return c, spec.Errorf("model.desc_models_m", "must be >= 0")
	case c.Train.Reps < 0 || c.Train.Reps > 100000:
		return c, spec.Errorf("train.reps", "must be 0..100000, got %d", c.Train.Reps)
	case c.Train.Warmup < 0:
		return c, spec.Errorf("train.warmup", "must be >= 0")
	}
	return c, nil
}

func knownPreset(p string) bool {
	pr, ok := artemis.Presets[p]
	return ok && pr.TextLayer != ""
}

// HeadConfig is the GoMLX head of preset at the paper's widths (the
// authors' code forms), with K classes and T frames.
func HeadConfig(preset string, classes, frames, patches int, layout string) model.Config {
	pr := artemis.Presets[preset]
	mc := model.CodeConfig(pr.TextLayer, pr.Residuals)
	mc.NumClass, mc.NumFrames, mc.Patches, mc.VideoLayout = classes, frames, patches, layout
	return mc
}

// SizeTask is the runner.Task of Table 6.
type SizeTask struct{}

// Version is folded into the points' hashes.
func (SizeTask) Version() string { return "artemis-size-1" }

// Validate implements runner.Task.
func (SizeTask) Validate(p runner.Point) error { _, err := DecodeSize(p); return err }

// Run counts the parameters of the row's model(s) analytically, checks the
// head's count against the variables the GoMLX model creates, and times
// the head(s) per clip at batch 1 on the timing backend.
func (SizeTask) Run(ctx context.Context, p runner.Point, env runner.Env) (runner.Outcome, error) {
	c, err := DecodeSize(p)
	if err != nil {
		return runner.Outcome{}, err
	}
	members := []string{c.Model.Preset}
	if c.Model.Preset == PresetEnsemble {
		members = EnsembleMembers
	}
	var total modelsize.Breakdown
	var goHead int64
	var cfgs []model.Config
	for _, m := range members {
		mc := HeadConfig(m, c.Model.Classes, c.Model.Frames, c.Model.Patches, c.Model.VideoLayout)
		b, err := modelsize.ARTEMIS(mc)
		if err != nil {
			return runner.Outcome{}, err
		}
		total.TimeSformer += b.TimeSformer
		total.CLIPVision += b.CLIPVision
		total.Fusion += b.Fusion
		total.Head += b.Head
		cfgs = append(cfgs, mc)
	}
	out := runner.Outcome{
		DataSource:      "synthetic",
		DataFingerprint: fmt.Sprintf("random-features:seed=%d", c.Train.Seed),
		Metrics: map[string]float64{
			"params_m":             float64(total.Total()) / 1e6,
			"params_printed_m":     float64(total.Total())/1e6 + c.Model.DescModelsM,
			"params_head_m":        float64(total.Head) / 1e6,
			"params_timesformer_m": float64(total.TimeSformer) / 1e6,
			"params_clip_vision_m": float64(total.CLIPVision) / 1e6,
			"params_fusion_m":      float64(total.Fusion) / 1e6,
			"params":               float64(total.Total()),
		},
		Extra: map[string]any{"members": members, "machine": Machine()},
	}
	out.Notes = append(out.Notes,
		fmt.Sprintf("parameters: analytic (internal/modelsize, tested equal to PyTorch 1.13's counts): TimeSformer-base (%d frames) + CLIP ViT-B/16 vision tower (pooler output, no projection) + the head; params_printed_m adds %.0f M for BLIP-2 (2.7 B) and Llama 3 8B, counted once per row as the paper's Table 6 does (CLIP's text encoder is not counted)", c.Model.Frames, c.Model.DescModelsM),
		"time: the head only (the GoMLX model on precomputed features), batch 1, mean over the timed clips after the warm-up; the paper times the whole model (backbones included, descriptions precomputed) on an NVIDIA A100: the two are not comparable")

	// The head the GoMLX model builds must have the analytic count.
	backend, err := purego.New(c.Model.TimingBackend)
	if err != nil {
		out.Notes = append(out.Notes, fmt.Sprintf("timing backend %s unavailable, no time measured: %v", c.Model.TimingBackend, err))
		out.Extra["timing"] = "unavailable: " + err.Error()
		return out, nil
	}
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(uint64(c.Train.Seed), 0x7AB1E6))
	var execs []*mlctx.Exec
	var inputs [][]*tensors.Tensor
	for i, mc := range cfgs {
		mctx := mlctx.New()
		mcc := mc
		exec, err := mlctx.NewExec(backend, mctx, func(ctx *mlctx.Context, video, image, desc *Node) *Node {
			return mcc.Build(ctx, video, image, desc).Logits
		})
		if err != nil {
			return out, err
		}
		in := randomInputs(rng, mc)
		// The first call builds the graph (creating the variables) and runs it.
		if _, err := exec.Exec(in[0], in[1], in[2]); err != nil {
			return out, fmt.Errorf("%s head: %w", members[i], err)
		}
		var n int64
		mctx.EnumerateVariables(func(v *mlctx.Variable) {
			if v.Trainable {
				n += int64(v.Shape().Size())
			}
		})
		want, _ := modelsize.Head(mc)
		if n != want {
			return out, fmt.Errorf("%s: the GoMLX head has %d parameters, the analytic count %d", members[i], n, want)
		}
		goHead += n
		execs = append(execs, exec)
		inputs = append(inputs, in)
	}
	out.Metrics["params_go_head"] = float64(goHead)
	out.Params = goHead
	clip := func() error {
		for i, e := range execs {
			res, err := e.Exec(inputs[i][0], inputs[i][1], inputs[i][2])
			if err != nil {
				return err
			}
			_ = res[0].Value() // on the host: the call has finished
			res[0].FinalizeAll()
		}
		return nil
	}
	for i := 0; i < c.Train.Warmup; i++ {
		if err := clip(); err != nil {
			return out, err
		}
	}
	loadBefore := loadAvg()
	times := make([]float64, 0, c.Train.Reps)
	if env.Progress != nil {
		env.Progress.Start("time", c.Train.Reps)
		defer env.Progress.Finish()
	}
	for i := 0; i < c.Train.Reps; i++ {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		t0 := time.Now()
		if err := clip(); err != nil {
			return out, err
		}
		times = append(times, time.Since(t0).Seconds())
		if env.Progress != nil {
			env.Progress.Step(i+1, nil)
		}
	}
	if len(times) > 0 {
		mean, sd := meanSD(times)
		sorted := append([]float64(nil), times...)
		sort.Float64s(sorted)
		out.Metrics["time_s"] = mean
		out.Metrics["time_s_sd"] = sd
		out.Metrics["time_s_median"] = sorted[len(sorted)/2]
		out.Metrics["time_s_min"] = sorted[0]
		out.Curves = map[string][]float64{"time_s": times}
	}
	loadAfter := loadAvg()
	out.Extra["timing"] = fmt.Sprintf("backend %s, batch 1, %d warm-up + %d timed clips, X %s", c.Model.TimingBackend, c.Train.Warmup, c.Train.Reps, c.Model.VideoLayout)
	out.Extra["load_average"] = map[string]string{"before": loadBefore, "after": loadAfter}
	out.Notes = append(out.Notes, fmt.Sprintf("timed on %s: %s; 1/5/15-minute load average %s before and %s after the timed clips (other processes share the cores: a load above the core count inflates the times)",
		c.Model.TimingBackend, MachineText(), loadBefore, loadAfter))
	return out, nil
}

// randomInputs are one clip's seeded random features for mc: X, F, S.
func randomInputs(r *rand.Rand, mc model.Config) []*tensors.Tensor {
	tokens := mc.NumFrames
	if mc.VideoLayout == model.VideoTimeSformer {
		tokens = 1 + mc.Patches*mc.NumFrames
	}
	img := mc.ImageDim
	if img == 0 {
		img = mc.EmbedDim
	}
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return v
	}
	return []*tensors.Tensor{
		tensors.FromFlatDataAndDimensions(fill(tokens*mc.VideoDim), 1, tokens, mc.VideoDim),
		tensors.FromFlatDataAndDimensions(fill(img), 1, img),
		tensors.FromFlatDataAndDimensions(fill(mc.EmbedDim), 1, mc.EmbedDim),
	}
}

func meanSD(x []float64) (float64, float64) {
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	if len(x) < 2 {
		return m, 0
	}
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return m, math.Sqrt(s / float64(len(x)-1))
}

// Machine describes where the timing ran: CPU model, logical cores,
// GOMAXPROCS, OS and architecture.
func Machine() map[string]any {
	return map[string]any{"cpu": cpuModel(), "cores": runtime.NumCPU(), "gomaxprocs": runtime.GOMAXPROCS(0),
		"os": runtime.GOOS, "arch": runtime.GOARCH}
}

// MachineText is Machine in one line.
func MachineText() string {
	return fmt.Sprintf("%s, %d logical cores (GOMAXPROCS %d), %s/%s", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
}

// loadAvg is the 1, 5 and 15-minute load averages of /proc/loadavg, or
// "unknown".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
