package animalclip

import (
	"github.com/actrepro/actrepro/internal/data/akspecies"
)

// Prevalence is each class's share of the train clips.
func Prevalence(train []akspecies.Item, k int) []float64 {
	p := make([]float64, k)
	for _, it := range train {
		for _, a := range it.Actions {
			p[a]++
		}
	}
	for i := range p {
		p[i] /= float64(max(1, len(train)))
	}
	return p
}

// LabelFrequency scores every clip by the train prevalence (no input).
func LabelFrequency(train []akspecies.Item, n, k int) [][]float64 {
	p := Prevalence(train, k)
	out := make([][]float64, n)
	for i := range out {
		out[i] = p
	}
	return out
}

// SpeciesPrior scores a clip's action a by the mean over its species s of
// P̂(a | s) = (n(s, a) + β p(a)) / (n(s) + β): the share of the train clips
// showing s that show a, smoothed toward the train prevalence p(a) with β
// pseudo-clips (an animal unseen in train gets p). n counts clips.
func SpeciesPrior(train, eval []akspecies.Item, numAnimals, k int, beta float64) [][]float64 {
	p := Prevalence(train, k)
	n := make([][]float64, numAnimals)
	ns := make([]float64, numAnimals)
	for _, it := range train {
		for _, s := range it.Animals {
			if n[s] == nil {
				n[s] = make([]float64, k)
			}
			ns[s]++
			for _, a := range it.Actions {
				n[s][a]++
			}
		}
	}
	out := make([][]float64, len(eval))
	for i, it := range eval {
		row := make([]float64, k)
		for _, s := range it.Animals {
			for a := range row {
				var c float64
				if n[s] != nil {
					c = n[s][a]
				}
				row[a] += (c + beta*p[a]) / (ns[s] + beta)
			}
		}
		if len(it.Animals) == 0 {
			copy(row, p)
		} else {
			for a := range row {
				row[a] /= float64(len(it.Animals))
			}
		}
		out[i] = row
	}
	return out
}

// GraphPrior scores a clip's action a by the number of its species linked
// to a in g, ties broken by the train prevalence (times 1e-3, below one
// edge): what the relation graph alone says about a clip.
func GraphPrior(g *akspecies.Graph, train, eval []akspecies.Item, k int) [][]float64 {
	p := Prevalence(train, k)
	out := make([][]float64, len(eval))
	for i, it := range eval {
		row := make([]float64, k)
		for a := range row {
			row[a] = 1e-3 * p[a]
		}
		for _, s := range it.Animals {
			for _, a := range g.Actions[s] {
				row[a]++
			}
		}
		out[i] = row
	}
	return out
}
