package animalclip

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/internal/data/akspecies"
)

func item(animals, actions []int) akspecies.Item {
	return akspecies.Item{Animals: animals, Actions: actions}
}

func TestPriors(t *testing.T) {
	train := []akspecies.Item{item([]int{0}, []int{0}), item([]int{0}, []int{0, 1}), item([]int{1}, []int{2}), item([]int{1}, []int{2})}
	p := Prevalence(train, 3)
	if p[0] != 0.5 || p[1] != 0.25 || p[2] != 0.5 {
		t.Fatalf("prevalence %v", p)
	}
	cases := []struct {
		name string
		eval akspecies.Item
		beta float64
		want []float64
	}{
		{"seen species, no smoothing", item([]int{0}, nil), 0, []float64{1, 0.5, 0}},
		{"seen species, beta 1", item([]int{1}, nil), 1, []float64{0.5 / 3, 0.25 / 3, 2.5 / 3}},
		{"unseen species = prevalence", item([]int{2}, nil), 1, []float64{0.5, 0.25, 0.5}},
		{"two species averaged", item([]int{0, 1}, nil), 0, []float64{0.5, 0.25, 0.5}},
	}
	for _, c := range cases {
		got := SpeciesPrior(train, []akspecies.Item{c.eval}, 3, 3, c.beta)[0]
		for a := range got {
			if math.Abs(got[a]-c.want[a]) > 1e-12 {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
	g := &akspecies.Graph{NumAnimals: 3, NumActions: 3, Actions: [][]int{{0, 1}, {2}, nil}}
	gp := GraphPrior(g, train, []akspecies.Item{item([]int{0, 1}, nil), item([]int{2}, nil)}, 3)
	if gp[0][0] < 1 || gp[0][2] < 1 || gp[1][0] >= 1 || gp[1][0] <= gp[1][1] {
		t.Fatalf("graph prior %v", gp)
	}
}

func TestSpeciesPredictor(t *testing.T) {
	x := [][]float32{{1, 0}, {0.9, 0.1}, {0, 1}}
	items := []akspecies.Item{item([]int{0}, []int{0}), item([]int{0}, []int{1}), item([]int{2}, []int{1})}
	p := FitSpecies(x, items, 3)
	pred, acc := p.PredictAll([][]float32{{0.8, 0.2}, {0.1, 0.9}}, []akspecies.Item{item([]int{0}, nil), item([]int{0}, nil)})
	if pred[0].Animals[0] != 0 || pred[1].Animals[0] != 2 || acc != 0.5 {
		t.Fatalf("predicted %v %v, acc %v", pred[0].Animals, pred[1].Animals, acc)
	}
}
