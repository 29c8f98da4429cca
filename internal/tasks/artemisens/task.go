package artemisens

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/data/npy"
	"github.com/actrepro/actrepro/internal/ensemble"
	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/tasks/ensmember"
)

// TaskName is the name specs use in [experiment] task.
const TaskName = "artemis-ensemble"

func init() { runner.Register(TaskName, Task{}) }

// Task is the runner.Task of Table 4.
type Task struct{}

// Version is folded into the points' hashes.
func (Task) Version() string { return "artemis-ensemble-1" }

// Strategies (model.strategy).
const (
	StratAverage   = "average"    // weights 1/3 (main_ensemble.py)
	StratGA        = "ga"         // ensemble/genetic.py with DEAP semantics
	StratPPO       = "ppo"        // ensemble/reinforcement_dynamic.py: state = the clip
	StratPPOStatic = "ppo-static" // ensemble/reinforcement_static.py: state = the weights (labelled extra)
	StratPaper     = "paper-ga"   // the authors' published GA weights of fold k applied to these members
)

// Protocols (model.protocol).
const (
	ProtoAuthors  = "authors"   // members trained on every fold; weights fitted on fold k; scored on val
	ProtoLeakFree = "leak-free" // members trained without fold k; weights fitted on fold k; scored on val
)

// Members are main_ensemble.py's three, in order: (preset, align).
var Members = []struct{ Name, Preset, Align string }{
	{"BEST1", "best1", "none"},
	{"BEST3+cos", "best3", "cosine"},
	{"ARTEMIS-biLSTM", "artemis-bilstm", "none"},
}

// PaperGAWeights are the GA weights the authors published per fold
// (BEST1, BEST3+cos, biLSTM), from ../shared/briefs/artemis-round2.md §A.
var PaperGAWeights = [5][3]float64{
	{.3553, .3310, .3137}, {.3438, .3508, .3054}, {.3435, .3341, .3224}, {.3579, .3848, .2573}, {.3468, .3667, .2865},
}

// Config is a point.
type Config struct {
	Data struct {
		Dataset string `toml:"dataset,required"`
		Source  string `toml:"source,required"`
		From    string `toml:"from,required"` // experiment id of the authors' members (exclude_fold = -1)
		// FromLeakFree is the experiment id of the leak-free members
		// (exclude_fold = fold); default From.
		FromLeakFree string `toml:"from_leak_free"`
	}
	Model struct {
		Strategy string `toml:"strategy,required"`
		Protocol string `toml:"protocol"`
		Fold     int    `toml:"fold"`
		// Predict is which PPO weights the table's main columns show:
		// "sampled" (the authors' test: predict(deterministic=False)) or
		// "deterministic" (the mean); both are recorded.
		Predict string `toml:"predict"`
		// GA
		GACrossover string `toml:"ga_crossover"` // "authors" (default) or "deap"
		Generations int    `toml:"generations"`
		Pop         int    `toml:"pop"`
		// PPO (dynamic)
		PPOPasses int   `toml:"ppo_passes"` // rollouts of one pass over the fold each (authors: 150 at their checkpoint)
		PPOHidden []int `toml:"ppo_hidden"` // the MLP standing in for NatureCNN
		// PPO static
		StaticSteps  int `toml:"static_steps"`  // rollout length (authors: 2048)
		StaticPasses int `toml:"static_passes"` // rollouts (authors: 500)
	}
	Train struct {
		Seed      int64 `toml:"seed"`
		EvalBatch int   `toml:"eval_batch"` // batch of the batch-micro mAP (16)
	}
}

// Decode reads and checks a point.
func Decode(p runner.Point) (Config, error) {
	var c Config
	c.Model.Protocol, c.Model.Predict, c.Model.GACrossover = ProtoAuthors, "sampled", ensemble.CrossoverAuthors
	c.Model.Generations, c.Model.Pop = 10, 15
	c.Model.PPOPasses, c.Model.PPOHidden = 10, []int{64}
	c.Model.StaticSteps, c.Model.StaticPasses = 128, 2
	c.Train.Seed, c.Train.EvalBatch = 1, 16
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, err
	}
	m := c.Model
	switch {
	case c.Data.Dataset != "animalkingdom":
		return c, spec.Errorf("data.dataset", `want "animalkingdom", got %q`, c.Data.Dataset)
	case c.Data.From == "":
		return c, spec.Errorf("data.from", "needs the members' experiment id")
	case m.Strategy != StratAverage && m.Strategy != StratGA && m.Strategy != StratPPO && m.Strategy != StratPPOStatic && m.Strategy != StratPaper:
		return c, spec.Errorf("model.strategy", "want %s, %s, %s, %s or %s, got %q", StratAverage, StratGA, StratPPO, StratPPOStatic, StratPaper, m.Strategy)
	case m.Protocol != ProtoAuthors && m.Protocol != ProtoLeakFree:
		return c, spec.Errorf("model.protocol", "want %q or %q, got %q", ProtoAuthors, ProtoLeakFree, m.Protocol)
	case m.Fold < 0 || m.Fold > 4:
		return c, spec.Errorf("model.fold", "must be 0..4, got %d", m.Fold)
	case m.Predict != "sampled" && m.Predict != "deterministic":
		return c, spec.Errorf("model.predict", `want "sampled" or "deterministic", got %q`, m.Predict)
	case m.GACrossover != ensemble.CrossoverAuthors && m.GACrossover != ensemble.CrossoverDEAP:
		return c, spec.Errorf("model.ga_crossover", "want %q or %q, got %q", ensemble.CrossoverAuthors, ensemble.CrossoverDEAP, m.GACrossover)
	case m.Generations < 0 || m.Pop < 3:
		return c, spec.Errorf("model.generations", "generations >= 0 and pop >= 3")
	case m.PPOPasses < 1 || m.StaticSteps < 2 || m.StaticPasses < 1:
		return c, spec.Errorf("model.ppo_passes", "ppo_passes, static_passes >= 1 and static_steps >= 2")
	case c.Train.EvalBatch < 1:
		return c, spec.Errorf("train.eval_batch", "must be positive")
	}
	return c, nil
}

// Validate implements runner.Task.
func (Task) Validate(p runner.Point) error { _, err := Decode(p); return err }

// split is one side (val, or the fitting fold) of the cached logits.
type split struct {
	members ensemble.Members
	y       [][]bool
	labels  [][]int
	feat    [][]float64
}

type loaded struct {
	val, fit    split
	trainCounts []int
	nTrain      int
	k           int
	hashes      []string
	notes       []string
	source      string
	fitTrained  int // clips of the fitting fold the members trained on
}

// loadMembers finds the three members' records of the protocol and reads
// their logits.
func loadMembers(ctx context.Context, c Config, scale string) (*loaded, error) {
	root := results.Root(ctx)
	wantExclude, from := -1, c.Data.From
	if c.Model.Protocol == ProtoLeakFree {
		wantExclude = c.Model.Fold
		if c.Data.FromLeakFree != "" {
			from = c.Data.FromLeakFree
		}
	}
	dir := results.Dir(root, from, scale)
	recs, err := results.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the members' records in %s: %w (run experiments/artemis/table4_members.toml and table4_members_leakfree.toml at scale %s first)", dir, err, scale)
	}
	L := &loaded{}
	var arrs []map[string]*npy.Array
	for _, m := range Members {
		var best *results.Record
		for i := range recs {
			r := &recs[i]
			if fmt.Sprint(r.Axes["model.preset"]) != m.Preset || fmt.Sprint(r.Axes["model.align"]) != m.Align || toInt(r.Axes["train.exclude_fold"]) != wantExclude {
				continue
			}
			if _, err := os.Stat(ensmember.LogitsPath(root, from, scale, r.Hash)); err != nil {
				continue
			}
			if best == nil || r.End.After(best.End) {
				best = r
			}
		}
		if best == nil {
			return nil, fmt.Errorf("no record with logits of member %s (preset %s, align %s, exclude_fold %d) in %s: run experiments/artemis/table4_members.toml (leak-free: table4_members_leakfree.toml) at scale %s (with --force if its records exist without their .logits.npz)",
				m.Name, m.Preset, m.Align, wantExclude, dir, scale)
		}
		a, err := npy.ReadNPZ(ensmember.LogitsPath(root, from, scale, best.Hash))
		if err != nil {
			return nil, err
		}
		arrs = append(arrs, a)
		L.hashes = append(L.hashes, best.Hash)
		L.source = best.DataSource
		L.notes = append(L.notes, fmt.Sprintf("member %s: record %s (code %s, commit %.12s), val batch-micro %.2f, macro %.2f",
			m.Name, best.Hash, best.CodeVersion, best.Commit, 100*best.Metrics["map_batch_micro"], 100*best.Metrics["map_macro"]))
	}
	mat := func(a map[string]*npy.Array, key string) ([][]float32, error) {
		x, ok := a[key]
		if !ok {
			return nil, fmt.Errorf("logits file lacks %q", key)
		}
		return x.Matrix32()
	}
	get := func(key string) ([][][]float32, error) {
		var out [][][]float32
		for _, a := range arrs {
			x, err := mat(a, key)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	}
	valL, err := get(ensmember.KeyValLogits)
	if err != nil {
		return nil, err
	}
	trL, err := get(ensmember.KeyTrainLogits)
	if err != nil {
		return nil, err
	}
	a0 := arrs[0]
	valY, err := mat(a0, ensmember.KeyValTargets)
	if err != nil {
		return nil, err
	}
	trY, err := mat(a0, ensmember.KeyTrainTarget)
	if err != nil {
		return nil, err
	}
	valF, err := mat(a0, ensmember.KeyValFeat)
	if err != nil {
		return nil, err
	}
	trF, err := mat(a0, ensmember.KeyTrainFeat)
	if err != nil {
		return nil, err
	}
	for i, a := range arrs[1:] {
		y, err := mat(a, ensmember.KeyValTargets)
		if err != nil || len(y) != len(valY) {
			return nil, fmt.Errorf("member %s's val split differs from member %s's", Members[i+1].Name, Members[0].Name)
		}
	}
	folds := a0[ensmember.KeyTrainFold].Data
	trainedOn := arrs[0][ensmember.KeyTrainedOn].Data
	// The fitting clips: fold k's clips that every member predicted (all of
	// the fold, or the seeded subset of train.fit_clips_per_fold).
	var idx []int
	for i, f := range folds {
		if int(f) != c.Model.Fold {
			continue
		}
		all := true
		for mi, a := range arrs {
			pr, ok := a[ensmember.KeyTrainPredicted]
			if !ok {
				return nil, fmt.Errorf("member %s's logits file lacks %q", Members[mi].Name, ensmember.KeyTrainPredicted)
			}
			all = all && pr.Data[i] > 0
		}
		if all {
			idx = append(idx, i)
			if trainedOn[i] > 0 {
				L.fitTrained++
			}
		}
	}
	if len(idx) == 0 {
		return nil, fmt.Errorf("fold %d has no train clip with logits of every member (records %v): their protocol predicted other folds", c.Model.Fold, L.hashes)
	}
	for _, cnt := range a0[ensmember.KeyTrainCounts].Data {
		L.trainCounts = append(L.trainCounts, int(cnt))
	}
	L.k = len(L.trainCounts)
	L.nTrain = len(folds)
	L.val = makeSplit(ensemble.Members{Logits: valL}, valY, valF, nil)
	L.fit = makeSplit(ensemble.Members{Logits: trL}.Subset(idx), trY, trF, idx)
	return L, nil
}

func toInt(v any) int {
	switch x := v.(type) {
	case int64:
		return int(x)
	case int:
		return x
	case float64:
		return int(x)
	}
	return math.MinInt
}

func makeSplit(m ensemble.Members, y, feat [][]float32, idx []int) split {
	if idx == nil {
		idx = make([]int, len(y))
		for i := range idx {
			idx[i] = i
		}
	}
	s := split{members: m}
	for _, i := range idx {
		row := make([]bool, len(y[i]))
		var ls []int
		for k, v := range y[i] {
			row[k] = v > 0.5
			if row[k] {
				ls = append(ls, k)
			}
		}
		f := make([]float64, len(feat[i]))
		for k, v := range feat[i] {
			f[k] = float64(v)
		}
		s.y, s.labels, s.feat = append(s.y, row), append(s.labels, ls), append(s.feat, f)
	}
	return s
}

// dynEnv is the authors' EnsembleWeightEnv over cached logits: the state is
// the clip's features, the reward the micro AP of the clip's ensemble with
// the normalised action; it cycles through the fold in order, forever.
type dynEnv struct {
	s *split
	t int
}

func (e *dynEnv) ObsDim() int      { return len(e.s.feat[0]) }
func (e *dynEnv) ActDim() int      { return len(e.s.members.Logits) }
func (e *dynEnv) Reset() []float64 { e.t = 0; return e.s.feat[0] }
func (e *dynEnv) Step(a []float64) ([]float64, float64) {
	r := ensemble.ClipMicroAP(e.s.y[e.t], e.s.members.CombineClip(e.t, ensemble.Normalize(a)))
	e.t = (e.t + 1) % len(e.s.y)
	return e.s.feat[e.t], r
}

// staticEnv is reinforcement_static.py's environment: the state is the
// current (normalised) weights, the reward the fold's batch-micro mAP.
type staticEnv struct {
	fit ensemble.Fitness
	m   int
	w   []float64
}

func (e *staticEnv) ObsDim() int      { return e.m }
func (e *staticEnv) ActDim() int      { return e.m }
func (e *staticEnv) Reset() []float64 { e.w = ensemble.Average(e.m); return e.w }
func (e *staticEnv) Step(a []float64) ([]float64, float64) {
	e.w = ensemble.Normalize(a)
	return e.w, e.fit(e.w)
}

// Run implements runner.Task.
func (Task) Run(ctx context.Context, p runner.Point, env runner.Env) (out runner.Outcome, err error) {
	c, err := Decode(p)
	if err != nil {
		return out, err
	}
	L, err := loadMembers(ctx, c, p.Scale)
	if err != nil {
		return out, err
	}
	out.Metrics = map[string]float64{}
	out.Curves = map[string][]float64{}
	fitFn := L.fit.members.BatchMicroFitness(L.fit.y, c.Train.EvalBatch)
	seed := uint64(c.Train.Seed)
	var w []float64         // the weights scored on val (a fixed vector)
	var perClip [][]float64 // or per-clip weights (PPO dynamic)
	var detW [][]float64
	start := time.Now()
	switch c.Model.Strategy {
	case StratAverage:
		w = ensemble.Average(len(Members))
	case StratPaper:
		w = PaperGAWeights[c.Model.Fold][:]
	case StratGA:
		cfg := ensemble.DefaultGA()
		cfg.Crossover, cfg.Generations, cfg.Pop, cfg.Seed = c.Model.GACrossover, c.Model.Generations, c.Model.Pop, seed
		res, err := ensemble.GA(cfg, len(Members), fitFn)
		if err != nil {
			return out, err
		}
		w = res.Best
		for _, g := range res.Log {
			out.Curves["ga_max_fitness"] = append(out.Curves["ga_max_fitness"], g.Max)
			out.Curves["ga_avg_fitness"] = append(out.Curves["ga_avg_fitness"], g.Avg)
		}
		out.Metrics["ga_evaluations"] = float64(res.Evaluations)
	case StratPPO, StratPPOStatic:
		backend, err := purego.New(env.Backend)
		if err != nil {
			return out, err
		}
		defer backend.Finalize()
		cfg := ensemble.DefaultPPO()
		cfg.Seed = seed
		var e ensemble.Env
		if c.Model.Strategy == StratPPO {
			cfg.Hidden, cfg.Activation, cfg.Shared = c.Model.PPOHidden, "relu", true
			cfg.NSteps = len(L.fit.y)
			cfg.TotalSteps = cfg.NSteps * c.Model.PPOPasses
			e = &dynEnv{s: &L.fit}
		} else {
			// reinforcement_static.py: MlpPolicy (pi and vf 64-64 tanh), n_steps 2048, 10 epochs.
			cfg.Hidden, cfg.Activation, cfg.Shared = []int{64, 64}, "tanh", false
			cfg.NSteps, cfg.Epochs = c.Model.StaticSteps, 10
			cfg.TotalSteps = cfg.NSteps * c.Model.StaticPasses
			e = &staticEnv{fit: fitFn, m: len(Members)}
		}
		pol, log, err := ensemble.TrainPPO(backend, cfg, e)
		if err != nil {
			return out, err
		}
		out.Curves["ppo_rollout_reward"] = log.RolloutReward
		out.Curves["ppo_loss"] = log.Loss
		out.Curves["ppo_step_reward_mean100"] = chunkMeans(log.StepReward, 100)
		out.Metrics["ppo_updates"] = float64(log.Updates)
		out.Metrics["ppo_steps"] = float64(len(log.StepReward))
		out.Metrics["ppo_log_std_mean"] = mean(pol.LogStd())
		rng := rand.New(rand.NewPCG(seed, 77))
		if c.Model.Strategy == StratPPO {
			for _, f := range L.val.feat {
				perClip = append(perClip, pol.Predict(f, false, rng))
				detW = append(detW, pol.Predict(f, true, nil))
			}
		} else {
			// The static policy's answer: its deterministic action at the
			// state the environment reached (the weights it last chose).
			w = pol.Predict(e.(*staticEnv).w, true, nil)
		}
	}
	out.Metrics["fit_seconds"] = time.Since(start).Seconds()
	eval := func(prefix string, scores [][]float64) error {
		ev, err := metrics.EvaluateMultiLabel(L.val.labels, L.k, scores, L.trainCounts, L.nTrain, c.Train.EvalBatch)
		if err != nil {
			return err
		}
		m := ev.Metrics()
		delete(m, "val_classes")
		for k, v := range m {
			out.Metrics[prefix+k] = v
		}
		return nil
	}
	names := []string{"w_best1", "w_best3", "w_bilstm"}
	if perClip != nil {
		sampled, det := L.val.members.CombinePerClip(perClip), L.val.members.CombinePerClip(detW)
		main, other, op := sampled, det, "det_"
		if c.Model.Predict == "deterministic" {
			main, other, op = det, sampled, "sampled_"
		}
		if err := eval("", main); err != nil {
			return out, err
		}
		if err := eval(op, other); err != nil {
			return out, err
		}
		mw := meanNormalized(perClip)
		dw := meanNormalized(detW)
		if c.Model.Predict == "deterministic" {
			mw = dw
		}
		for i, n := range names {
			out.Metrics[n] = mw[i]
		}
		// the fold's fitness of the mean weights (for comparison with GA)
		out.Metrics["fit_map_batch_micro"] = fitFn(mw)
	} else {
		wn := ensemble.Normalize(w)
		if err := eval("", L.val.members.Combine(wn)); err != nil {
			return out, err
		}
		for i, n := range names {
			out.Metrics[n] = wn[i]
		}
		out.Metrics["fit_map_batch_micro"] = fitFn(wn)
	}
	// the single members on val, for reference
	for i, n := range []string{"best1", "best3", "bilstm"} {
		one := make([]float64, len(Members))
		one[i] = 1
		v, err := ensemble.BatchMicroMAP(L.val.y, L.val.members.Combine(one), c.Train.EvalBatch)
		if err != nil {
			return out, err
		}
		out.Metrics["member_"+n+"_map_batch_micro"] = v
	}
	out.Metrics["fit_clips"] = float64(len(L.fit.y))
	out.Metrics["fit_clips_members_trained_on"] = float64(L.fitTrained)
	out.DataSource = L.source
	out.DataFingerprint = "members " + strings.Join(L.hashes, ",")
	out.Notes = append(out.Notes, L.notes...)
	out.Notes = append(out.Notes, strategyNote(c)...)
	out.Extra = map[string]any{"members": memberNames(), "member_records": L.hashes}
	return out, nil
}

func strategyNote(c Config) []string {
	prot := "authors' protocol: members trained on every train fold; weights fitted on fold k (clips the members trained on: fit_clips_members_trained_on) and scored on val"
	if c.Model.Protocol == ProtoLeakFree {
		prot = "LEAK-FREE protocol (labelled extra): members trained without fold k; weights fitted on fold k (none of its clips seen in training) and scored on val"
	}
	var s string
	switch c.Model.Strategy {
	case StratAverage:
		s = "average: weights 1/3 on the raw logits (independent of the fold)"
	case StratPaper:
		s = "paper-ga: the authors' published GA weights of fold k (BEST1, BEST3+cos, biLSTM) applied to THESE members, not fitted here"
	case StratGA:
		s = fmt.Sprintf("ga: genetic.py with DEAP semantics: pop %d, %d generations, selTournament(3) of pop-2, varAnd cx 0.5 (%s blend, α 0.5) / mut 0.2 (N(0, 0.1) per gene w.p. 0.2, renormalised), hall of fame 2 added back; fitness = batch-micro mAP (batch %d) on fold k; answer = hof[0]; seeded PCG instead of Python's Mersenne Twister",
			c.Model.Pop, c.Model.Generations, c.Model.GACrossover, c.Train.EvalBatch)
	case StratPPO:
		s = fmt.Sprintf("ppo: reinforcement_dynamic.py with SB3 PPO defaults (lr 3e-4, γ 0.99, λ 0.95, clip 0.2, vf 0.5, ent 0, grad norm 0.5, 3 epochs, minibatch 64, Adam ε 1e-5), n_steps = one pass over fold k, %d passes (the authors' checkpoint: 150); state = the clip's features (description embedding) through a shared ReLU MLP %v standing in for NatureCNN over the 16 frames; reward = the clip's micro AP with the normalised clipped action; val scored with per-clip weights, %s (the authors' predict(deterministic=False) samples); w_* = mean normalised weights (a clip whose clipped action is all 0 gets weights 0, as the authors' env, so they may sum below 1)",
			c.Model.PPOPasses, c.Model.PPOHidden, c.Model.Predict)
	case StratPPOStatic:
		s = fmt.Sprintf("ppo-static: reinforcement_static.py (a labelled extra, no paper row): state = the current weights, reward = fold k's batch-micro mAP; MlpPolicy pi/vf 64-64 tanh, 10 epochs, minibatch 64, %d steps × %d rollouts (the authors: 2048 × 500); answer = the deterministic action at the last state",
			c.Model.StaticSteps, c.Model.StaticPasses)
	}
	return []string{s, prot}
}

func memberNames() []string {
	var out []string
	for _, m := range Members {
		out = append(out, m.Name)
	}
	return out
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func meanNormalized(ws [][]float64) []float64 {
	out := make([]float64, len(ws[0]))
	for _, w := range ws {
		for i, v := range ensemble.Normalize(w) {
			out[i] += v / float64(len(ws))
		}
	}
	return out
}

func chunkMeans(xs []float64, n int) []float64 {
	var out []float64
	for lo := 0; lo < len(xs); lo += n {
		out = append(out, mean(xs[lo:min(lo+n, len(xs))]))
	}
	return out
}
