package sampling

import (
	"sort"
	"testing"
)

// FuzzIndices: for any length, M, P, classifier and scheme, Indices either
// errors or returns P increasing frames inside the video, with the dense
// ones inside the classifier's main window.
func FuzzIndices(f *testing.F) {
	f.Add(40, 4, 8, 1, uint8(0), uint64(1))
	f.Add(3, 4, 2, 3, uint8(1), uint64(2))
	f.Add(1, 1, 1, 0, uint8(2), uint64(3))
	f.Fuzz(func(t *testing.T, n, m, p, i int, scheme uint8, seed uint64) {
		if n > 100000 || m > 1000 || p > 1000 {
			return
		}
		c := Config{Scheme: Schemes[int(scheme)%len(Schemes)], M: m, P: p}
		idx, err := Indices(n, c, i, NewRand(seed, 0))
		if err != nil {
			return
		}
		c = c.WithDefaults()
		if len(idx) != c.P || !sort.IntsAreSorted(idx) {
			t.Fatalf("Indices(%d, %+v, %d) = %v: want %d increasing frames", n, c, i, idx, c.P)
		}
		lo, hi := MainWindow(n, c.M, i)
		for _, x := range idx {
			if x < 0 || x >= n {
				t.Fatalf("frame %d outside a %d-frame video", x, n)
			}
			if c.Scheme == Dense && (x < lo || x >= hi) {
				t.Fatalf("dense frame %d outside the main window [%d, %d)", x, lo, hi)
			}
		}
	})
}
