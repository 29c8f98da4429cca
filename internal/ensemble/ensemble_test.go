package ensemble

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
)

// toyMembers plants a problem with known best weights: clip i's labels y
// and three members, member `good` = a noisy copy of the labels, the
// others pure noise.
func toyMembers(seed uint64, n, k, good int) (Members, [][]bool) {
	rng := rand.New(rand.NewPCG(seed, 1))
	y := make([][]bool, n)
	ms := Members{Logits: make([][][]float32, 3)}
	for m := range ms.Logits {
		ms.Logits[m] = make([][]float32, n)
	}
	for i := range y {
		y[i] = make([]bool, k)
		y[i][rng.IntN(k)] = true
		for m := range ms.Logits {
			row := make([]float32, k)
			for c := range row {
				row[c] = float32(rng.NormFloat64())
				if m == good && y[i][c] {
					row[c] += 2.5
				}
			}
			ms.Logits[m][i] = row
		}
	}
	return ms, y
}

func TestIdenticalMembersEqualOne(t *testing.T) {
	one, y := toyMembers(3, 64, 10, 0)
	same := Members{Logits: [][][]float32{one.Logits[0], one.Logits[0], one.Logits[0]}}
	single := Members{Logits: [][][]float32{one.Logits[0]}}
	want, err := BatchMicroMAP(y, single.Combine([]float64{1}), 16)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range [][]float64{{1, 1, 1}, {0.2, 0.5, 0.3}, {5, 0.1, 2}, {-0.5, 1, 0.5}} {
		got := same.Combine(w)
		for i, row := range got {
			for c, v := range row {
				if math.Abs(v-float64(one.Logits[0][i][c])) > 1e-6 {
					t.Fatalf("weights %v: clip %d class %d = %v, the member's %v", w, i, c, v, one.Logits[0][i][c])
				}
			}
		}
		m, err := BatchMicroMAP(y, got, 16)
		if err != nil || math.Abs(m-want) > 1e-12 {
			t.Fatalf("weights %v: mAP %v (%v), one member %v", w, m, err, want)
		}
	}
}

func TestAverageAndNormalize(t *testing.T) {
	if w := Average(3); !slices.Equal(w, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}) {
		t.Fatalf("Average(3) = %v", w)
	}
	cases := []struct{ in, want []float64 }{
		{[]float64{1, 1, 2}, []float64{0.25, 0.25, 0.5}},
		{[]float64{0, 0, 0}, []float64{0, 0, 0}}, // the authors' RL rule for a zero sum
		{[]float64{-1, 2, 1}, []float64{-0.5, 1, 0.5}},
	}
	for _, c := range cases {
		if got := Normalize(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Normalize(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestBlendAuthorsIsMidpoint: the authors' γ = (1 − 2α)r + α is 0.5 for
// α = 0.5 whatever r, so both children equal the parents' mean.
func TestBlendAuthorsIsMidpoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100 {
		a := []float64{rng.Float64(), rng.Float64(), rng.Float64()}
		b := []float64{rng.Float64(), rng.Float64(), rng.Float64()}
		mid := make([]float64, 3)
		for i := range mid {
			mid[i] = (a[i] + b[i]) / 2
		}
		mid = Normalize(mid)
		Blend(rng, a, b, 0.5, CrossoverAuthors)
		for i := range mid {
			if math.Abs(a[i]-mid[i]) > 1e-12 || math.Abs(b[i]-mid[i]) > 1e-12 {
				t.Fatalf("children %v %v, want both %v", a, b, mid)
			}
		}
	}
}

// TestBlendDEAPMeanIsMidpoint: DEAP's cxBlend draws γ = (1 + 2α)r − α,
// E[γ] = 1/2, so over many seeded draws a child's genes average to the
// parents' mean (4σ bound for 20,000 draws).
func TestBlendDEAPMeanIsMidpoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	p1, p2 := []float64{0.7, 0.2, 0.1}, []float64{0.1, 0.3, 0.6}
	const n = 20000
	sum := make([]float64, 3)
	spread := false
	for range n {
		a, b := slices.Clone(p1), slices.Clone(p2)
		blendGenes(rng, a, b, 0.5, CrossoverDEAP)
		for i := range sum {
			sum[i] += a[i]
			if a[i] < min(p1[i], p2[i]) || a[i] > max(p1[i], p2[i]) {
				spread = true // BLX-0.5 reaches outside the parents' interval
			}
		}
	}
	for i := range sum {
		mean := sum[i] / n
		mid := (p1[i] + p2[i]) / 2
		// γ ~ U(−0.5, 1.5): sd(γ) = 2/√12; child = x1 + γ(x2 − x1)
		sd := math.Abs(p2[i]-p1[i]) * 2 / math.Sqrt(12) / math.Sqrt(n)
		if math.Abs(mean-mid) > 4*sd {
			t.Errorf("gene %d: mean child %v, parents' mean %v (4σ = %v)", i, mean, mid, 4*sd)
		}
	}
	if !spread {
		t.Error("no child outside the parents' interval: not BLX-0.5")
	}
}

// TestGAFindsPlantedWeights: member 1 carries the labels, the others are
// noise, so the best weights load member 1; the GA's answer must beat
// the average and the initial population, with member 1's weight largest.
func TestGAFindsPlantedWeights(t *testing.T) {
	ms, y := toyMembers(11, 256, 12, 1)
	fit := ms.BatchMicroFitness(y, 16)
	res, err := GA(DefaultGA(), 3, fit)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Log) != 11 || res.Log[0].Nevals != 15 {
		t.Fatalf("logbook %+v: want generations 0..10, 15 evaluations at 0", res.Log)
	}
	for g := 1; g < len(res.Log); g++ {
		if res.Log[g].Max < res.Log[g-1].Max-1e-15 {
			t.Fatalf("max fitness fell from %v to %v at generation %d despite the hall of fame", res.Log[g-1].Max, res.Log[g].Max, g)
		}
	}
	avg := fit(Average(3))
	if !(res.BestFitness > res.Log[0].Max && res.BestFitness > avg) {
		t.Fatalf("best %v, initial best %v, average %v: the GA did not improve", res.BestFitness, res.Log[0].Max, avg)
	}
	if res.Best[1] <= res.Best[0] || res.Best[1] <= res.Best[2] {
		t.Fatalf("weights %v: the planted member 1 is not the heaviest", res.Best)
	}
	if math.Abs(res.Best[0]+res.Best[1]+res.Best[2]-1) > 1e-12 {
		t.Fatalf("weights %v do not sum to 1", res.Best)
	}
}

func TestHallOfFameDEAPSemantics(t *testing.T) {
	h := &hallOfFame{max: 2}
	h.update([]Individual{{W: []float64{1}, Fitness: 0.5}, {W: []float64{2}, Fitness: 0.7}, {W: []float64{2}, Fitness: 0.9}, {W: []float64{3}, Fitness: 0.7}})
	// {2} is already in (similar = equal genes) so its 0.9 copy is skipped;
	// {3} at 0.7 goes ahead of the older {2} at 0.7.
	if len(h.items) != 2 || h.items[0].W[0] != 3 || h.items[1].W[0] != 2 {
		t.Fatalf("hall of fame %+v", h.items)
	}
}

// toyBandit: one constant state, three arms; the reward is the weight the
// normalised action puts on arm 2, so the best action loads arm 2 only.
type toyBandit struct{}

func (toyBandit) ObsDim() int      { return 2 }
func (toyBandit) ActDim() int      { return 3 }
func (toyBandit) Reset() []float64 { return []float64{1, 0.5} }
func (toyBandit) Step(a []float64) ([]float64, float64) {
	return []float64{1, 0.5}, Normalize(a)[2]
}

func trainBandit(t *testing.T) (*Policy, PPOLog) {
	t.Helper()
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	cfg := DefaultPPO()
	cfg.NSteps, cfg.TotalSteps, cfg.LR = 256, 256*12, 3e-3
	p, log, err := TrainPPO(backend, cfg, toyBandit{})
	if err != nil {
		t.Fatal(err)
	}
	return p, log
}

func TestPPOFindsBestArm(t *testing.T) {
	p, log := trainBandit(t)
	w := Normalize(p.Predict([]float64{1, 0.5}, true, nil))
	if w[2] < 0.6 {
		t.Fatalf("deterministic weights %v: arm 2 (the best) gets < 0.6", w)
	}
	first, last := log.RolloutReward[0], log.RolloutReward[len(log.RolloutReward)-1]
	if !(last > first+0.1) {
		t.Fatalf("mean rollout reward %v -> %v: no learning", first, last)
	}
}

func TestSeedGivesIdenticalWeights(t *testing.T) {
	ms, y := toyMembers(13, 128, 8, 2)
	fit := ms.BatchMicroFitness(y, 16)
	a, _ := GA(DefaultGA(), 3, fit)
	b, _ := GA(DefaultGA(), 3, fit)
	if !slices.Equal(a.Best, b.Best) {
		t.Fatalf("GA seed 1 twice: %v vs %v", a.Best, b.Best)
	}
	cfg := DefaultGA()
	cfg.Seed = 2
	c, _ := GA(cfg, 3, fit)
	if slices.Equal(a.Best, c.Best) {
		t.Fatalf("GA seeds 1 and 2 gave the same weights %v", a.Best)
	}
	p1, _ := trainBandit(t)
	p2, _ := trainBandit(t)
	for i := range p1.Params {
		if !slices.Equal(p1.Params[i], p2.Params[i]) {
			t.Fatalf("PPO seed 1 twice: parameter %d differs", i)
		}
	}
}

// TestFastFitnessEqualsMetrics: the GA's fitness equals internal/metrics'
// batch-micro mAP of the combined matrix, bit for bit (same AP routine,
// same flattening order), including a last partial batch.
func TestFastFitnessEqualsMetrics(t *testing.T) {
	ms, y := toyMembers(17, 203, 9, 0)
	for _, batch := range []int{1, 16, 32, 500} {
		fit := ms.BatchMicroFitness(y, batch)
		for _, w := range [][]float64{{1, 1, 1}, {0.7, 0.2, 0.1}, {-0.2, 0.9, 0.3}} {
			want, err := BatchMicroMAP(y, ms.Combine(w), batch)
			if err != nil {
				t.Fatal(err)
			}
			if got := fit(w); got != want {
				t.Errorf("batch %d weights %v: fitness %v, metrics.MeanAP %v", batch, w, got, want)
			}
		}
	}
}
