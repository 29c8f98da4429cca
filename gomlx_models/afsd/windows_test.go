package afsd

import (
	"reflect"
	"testing"
)

func TestOffsets(t *testing.T) {
	cases := []struct {
		n, l, stride int
		want         []int
	}{
		{100, 256, 30, []int{0}},            // shorter than a window
		{256, 256, 128, []int{0}},           // exactly one window
		{300, 256, 30, []int{0, 30, 44}},    // last window aligned to the end
		{512, 256, 128, []int{0, 128, 256}}, // stride divides: no extra window
		{1697, 256, 128, append(seq(0, 1441, 128), 1441)},
	}
	for _, c := range cases {
		if got := Offsets(c.n, c.l, c.stride); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Offsets(%d, %d, %d) = %v, want %v", c.n, c.l, c.stride, got, c.want)
		}
	}
}

func seq(from, to, step int) []int {
	var out []int
	for v := from; v <= to; v += step {
		out = append(out, v)
	}
	return out
}

// TestTrainWindows: a window is kept only if it holds a whole segment (ioa against the
// one-based window [offset+1, offset+l]); it carries the segments covered by ioa >= 0.5,
// clipped into [1, l].
func TestTrainWindows(t *testing.T) {
	annos := []Segment{{Start: 10, End: 40, Label: 2}, {Start: 250, End: 290, Label: 5}}
	ws := TrainWindows(320, annos, 256, 30)
	// Offsets 0, 30, 60: the first segment fits in window 0 only ([1, 256] holds [10, 40]);
	// [250, 290] fits in windows 60 ([61, 316]) and 64 (the end-aligned one, [65, 320]).
	var offs []int
	for _, w := range ws {
		offs = append(offs, w.Offset)
	}
	if !reflect.DeepEqual(offs, []int{0, 60, 64}) {
		t.Fatalf("kept offsets %v, want [0 60 64]", offs)
	}
	// Window 0 also carries [250, 256] of the second segment? ioa = 6/40 < 0.5: no.
	if len(ws[0].Annos) != 1 || ws[0].Annos[0] != (Segment{Start: 10, End: 40, Label: 2}) {
		t.Errorf("window 0 annos %v", ws[0].Annos)
	}
	if got := ws[1].Annos; len(got) != 1 || got[0] != (Segment{Start: 190, End: 230, Label: 5}) {
		t.Errorf("window 60 annos %v", got)
	}
	// Boundary masks: width max(30/10, 2) = 3 around 10 → frames round(8.5)=8 .. round(11.5)=12.
	for i, v := range ws[0].Start {
		want := float32(0)
		if i >= 8 && i <= 12 {
			want = 1
		}
		if v != want {
			t.Fatalf("start mask[%d] = %v, want %v", i, v, want)
		}
	}
}

// TestSoftNMSQuirk: with the quirk the last remaining candidate is dropped, even when it does
// not overlap anything; without it every candidate above the threshold is kept.
func TestSoftNMSQuirk(t *testing.T) {
	boxes := []Box{{Start: 0, End: 10, Score: 0.9, Class: 1}, {Start: 20, End: 30, Score: 0.5, Class: 1}, {Start: 40, End: 50, Score: 0.2, Class: 1}}
	cases := []struct {
		quirk bool
		want  int
	}{{true, 2}, {false, 3}}
	for _, c := range cases {
		got := SoftNMS(boxes, 0.5, NMSScoreThresh, TopK, c.quirk)
		if len(got) != c.want {
			t.Errorf("quirk %v: kept %d, want %d", c.quirk, len(got), c.want)
		}
		for i, b := range got {
			if b.Score != boxes[i].Score { // disjoint boxes: no decay
				t.Errorf("quirk %v: box %d score %v, want %v", c.quirk, i, b.Score, boxes[i].Score)
			}
		}
	}
	if got := SoftNMS(boxes[:1], 0.5, NMSScoreThresh, TopK, true); len(got) != 0 {
		t.Errorf("quirk with one candidate: kept %v, want none (AFSD's loop never runs)", got)
	}
}

// TestDecode: a point whose refined distances are known decodes to the expected seconds, with
// the fused score and the window offset; scores at or under the threshold are dropped.
func TestDecode(t *testing.T) {
	c := Config{FeatureDim: 1, Channels: 2, Groups: 1, Classes: 2, ClipLength: 16, Levels: 2}
	P := c.Points() // 4 + 2
	r := Raw{Loc: make([]float32, 2*P), Conf: make([]float32, 3*P), PropLoc: make([]float32, 2*P), PropConf: make([]float32, 3*P), Center: make([]float32, P)}
	for i := range P {
		r.Loc[2*i], r.Loc[2*i+1] = 1, 1
		r.Conf[3*i] = 10 // background wins everywhere...
		r.PropConf[3*i] = 10
		r.Center[i] = -20
	}
	// ...except point 1 (centre (1.5/4)·16 = 6), class 2, coarse [6-2, 6+4], refined by
	// 0.5·6·(0.5, -0.5) → distances 3.5 and 2.5 → frames [2.5, 8.5].
	r.Loc[2], r.Loc[3] = 2, 4
	r.PropLoc[2], r.PropLoc[3] = 0.5, -0.5
	r.Conf[3] = 0
	r.Conf[5] = 10
	r.PropConf[3] = 0
	r.PropConf[5] = 10
	r.Center[1] = 20
	got := Decode(c, r, 100, 10, ConfThresh)
	if len(got) != 1 {
		t.Fatalf("decoded %v, want one box", got)
	}
	b := got[0]
	if b.Class != 2 || abs(b.Start-10.25) > 1e-9 || abs(b.End-10.85) > 1e-9 || b.Score < 0.99 {
		t.Errorf("box %+v, want class 2 [10.25, 10.85] score ~1", b)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestVideoDetectionsPreTopK: the cap keeps each class's best candidates only, before soft-NMS;
// 0 keeps all; classes are separate; output is by class, then descending score.
func TestVideoDetectionsPreTopK(t *testing.T) {
	var cands []Box
	for i := range 6 { // disjoint boxes: soft-NMS decays nothing
		cands = append(cands, Box{Start: float64(10 * i), End: float64(10*i + 5), Score: 0.1 * float64(i+1), Class: 1 + i%2})
	}
	cases := []struct {
		pre  int
		want []float64 // scores, class 1 then class 2
	}{
		{0, []float64{0.5, 0.3, 0.6, 0.4}}, // quirk drops each class's last (lowest) box
		{2, []float64{0.5, 0.6}},           // 2 per class kept, then the quirk drops one
		{3, []float64{0.5, 0.3, 0.6, 0.4}}, // 3 per class = all
	}
	for _, c := range cases {
		got := VideoDetections(cands, 2, 0.5, TopK, c.pre, true)
		var scores []float64
		for _, b := range got {
			scores = append(scores, float64(int(b.Score*10+0.5))/10)
		}
		if !reflect.DeepEqual(scores, c.want) {
			t.Errorf("pre %d: scores %v, want %v", c.pre, scores, c.want)
		}
	}
}
