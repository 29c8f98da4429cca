package ensemble

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Crossover operators of the GA (GAConfig.Crossover).
const (
	// CrossoverAuthors is the authors' cx_blend_sum_to_one
	// (artemis_code/ensemble/genetic.py:96-110): per gene
	// γ = (1 − 2α)·r + α, r ~ U(0,1), children γx1 + (1−γ)x2 and
	// γx2 + (1−γ)x1, then each renormalised to sum 1. With α = 0.5, γ ≡ 0.5:
	// both children are the parents' mean.
	CrossoverAuthors = "authors"
	// CrossoverDEAP is DEAP's tools.cxBlend: γ = (1 + 2α)·r − α, children
	// (1−γ)x1 + γx2 and γx1 + (1−γ)x2 (E[γ] = 1/2: in expectation the
	// parents' mean), here also renormalised.
	CrossoverDEAP = "deap"
)

// GAConfig is the genetic algorithm's setting; DefaultGA has the authors'
// values (GeneticEnsemble(ens, 10, 0.5, 0.2, 2), pop_size 15, main_ensemble.py).
type GAConfig struct {
	Pop         int     // population size (15)
	Generations int     // ngen (10)
	CxPB        float64 // varAnd's crossover probability per pair (0.5)
	MutPB       float64 // varAnd's mutation probability per individual (0.2)
	Elite       int     // hall-of-fame size, added back each generation (2)
	TournSize   int     // selTournament's tournsize (3)
	Alpha       float64 // blend α (0.5)
	Sigma       float64 // Gaussian mutation σ (0.1), μ = 0
	IndPB       float64 // per-gene mutation probability (0.2)
	Crossover   string  // CrossoverAuthors (default) or CrossoverDEAP
	Seed        uint64  // the GA's random stream (PCG); the authors seed Python's random with 1
}

// DefaultGA returns the authors' GA setting.
func DefaultGA() GAConfig {
	return GAConfig{Pop: 15, Generations: 10, CxPB: 0.5, MutPB: 0.2, Elite: 2, TournSize: 3,
		Alpha: 0.5, Sigma: 0.1, IndPB: 0.2, Crossover: CrossoverAuthors, Seed: 1}
}

// Validate checks the ranges.
func (c GAConfig) Validate() error {
	switch {
	case c.Pop < 2:
		return fmt.Errorf("ensemble: GA population %d < 2", c.Pop)
	case c.Elite < 0 || c.Elite >= c.Pop:
		return fmt.Errorf("ensemble: GA hall of fame %d must be 0..population-1 (%d)", c.Elite, c.Pop-1)
	case c.Generations < 0:
		return fmt.Errorf("ensemble: GA generations %d < 0", c.Generations)
	case c.TournSize < 1:
		return fmt.Errorf("ensemble: GA tournament size %d < 1", c.TournSize)
	case c.CxPB < 0 || c.CxPB > 1 || c.MutPB < 0 || c.MutPB > 1 || c.IndPB < 0 || c.IndPB > 1:
		return fmt.Errorf("ensemble: GA probabilities must be in [0,1]")
	case c.Crossover != CrossoverAuthors && c.Crossover != CrossoverDEAP:
		return fmt.Errorf("ensemble: GA crossover %q (want %q or %q)", c.Crossover, CrossoverAuthors, CrossoverDEAP)
	}
	return nil
}

// Individual is a weight vector and its fitness.
type Individual struct {
	W       []float64
	Fitness float64
	valid   bool
}

func (ind Individual) clone() Individual {
	return Individual{W: slices.Clone(ind.W), Fitness: ind.Fitness, valid: ind.valid}
}

// GenStats is one logbook line (DEAP's Logbook with max and avg).
type GenStats struct {
	Gen    int
	Nevals int
	Max    float64
	Avg    float64
}

// GAResult is what the GA returns.
type GAResult struct {
	Best        []float64    // hof[0]: the best individual ever seen (the authors' answer)
	BestFitness float64      // its fitness
	HallOfFame  []Individual // best first
	Log         []GenStats   // generation 0 (the initial population) to Generations
	Evaluations int
}

// GA runs the authors' ea_simple_with_elitism (genetic.py:122-177) over
// weight vectors of m genes:
//
//   - population: Pop individuals, genes U(0,1) normalised to sum 1 (init_individual);
//   - each generation: selTournament(k = Pop − Elite, tournsize) →
//     varAnd(cxpb, mutpb) → evaluate the changed → add the hall of fame back
//     → update the hall of fame → that is the new population;
//   - the answer is hof[0].
//
// DEAP's semantics: selTournament draws tournsize aspirants with
// replacement and keeps the fittest (the first on ties); varAnd clones
// the offspring, mates (i−1, i) for odd i with probability cxpb, then
// mutates each with probability mutpb, invalidating the fitness of the
// changed; HallOfFame.update keeps the best Elite distinct individuals
// (equal genes count as one), a newer one ahead of an equally fit older.
// Python's random (Mersenne Twister, seed 1) is replaced by a seeded PCG:
// the draws differ from the authors', their distribution does not.
func GA(cfg GAConfig, m int, fit Fitness) (GAResult, error) {
	if err := cfg.Validate(); err != nil {
		return GAResult{}, err
	}
	if m < 1 {
		return GAResult{}, fmt.Errorf("ensemble: GA needs at least one gene")
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	var res GAResult
	eval := func(pop []Individual) int {
		n := 0
		for i := range pop {
			if !pop[i].valid {
				pop[i].Fitness, pop[i].valid = fit(pop[i].W), true
				n++
			}
		}
		res.Evaluations += n
		return n
	}
	pop := make([]Individual, cfg.Pop)
	for i := range pop {
		w := make([]float64, m)
		for j := range w {
			w[j] = rng.Float64()
		}
		pop[i] = Individual{W: normalizeInPlace(w)}
	}
	hof := &hallOfFame{max: cfg.Elite}
	n := eval(pop)
	hof.update(pop)
	res.Log = append(res.Log, stats(0, n, pop))
	hofSize := len(hof.items)
	for gen := 1; gen <= cfg.Generations; gen++ {
		off := selTournament(rng, pop, cfg.Pop-hofSize, cfg.TournSize)
		off = varAnd(rng, off, cfg)
		n := eval(off)
		for _, h := range hof.items {
			off = append(off, h.clone())
		}
		hof.update(off)
		pop = off
		res.Log = append(res.Log, stats(gen, n, pop))
	}
	for _, h := range hof.items {
		res.HallOfFame = append(res.HallOfFame, h.clone())
	}
	if len(res.HallOfFame) > 0 {
		res.Best, res.BestFitness = slices.Clone(res.HallOfFame[0].W), res.HallOfFame[0].Fitness
	}
	return res, nil
}

func normalizeInPlace(w []float64) []float64 {
	var s float64
	for _, x := range w {
		s += x
	}
	for i := range w {
		w[i] /= s // as the authors' normalize: no guard (a zero sum gives Inf/NaN, never seen with U(0,1) genes)
	}
	return w
}

func stats(gen, nevals int, pop []Individual) GenStats {
	s := GenStats{Gen: gen, Nevals: nevals, Max: pop[0].Fitness}
	var sum float64
	for _, ind := range pop {
		s.Max = max(s.Max, ind.Fitness)
		sum += ind.Fitness
	}
	s.Avg = sum / float64(len(pop))
	return s
}

// selTournament is DEAP's tools.selTournament: k times, tournsize
// aspirants drawn with replacement, the fittest kept (selBest's sort is
// stable, so the first drawn wins a tie).
func selTournament(rng *rand.Rand, pop []Individual, k, size int) []Individual {
	out := make([]Individual, 0, k)
	for range k {
		best := pop[rng.IntN(len(pop))]
		for j := 1; j < size; j++ {
			a := pop[rng.IntN(len(pop))]
			if a.Fitness > best.Fitness {
				best = a
			}
		}
		out = append(out, best) // a reference in DEAP; varAnd clones
	}
	return out
}

// varAnd is DEAP's algorithms.varAnd.
func varAnd(rng *rand.Rand, pop []Individual, cfg GAConfig) []Individual {
	off := make([]Individual, len(pop))
	for i := range pop {
		off[i] = pop[i].clone()
	}
	for i := 1; i < len(off); i += 2 {
		if rng.Float64() < cfg.CxPB {
			Blend(rng, off[i-1].W, off[i].W, cfg.Alpha, cfg.Crossover)
			off[i-1].valid, off[i].valid = false, false
		}
	}
	for i := range off {
		if rng.Float64() < cfg.MutPB {
			MutGaussian(rng, off[i].W, 0, cfg.Sigma, cfg.IndPB)
			off[i].valid = false
		}
	}
	return off
}

// Blend is the blend crossover in place (see CrossoverAuthors and
// CrossoverDEAP), followed by the authors' renormalisation of both.
func Blend(rng *rand.Rand, a, b []float64, alpha float64, form string) {
	blendGenes(rng, a, b, alpha, form)
	normalizeInPlace(a)
	normalizeInPlace(b)
}

// blendGenes is the blend without the renormalisation.
func blendGenes(rng *rand.Rand, a, b []float64, alpha float64, form string) {
	for i := range a {
		x1, x2 := a[i], b[i]
		if form == CrossoverDEAP {
			g := (1+2*alpha)*rng.Float64() - alpha
			a[i], b[i] = (1-g)*x1+g*x2, g*x1+(1-g)*x2
		} else {
			g := (1-2*alpha)*rng.Float64() + alpha
			a[i], b[i] = g*x1+(1-g)*x2, g*x2+(1-g)*x1
		}
	}
}

// MutGaussian is the authors' mut_gaussian_sum_to_one (genetic.py:113-
// 126): each gene with probability indpb gets N(mu, sigma) added, then the
// individual is renormalised; nothing is clipped.
func MutGaussian(rng *rand.Rand, w []float64, mu, sigma, indpb float64) {
	for i := range w {
		if rng.Float64() < indpb {
			w[i] += mu + sigma*rng.NormFloat64()
		}
	}
	normalizeInPlace(w)
}

// hallOfFame is DEAP's tools.HallOfFame with similar = operator.eq.
type hallOfFame struct {
	max   int
	items []Individual // best first
}

func (h *hallOfFame) update(pop []Individual) {
	if h.max == 0 {
		return
	}
	for _, ind := range pop {
		if len(h.items) == 0 {
			h.items = append(h.items, ind.clone())
			continue
		}
		if ind.Fitness > h.items[len(h.items)-1].Fitness || len(h.items) < h.max {
			dup := false
			for _, o := range h.items {
				if slices.Equal(o.W, ind.W) {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			if len(h.items) >= h.max {
				h.items = h.items[:len(h.items)-1]
			}
			// DEAP inserts at len − bisect_right(ascending keys): ahead of
			// every equally fit item.
			pos := len(h.items)
			for j, o := range h.items {
				if ind.Fitness >= o.Fitness {
					pos = j
					break
				}
			}
			h.items = slices.Insert(h.items, pos, ind.clone())
		}
	}
}
