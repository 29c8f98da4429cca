package stats

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzPaired checks that arbitrary paired samples never panic the tests and
// that every p-value returned lies in [0, 1].
func FuzzPaired(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		n := len(data) / 16
		a, b := make([]float64, n), make([]float64, n)
		for i := 0; i < n; i++ {
			a[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[16*i:]))
			b[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[16*i+8:]))
		}
		if tt, err := PairedTTest(a, b); err == nil && !math.IsNaN(tt.P) && !(tt.P >= 0 && tt.P <= 1) {
			t.Fatalf("t-test p = %v", tt.P)
		}
		if w, err := Wilcoxon(a, b); err == nil && !(w.P >= 0 && w.P <= 1) {
			t.Fatalf("Wilcoxon p = %v (%s)", w.P, w.Method)
		}
	})
}
