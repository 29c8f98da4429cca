package artemisens

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/harness"
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	_ "github.com/actrepro/actrepro/internal/tasks/ensmember"
)

const (
	membersSpec   = "../../../experiments/artemis/table4_members.toml"
	leakFreeSpec  = "../../../experiments/artemis/table4_members_leakfree.toml"
	ensemblesSpec = "../../../experiments/artemis/table4_ensembles.toml"
)

func runSmoke(t *testing.T, spec, out string) *harness.Report {
	t.Helper()
	rep, err := harness.Run(context.Background(), spec, harness.Options{Scale: "smoke", OutDir: out, Backend: "purego",
		Git: func(string) (string, bool) { return "test", false }})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) > 0 {
		t.Fatalf("%s: %v", spec, rep.Failed[0])
	}
	return rep
}

// TestTable4Smoke runs the members and then Table 4 at smoke scale on the
// synthetic twin and checks the protocol's invariants on the records.
func TestTable4Smoke(t *testing.T) {
	if testing.Short() {
		t.Skip("trains six tiny members (seconds)")
	}
	out := t.TempDir()
	runSmoke(t, membersSpec, out)
	runSmoke(t, leakFreeSpec, out)
	rep := runSmoke(t, ensemblesSpec, out)
	get := func(proto, strat string, fold int) results.Record {
		for _, r := range rep.Records {
			if r.Axes["model.protocol"] == proto && r.Axes["model.strategy"] == strat && toInt(r.Axes["model.fold"]) == fold {
				return r
			}
		}
		t.Fatalf("no record %s/%s/%d", proto, strat, fold)
		return results.Record{}
	}
	avg0 := get(ProtoAuthors, StratAverage, 0)
	fitDiffers := false
	for f := 1; f < 5; f++ {
		a := get(ProtoAuthors, StratAverage, f)
		// The average's weights, hence its val score, do not depend on the fold.
		if a.Metrics["map_batch_micro"] != avg0.Metrics["map_batch_micro"] || a.Metrics["w_best1"] != 1.0/3 {
			t.Errorf("average on fold %d: val %v w %v, fold 0: %v", f, a.Metrics["map_batch_micro"], a.Metrics["w_best1"], avg0.Metrics["map_batch_micro"])
		}
		fitDiffers = fitDiffers || a.Metrics["fit_map_batch_micro"] != avg0.Metrics["fit_map_batch_micro"]
	}
	if !fitDiffers {
		t.Error("the folds' fitness of the average is the same on every fold: the folds are not read")
	}
	for f := range 5 {
		g := get(ProtoAuthors, StratGA, f)
		if s := g.Metrics["w_best1"] + g.Metrics["w_best3"] + g.Metrics["w_bilstm"]; math.Abs(s-1) > 1e-9 {
			t.Errorf("GA fold %d weights sum to %v", f, s)
		}
		if len(g.Curves["ga_max_fitness"]) != 11 {
			t.Errorf("GA fold %d: %d generations logged, want 11", f, len(g.Curves["ga_max_fitness"]))
		}
		if g.Metrics["fit_clips_members_trained_on"] != g.Metrics["fit_clips"] {
			t.Errorf("authors' protocol fold %d: %v of %v fitting clips in the members' training data, want all", f, g.Metrics["fit_clips_members_trained_on"], g.Metrics["fit_clips"])
		}
		p := get(ProtoAuthors, StratPaper, f)
		if p.Metrics["w_best3"] != PaperGAWeights[f][1]/(PaperGAWeights[f][0]+PaperGAWeights[f][1]+PaperGAWeights[f][2]) {
			t.Errorf("paper-ga fold %d: w_best3 %v, published %v", f, p.Metrics["w_best3"], PaperGAWeights[f][1])
		}
		ppo := get(ProtoAuthors, StratPPO, f)
		if _, ok := ppo.Metrics["det_map_batch_micro"]; !ok || len(ppo.Curves["ppo_rollout_reward"]) != 3 {
			t.Errorf("PPO fold %d: no deterministic score or %d rollouts (want 3)", f, len(ppo.Curves["ppo_rollout_reward"]))
		}
	}
	lf := get(ProtoLeakFree, StratGA, 0)
	if lf.Metrics["fit_clips_members_trained_on"] != 0 || lf.Metrics["fit_clips"] == 0 {
		t.Errorf("leak-free: %v of %v fitting clips seen in training, want 0", lf.Metrics["fit_clips_members_trained_on"], lf.Metrics["fit_clips"])
	}
	if lf.DataFingerprint == get(ProtoAuthors, StratGA, 0).DataFingerprint {
		t.Error("leak-free and authors' rows read the same members")
	}
}

func point(model map[string]any) runner.Point {
	return runner.Point{Config: map[string]any{
		"data":  map[string]any{"dataset": "animalkingdom", "source": "synthetic", "from": "m"},
		"model": model, "train": map[string]any{},
	}}
}

func TestDecodeErrorsNameTheKey(t *testing.T) {
	cases := []struct {
		model map[string]any
		key   string
	}{
		{map[string]any{"strategy": "boosting"}, "model.strategy"},
		{map[string]any{"strategy": "ga", "fold": int64(5)}, "model.fold"},
		{map[string]any{"strategy": "ga", "protocol": "val"}, "model.protocol"},
		{map[string]any{"strategy": "ppo", "predict": "greedy"}, "model.predict"},
		{map[string]any{"strategy": "ga", "ga_crossover": "sbx"}, "model.ga_crossover"},
		{map[string]any{"strategy": "ga", "popsize": int64(3)}, "model.popsize"},
	}
	for _, c := range cases {
		_, err := Decode(point(c.model))
		if err == nil || !strings.Contains(err.Error(), c.key) {
			t.Errorf("%v: error %v, want one naming %s", c.model, err, c.key)
		}
	}
}

func TestMissingMembersSaySoAndHowToFix(t *testing.T) {
	ctx := results.WithRoot(context.Background(), t.TempDir())
	p := point(map[string]any{"strategy": "average"})
	p.Scale = "smoke"
	_, err := Task{}.Run(ctx, p, runner.Env{})
	if err == nil || !strings.Contains(err.Error(), "table4_members.toml") {
		t.Fatalf("error %v, want one naming the members' spec", err)
	}
}
