package summary

import (
	"slices"
	"testing"
)

func TestLayerString(t *testing.T) {
	for _, c := range []struct {
		l    Layer
		want string
	}{
		{Layer{"conv_lstm2d", "ConvLSTM2D", []int{20, 62, 62, 4}, 1024}, "conv_lstm2d (ConvLSTM2D)\t(None, 20, 62, 62, 4)\t1,024"},
		{Layer{"flatten", "Flatten", []int{2880}, 0}, "flatten (Flatten)\t(None, 2880)\t0"},
		{Layer{"big", "Dense", nil, 1234567}, "big (Dense)\t(None)\t1,234,567"},
	} {
		if got := c.l.String(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestCommas(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 44524: "44,524", -73060: "-73,060", 1000000: "1,000,000"} {
		if got := Commas(n); got != want {
			t.Errorf("Commas(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCompare(t *testing.T) {
	rows := []Layer{{"dense", "Dense", []int{4}, 132}}
	paper := []string{"dense (Dense)\t(None, 4)\t132"}
	if d := Compare(rows, 132, paper, 132); d != nil {
		t.Fatalf("equal tables reported %v", d)
	}
	d := Compare(append(rows, Layer{"x", "X", nil, 1}), 133, []string{"dense (Dense)\t(None, 5)\t132"}, 132)
	want := []string{
		"2 layers, the paper's table has 1",
		`layer 0: got "dense (Dense)\t(None, 4)\t132", paper "dense (Dense)\t(None, 5)\t132"`,
		"total params 133, paper 132",
	}
	if !slices.Equal(d, want) {
		t.Fatalf("got %q\nwant %q", d, want)
	}
}
