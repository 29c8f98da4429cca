package artemis

import (
	"fmt"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
)

// TestPairings: the same records paired by residual combination (seeds
// averaged), by (combination, seed) and by seed (combinations averaged).
func TestPairings(t *testing.T) {
	var recs []results.Record
	// Two combinations x two seeds; none = 0.1·combo + 0.01·seed, conv = that + 0.5.
	for combo, hv := range []bool{false, true} {
		for _, seed := range []int64{1, 2} {
			for _, layer := range []string{"none", "conv"} {
				v := 0.1*float64(combo) + 0.01*float64(seed)
				if layer == "conv" {
					v += 0.5
				}
				r := rec(layer, hv, false, v, "synthetic")
				r.Seed, r.Hash = seed, fmt.Sprintf("%s-%v-%d", layer, hv, seed)
				recs = append(recs, r)
			}
		}
	}
	// A seed 3 run of one side only: no partner under residual-seed and seed pairings.
	lone := rec("none", false, false, 0.9, "synthetic")
	lone.Seed = 3
	cases := []struct {
		pairing string
		recs    []results.Record
		a, b    []float64
	}{
		{PairResidual, recs, []float64{0.015, 0.115}, []float64{0.515, 0.615}},
		{PairResidualSeed, recs, []float64{0.01, 0.02, 0.11, 0.12}, []float64{0.51, 0.52, 0.61, 0.62}},
		{PairSeed, recs, []float64{0.06, 0.07}, []float64{0.56, 0.57}},
		{PairResidualSeed, append(append([]results.Record(nil), recs...), lone), []float64{0.01, 0.02, 0.11, 0.12}, []float64{0.51, 0.52, 0.61, 0.62}},
	}
	const tol = 1e-12 // sums of a few decimals
	for _, c := range cases {
		a, b, _, err := Pair(c.recs, "none", "conv", "map_batch_micro", c.pairing)
		if err != nil {
			t.Fatalf("%s: %v", c.pairing, err)
		}
		if len(a) != len(c.a) || len(b) != len(c.b) {
			t.Fatalf("%s: %d/%d pairs, want %d", c.pairing, len(a), len(b), len(c.a))
		}
		for i := range a {
			if abs(a[i]-c.a[i]) > tol || abs(b[i]-c.b[i]) > tol {
				t.Errorf("%s: pairs %v / %v, want %v / %v", c.pairing, a, b, c.a, c.b)
				break
			}
		}
	}
	// One seed: pairing by seed has one pair, too few for a test.
	var oneSeed []results.Record
	for _, r := range recs {
		if r.Seed == 1 {
			oneSeed = append(oneSeed, r)
		}
	}
	if _, _, _, err := Pair(oneSeed, "none", "conv", "map_batch_micro", PairSeed); err == nil || !strings.Contains(err.Error(), "only 1 seeds") {
		t.Errorf("pairing by seed over one seed: %v", err)
	}
	if _, _, _, err := Pair(recs, "none", "conv", "map_batch_micro", "fold"); err == nil {
		t.Error("unknown pairing accepted")
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestDecodeStatsSeeds(t *testing.T) {
	base := func(data, model map[string]any) runner.Point {
		d := map[string]any{"dataset": "animalkingdom", "source": "synthetic", "from": "artemis-table1", "table1": "x.toml"}
		m := map[string]any{"pair": "none/conv"}
		for k, v := range data {
			d[k] = v
		}
		for k, v := range model {
			m[k] = v
		}
		return runner.Point{Config: map[string]any{"data": d, "model": m, "train": map[string]any{}}}
	}
	cases := []struct {
		name    string
		p       runner.Point
		pairing string
		seeds   string
		err     string
	}{
		{"defaults", base(nil, nil), PairResidual, "1", ""},
		{"three seeds by seed", base(map[string]any{"seeds": int64(3)}, map[string]any{"pairing": "residual-seed"}), PairResidualSeed, "3", ""},
		{"seed list", base(map[string]any{"seeds": []any{int64(4), int64(9)}}, map[string]any{"pairing": "seed"}), PairSeed, "4,9", ""},
		{"bad pairing", base(nil, map[string]any{"pairing": "fold"}), "", "", "model.pairing: unknown pairing"},
		{"bad seeds", base(map[string]any{"seeds": int64(0)}, nil), "", "", "data.seeds: a seed count is 1..100"},
	}
	for _, c := range cases {
		cfg, err := DecodeStats(c.p)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || cfg.Model.Pairing != c.pairing || cfg.SeedSet.String() != c.seeds {
			t.Errorf("%s: pairing %q seeds %s (%v), want %q %s", c.name, cfg.Model.Pairing, cfg.SeedSet, err, c.pairing, c.seeds)
		}
	}
}
