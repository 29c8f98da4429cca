package ensemble

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
)

// fixtureTol is the tolerance against testdata/ppo_fixture.json (float64
// on both sides; only the order of sums differs).
const fixtureTol = 1e-9

type ppoCase struct {
	Name                                           string
	ObsDim                                         int `json:"obs_dim"`
	Hidden                                         []int
	ActDim                                         int `json:"act_dim"`
	Shared                                         bool
	Activation                                     string
	EntCoef                                        float64 `json:"ent_coef"`
	Params, Grads, ParamsAfter                     [][]float64
	Shapes                                         [][]int
	Obs, Act, Mean                                 [][]float64
	OldLogp                                        []float64 `json:"old_logp"`
	AdvRaw                                         []float64 `json:"adv_raw"`
	Adv, Ret, Value                                []float64
	Loss, PolicyLoss, ValueLoss, EntropyLoss, Norm float64
}

type ppoFixture struct {
	Source string
	Cases  []json.RawMessage
	GAE    struct {
		Rewards, Values, Advantages, Returns []float64
		LastValue                            float64 `json:"last_value"`
		Gamma                                float64
		Lambda                               float64 `json:"lambda"`
	} `json:"gae"`
}

func loadFixture(t *testing.T) (ppoFixture, []ppoCase) {
	t.Helper()
	b, err := os.ReadFile("testdata/ppo_fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	var f ppoFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	var cases []ppoCase
	for _, raw := range f.Cases {
		var c ppoCase
		var extra struct {
			PolicyLoss  float64     `json:"policy_loss"`
			ValueLoss   float64     `json:"value_loss"`
			EntropyLoss float64     `json:"entropy_loss"`
			GradNorm    float64     `json:"grad_norm"`
			After       [][]float64 `json:"params_after_step"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &extra); err != nil {
			t.Fatal(err)
		}
		c.PolicyLoss, c.ValueLoss, c.EntropyLoss, c.Norm, c.ParamsAfter = extra.PolicyLoss, extra.ValueLoss, extra.EntropyLoss, extra.GradNorm, extra.After
		cases = append(cases, c)
	}
	return f, cases
}

func close(a, b float64) bool {
	return math.Abs(a-b) <= fixtureTol*(1+math.Abs(b))
}

// TestPPOLossMatchesTorch compares the GoMLX loss graph, its gradients, the
// plain-Go forward, the advantage normalisation and one clipped Adam step
// with the PyTorch reference (testdata/gen_fixtures.py, SB3's formulas).
func TestPPOLossMatchesTorch(t *testing.T) {
	_, cases := loadFixture(t)
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			cfg := DefaultPPO()
			cfg.Hidden, cfg.Activation, cfg.Shared, cfg.EntCoef = c.Hidden, c.Activation, c.Shared, c.EntCoef
			p := NewPolicy(cfg, c.ObsDim, c.ActDim, rand.New(rand.NewPCG(1, 2)))
			if len(p.Shapes) != len(c.Shapes) {
				t.Fatalf("%d parameters, fixture has %d", len(p.Shapes), len(c.Shapes))
			}
			for i := range p.Shapes {
				if len(p.Params[i]) != len(c.Params[i]) {
					t.Fatalf("param %d: size %d, fixture %d (shape %v vs %v)", i, len(p.Params[i]), len(c.Params[i]), p.Shapes[i], c.Shapes[i])
				}
				copy(p.Params[i], c.Params[i])
			}
			for i, o := range c.Obs {
				m, v := p.Forward(o)
				for j := range m {
					if !close(m[j], c.Mean[i][j]) {
						t.Fatalf("forward mean[%d][%d] = %v, torch %v", i, j, m[j], c.Mean[i][j])
					}
				}
				if !close(v, c.Value[i]) {
					t.Fatalf("forward value[%d] = %v, torch %v", i, v, c.Value[i])
				}
			}
			adv := NormalizeAdvantages(c.AdvRaw)
			for i := range adv {
				if !close(adv[i], c.Adv[i]) {
					t.Fatalf("normalised advantage %d = %v, torch %v", i, adv[i], c.Adv[i])
				}
			}
			le, err := newLossExec(backend, p)
			if err != nil {
				t.Fatal(err)
			}
			lt, grads, err := le.run(Minibatch{Obs: c.Obs, Act: c.Act, OldLogp: c.OldLogp, Adv: c.Adv, Ret: c.Ret})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range []struct {
				name      string
				got, want float64
			}{{"loss", lt.Loss, c.Loss}, {"policy loss", lt.Policy, c.PolicyLoss}, {"value loss", lt.Value, c.ValueLoss}, {"entropy loss", lt.Entropy, c.EntropyLoss}} {
				if !close(x.got, x.want) {
					t.Errorf("%s = %.12g, torch %.12g", x.name, x.got, x.want)
				}
			}
			for i := range grads {
				for j := range grads[i] {
					if !close(grads[i][j], c.Grads[i][j]) {
						t.Fatalf("grad of param %d [%d] = %v, torch %v", i, j, grads[i][j], c.Grads[i][j])
					}
				}
			}
			// clip_grad_norm_(0.5) then Adam(3e-4, eps 1e-5), as SB3's train step.
			var s float64
			for _, g := range grads {
				for _, v := range g {
					s += v * v
				}
			}
			if n := math.Sqrt(s); !close(n, c.Norm) {
				t.Errorf("gradient norm %v, torch %v", n, c.Norm)
			}
			newAdam(p).step(p.Params, grads)
			for i := range p.Params {
				for j := range p.Params[i] {
					if !close(p.Params[i][j], c.ParamsAfter[i][j]) {
						t.Fatalf("param %d [%d] after one step = %v, torch %v", i, j, p.Params[i][j], c.ParamsAfter[i][j])
					}
				}
			}
		})
	}
}

// TestGAEMatchesReference checks GAE against SB3's recursion written out
// in testdata/gen_fixtures.py.
func TestGAEMatchesReference(t *testing.T) {
	f, _ := loadFixture(t)
	g := f.GAE
	adv, ret := GAE(g.Rewards, g.Values, g.LastValue, g.Gamma, g.Lambda)
	for i := range adv {
		if !close(adv[i], g.Advantages[i]) || !close(ret[i], g.Returns[i]) {
			t.Fatalf("step %d: advantage %v return %v, reference %v %v", i, adv[i], ret[i], g.Advantages[i], g.Returns[i])
		}
	}
}
