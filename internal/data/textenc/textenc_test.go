package textenc

import (
	"math"
	"testing"
)

const normTol = 1e-5 // float32 rounding of an L2-normalised vector

func TestEncode(t *testing.T) {
	corpus := []string{"The cat is running.", "A bird is flying over water.", "The cat sleeps."}
	e := Fit(corpus, 64)
	tests := []struct {
		name, a, b string
		same       bool
	}{
		{"identical texts", "the cat runs", "the cat runs", true},
		{"case and punctuation ignored", "The CAT, runs!", "the cat runs", true},
		{"different texts", "the cat runs", "a bird flies", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			va, vb := e.Encode(tc.a), e.Encode(tc.b)
			eq := true
			for i := range va {
				if va[i] != vb[i] {
					eq = false
				}
			}
			if eq != tc.same {
				t.Errorf("Encode(%q)==Encode(%q) is %v, want %v", tc.a, tc.b, eq, tc.same)
			}
			var n float64
			for _, x := range va {
				n += float64(x) * float64(x)
			}
			if math.Abs(n-1) > normTol {
				t.Errorf("norm² %v, want 1", n)
			}
		})
	}
	if v := e.Encode("!!!"); v[0] != 0 || len(v) != 64 {
		t.Errorf("empty text: got %v", v[:4])
	}
}

func TestIDF(t *testing.T) {
	e := Fit([]string{"a b", "a c", "a"}, 8)
	// hand calculation: N=3, df(a)=3 -> ln(4/4)+1 = 1; df(b)=1 -> ln(4/2)+1.
	if got := e.IDF("a"); math.Abs(got-1) > 1e-12 {
		t.Errorf("IDF(a)=%v want 1", got)
	}
	if got, want := e.IDF("b"), math.Log(2)+1; math.Abs(got-want) > 1e-12 {
		t.Errorf("IDF(b)=%v want %v", got, want)
	}
}
