package sampling

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// Scheme is a frame-selection scheme of AnimalMotionCLIP (Tab. 2).
type Scheme string

// The three schemes of the paper.
const (
	Dense     Scheme = "dense"      // P frames evenly in the main window
	SemiDense Scheme = "semi-dense" // P/2 in the main window, P/2 in its complement
	Sparse    Scheme = "sparse"     // one random frame in each of P equal segments of the whole video
)

// Schemes lists the schemes in the order of the paper's Tab. 2.
var Schemes = []Scheme{Dense, SemiDense, Sparse}

// Defaults for the numbers the paper leaves unstated (see the package doc).
const (
	DefaultM = 4 // classifiers, i.e. main windows
	DefaultP = 8 // frames per classifier
)

// ParseScheme turns a spec string into a Scheme ("semidense" and
// "semi_dense" are accepted for "semi-dense").
func ParseScheme(s string) (Scheme, error) {
	switch s {
	case "dense":
		return Dense, nil
	case "semi-dense", "semidense", "semi_dense":
		return SemiDense, nil
	case "sparse":
		return Sparse, nil
	}
	return "", fmt.Errorf("sampling: unknown scheme %q (want %q, %q or %q)", s, Dense, SemiDense, Sparse)
}

// Config is what a spec says about frame selection.
type Config struct {
	Scheme Scheme
	M      int // number of classifiers (main windows); 0 means DefaultM
	P      int // frames per classifier; 0 means DefaultP
}

// WithDefaults fills M and P when zero.
func (c Config) WithDefaults() Config {
	if c.M == 0 {
		c.M = DefaultM
	}
	if c.P == 0 {
		c.P = DefaultP
	}
	return c
}

// Validate checks the scheme and that M, P are positive (after defaults).
func (c Config) Validate() error {
	c = c.WithDefaults()
	if _, err := ParseScheme(string(c.Scheme)); err != nil {
		return err
	}
	if c.M < 1 || c.P < 1 {
		return fmt.Errorf("sampling: M=%d and P=%d must be positive", c.M, c.P)
	}
	return nil
}

// MainWindow returns the main window [lo, hi) of classifier i of m over a
// t-frame video: the frames floor(i*t/m) .. floor((i+1)*t/m)-1. The m
// windows are contiguous, do not overlap and cover 0..t-1. When t < m a
// window would be empty; it is then the single frame floor(i*t/m).
func MainWindow(t, m, i int) (lo, hi int) {
	lo = i * t / m
	hi = (i + 1) * t / m
	if hi <= lo {
		lo = min(lo, t-1)
		hi = lo + 1
	}
	return lo, hi
}

// even returns k indices into a list of n items at the centres of k equal
// segments (items repeat when n < k).
func even(n, k int) []int {
	idx := make([]int, k)
	for j := range idx {
		idx[j] = min(int((float64(j)+0.5)*float64(n)/float64(k)), n-1)
	}
	return idx
}

// Indices returns the P frame indices (0-based, increasing) that classifier
// i of c.M sees in a t-frame video. r is needed by Sparse only (nil is an
// error there) and is advanced by it.
func Indices(t int, c Config, i int, r *rand.Rand) ([]int, error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if t < 1 {
		return nil, fmt.Errorf("sampling: video has %d frames", t)
	}
	if i < 0 || i >= c.M {
		return nil, fmt.Errorf("sampling: classifier %d outside 0..%d", i, c.M-1)
	}
	lo, hi := MainWindow(t, c.M, i)
	inMain := func(k int) []int {
		idx := even(hi-lo, k)
		for j := range idx {
			idx[j] += lo
		}
		return idx
	}
	var idx []int
	switch c.Scheme {
	case Dense:
		idx = inMain(c.P)
	case SemiDense:
		a := (c.P + 1) / 2
		ctx := make([]int, 0, t-(hi-lo))
		for f := 0; f < t; f++ {
			if f < lo || f >= hi {
				ctx = append(ctx, f)
			}
		}
		if len(ctx) == 0 { // M = 1: the main window is the whole video
			idx = inMain(c.P)
			break
		}
		idx = inMain(a)
		for _, j := range even(len(ctx), c.P-a) {
			idx = append(idx, ctx[j])
		}
	case Sparse:
		if r == nil {
			return nil, fmt.Errorf("sampling: the sparse scheme needs a random source")
		}
		idx = make([]int, c.P)
		for j := range idx {
			s := j * t / c.P
			e := max((j+1)*t/c.P, s+1)
			idx[j] = min(s+r.IntN(e-s), t-1)
		}
	}
	sort.Ints(idx)
	return idx, nil
}

// All returns the indices of every classifier, [M][P], classifier 0 first,
// drawing Sparse selections from r in that order.
func All(t int, c Config, r *rand.Rand) ([][]int, error) {
	c = c.WithDefaults()
	out := make([][]int, c.M)
	for i := range out {
		idx, err := Indices(t, c, i, r)
		if err != nil {
			return nil, err
		}
		out[i] = idx
	}
	return out, nil
}

// NewRand returns the seeded source this package's callers use for Sparse:
// PCG with the seed and a stream (e.g. a clip number), so that a clip's
// selections do not depend on the order clips are visited.
func NewRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}
