package afsd

import "testing"

func TestANetGeometry(t *testing.T) {
	c := Config{FeatureDim: 4, Channels: 8, Groups: 2, Classes: 1, ClipLength: 768, Levels: 6, ANet: true}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	want := []int{96, 48, 24, 12, 6, 3}
	got := c.LevelLengths()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("levels %v, want %v (AFSD/anet/BDNet.py feat_t = 768 // 8)", got, want)
		}
	}
	if c.Points() != 189 || c.FPNStride(0) != 4 || c.FPNStride(5) != 128 {
		t.Errorf("points %d, strides %g..%g", c.Points(), c.FPNStride(0), c.FPNStride(5))
	}
	if (Config{ClipLength: 256}).FPNStride(3) != 1 {
		t.Error("THUMOS14 geometry has no fpn stride")
	}
}

// TestAssignTargetsANet: the per-level bounds keep long segments off the fine levels and
// short ones off the coarse levels; equal areas keep the first segment.
func TestAssignTargetsANet(t *testing.T) {
	c := Config{FeatureDim: 4, Channels: 8, Groups: 2, Classes: 2, ClipLength: 768, Levels: 6, ANet: true}
	long := Segment{Start: 100, End: 700, Label: 1}  // larger distance >= 300: levels 4 and 5 only
	short := Segment{Start: 380, End: 400, Label: 2} // larger distance <= 20: level 0 only
	_, conf := AssignTargetsANet(c, []Segment{long, short})
	pri := c.Priors()
	off := 0
	for lv, n := range c.LevelLengths() {
		for j := range n {
			p := pri[off+j] * 768
			got := conf[off+j]
			var want int32
			for k, s := range []Segment{short, long} { // shortest first
				l, r := p-s.Start, s.End-p
				if l >= 0 && r >= 0 && max(l, r) > ANetBounds[lv][0] && max(l, r) <= ANetBounds[lv][1] {
					want = int32(2 - k)
					break
				}
			}
			if got != want {
				t.Errorf("level %d point %d (frame %.1f): class %d, want %d", lv, j, p, got, want)
			}
		}
		off += n
	}
	// Level 0 has the short segment, levels 4-5 the long one, levels 1-3 neither inside it.
	count := func(lo, hi int, k int32) int {
		n := 0
		for _, v := range conf[lo:hi] {
			if v == k {
				n++
			}
		}
		return n
	}
	if count(0, 96, 2) == 0 || count(0, 96, 1) != 0 || count(96+48+24+12, 189, 1) == 0 || count(96, 96+48+24, 1) != 0 {
		t.Errorf("assignment per level: %v", conf)
	}
	if _, ok := ANetWindow([]Segment{{Start: 5, End: 5}}, 768); ok {
		t.Error("a window of empty segments was kept")
	}
	if w, ok := ANetWindow([]Segment{{Start: 0, End: 768, Label: 1}}, 768); !ok || w.Offset != 0 || len(w.Start) != 768 || w.Start[0] != 1 || w.End[767] != 1 {
		t.Errorf("window %+v", w)
	}
}
