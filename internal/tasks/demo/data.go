package demo

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
)

// Planted is a classification dataset with a planted signal: each class k
// has a mean vector mu_k drawn once from N(0, signal^2 I), and a sample of
// class k is mu_k + N(0, I). The Bayes-optimal accuracy grows with signal;
// with signal 0 nothing can beat chance (1/classes).
type Planted struct {
	Classes, Features int
	TrainX, ValX      []float32 // row-major [n, Features]
	TrainY, ValY      []int32
	Fingerprint       string // hash of the generator's parameters and seed
}

// MakePlanted draws the dataset from seed; the same arguments give the
// same bytes on every platform (math/rand/v2 PCG and NormFloat64).
func MakePlanted(seed uint64, classes, features, nTrain, nVal int, signal float64) (*Planted, error) {
	if classes < 2 || features < 1 || nTrain < 1 || nVal < 1 {
		return nil, fmt.Errorf("planted dataset: need classes >= 2, features, train and val >= 1 (got %d, %d, %d, %d)", classes, features, nTrain, nVal)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	mu := make([]float64, classes*features)
	for i := range mu {
		mu[i] = rng.NormFloat64() * signal
	}
	draw := func(n int) ([]float32, []int32) {
		x := make([]float32, n*features)
		y := make([]int32, n)
		for i := 0; i < n; i++ {
			k := i % classes // balanced classes
			y[i] = int32(k)
			for j := 0; j < features; j++ {
				x[i*features+j] = float32(mu[k*features+j] + rng.NormFloat64())
			}
		}
		// Shuffle so batches mix classes.
		rng.Shuffle(n, func(a, b int) {
			y[a], y[b] = y[b], y[a]
			for j := 0; j < features; j++ {
				x[a*features+j], x[b*features+j] = x[b*features+j], x[a*features+j]
			}
		})
		return x, y
	}
	p := &Planted{Classes: classes, Features: features}
	p.TrainX, p.TrainY = draw(nTrain)
	p.ValX, p.ValY = draw(nVal)
	h := fnv.New64a()
	fmt.Fprintf(h, "planted-signal v1 seed=%d classes=%d features=%d train=%d val=%d signal=%g", seed, classes, features, nTrain, nVal, signal)
	p.Fingerprint = fmt.Sprintf("planted-signal-v1:%016x", h.Sum64())
	return p, nil
}
