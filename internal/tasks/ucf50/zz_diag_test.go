package ucf50

import (
	"context"
	"testing"
)

func TestDiag(t *testing.T) {
	ds, err := Load(context.Background(), "/tmp/u/twin-15-0", []string{"WalkingWithDog", "TaiChi", "Swing", "HorseRace"}, 8, 32, nil)
	if err != nil {
		t.Skip(err)
	}
	c := ds.Clips
	n := c.clipSize()
	for k := 0; k < 4; k++ {
		var s [3]float64
		cnt := 0
		for i := 0; i < c.N; i++ {
			if c.Y[i] != k {
				continue
			}
			cnt++
			// bottom-half mean color
			for p := n / 2; p < n; p += 3 {
				for ch := 0; ch < 3; ch++ {
					s[ch] += float64(c.X[i*n+p+ch])
				}
			}
		}
		for ch := range s {
			s[ch] /= float64(cnt * (n / 2 / 3))
		}
		t.Logf("class %d: %d clips, mean %v", k, cnt, s)
	}
	t.Logf("Y=%v", c.Y)
	tr, va, te := Split(c.N, 0.25, 0.2, 27)
	cnt := func(idx []int) []int { h := make([]int, 4); for _, i := range idx { h[c.Y[i]]++ }; return h }
	t.Logf("train %v val %v test %v", cnt(tr), cnt(va), cnt(te))
}
