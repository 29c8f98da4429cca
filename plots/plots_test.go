package plots_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/cmpimg"

	"github.com/actrepro/actrepro/plots"
)

// TestGolden compares each example's PNG with its golden image
// (testdata/<name>_golden.png, made with `go test ./plots -run TestGolden -regen`
// and inspected by eye).
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name    string
		example func()
	}{
		{"boxplot.png", ExampleBoxPlot},
		{"bars.png", ExamplePaperVsMeasured},
		{"curves.png", ExampleCurves},
		{"pr.png", ExamplePrecisionRecall},
		{"confusion.png", ExampleConfusion},
		{"timeline.png", ExampleTimeline},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmpimg.CheckPlot(tc.example, t, tc.name)
		})
	}
}

func TestSaveWritesAllFormats(t *testing.T) {
	f, err := plots.Curves("t", "epoch", "loss", []plots.Series{{Name: "train", Y: []float64{3, 2, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(t.TempDir(), "sub", "fig")
	paths, err := f.Save(base)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 3 {
		t.Fatalf("Save wrote %v, want svg, png, pdf", paths)
	}
	magic := map[string][]byte{".svg": []byte("<?xml"), ".png": []byte("\x89PNG"), ".pdf": []byte("%PDF")}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if want := magic[filepath.Ext(p)]; !bytes.HasPrefix(b, want) {
			t.Errorf("%s starts with %q, want %q", p, b[:min(8, len(b))], want)
		}
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(base), ".*tmp*"))
	if len(left) != 0 {
		t.Errorf("temp files left behind: %v", left)
	}
}

func TestSVGHasLabelsAndLegend(t *testing.T) {
	f, err := plots.PaperVsMeasured("Table X", "mAP (%)", []plots.BarRow{{Label: "row A", Paper: 1, Measured: 2}}, plots.BarsOptions{MeasuredName: "measured (synthetic)"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Table X", "mAP (%)", "row A", "paper (reported)", "measured (synthetic)"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

func TestBadInputErrors(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		make func() error
		want string
	}{
		{"box no groups", func() error { _, err := plots.BoxPlot("b", "x", "y", nil, nil); return err }, "at least one group"},
		{"box group count", func() error {
			_, err := plots.BoxPlot("b", "x", "y", []string{"a", "b"}, []plots.BoxSeries{{Name: "s", Values: [][]float64{{1}}}})
			return err
		}, `series "s" has 1 groups`},
		{"box NaN", func() error {
			_, err := plots.BoxPlot("b", "x", "y", []string{"a"}, []plots.BoxSeries{{Name: "s", Values: [][]float64{{1, nan}}}})
			return err
		}, "s.Values[0][1]"},
		{"box all empty", func() error {
			_, err := plots.BoxPlot("b", "x", "y", []string{"a"}, []plots.BoxSeries{{Name: "s", Values: [][]float64{{}}}})
			return err
		}, "every group is empty"},
		{"bars none", func() error { _, err := plots.PaperVsMeasured("t", "y", nil, plots.BarsOptions{}); return err }, "no rows"},
		{"bars all NaN", func() error {
			_, err := plots.PaperVsMeasured("t", "y", []plots.BarRow{{Label: "r", Paper: nan, Measured: nan}}, plots.BarsOptions{})
			return err
		}, "every value is NaN"},
		{"curves lengths", func() error {
			_, err := plots.Curves("c", "x", "y", []plots.Series{{Name: "s", X: []float64{1}, Y: []float64{1, 2}}})
			return err
		}, "1 x values for 2 y values"},
		{"curves inf", func() error {
			_, err := plots.Curves("c", "x", "y", []plots.Series{{Name: "s", Y: []float64{math.Inf(1)}}})
			return err
		}, "s.Y[0]"},
		{"pr lengths", func() error {
			_, err := plots.PrecisionRecall("p", []plots.PRCurve{{Name: "c", Recall: []float64{1}}})
			return err
		}, "1 recall and 0 precision"},
		{"pr no positive", func() error { _, _, err := plots.PRPoints([]float64{1}, []bool{false}); return err }, "no positive"},
		{"confusion ragged", func() error {
			_, err := plots.Confusion("m", []string{"a", "b"}, [][]float64{{1, 2}, {3}}, false)
			return err
		}, "row 1 (b) has 1 columns"},
		{"confusion negative", func() error {
			_, err := plots.Confusion("m", []string{"a"}, [][]float64{{-1}}, false)
			return err
		}, "negative"},
		{"timeline reversed", func() error {
			_, err := plots.Timeline("t", 10, []plots.TimelineRow{{Name: "gt", Segments: []plots.Segment{{Class: "a", Start: 5, End: 2}}}})
			return err
		}, "bad interval [5, 2]"},
		{"render nil", func() error { var f *plots.Figure; _, err := f.SVG(); return err }, "nil figure"},
		{"save no ext", func() error {
			f, _ := plots.Curves("c", "x", "y", []plots.Series{{Name: "s", Y: []float64{1}}})
			return f.SaveAs(filepath.Join(t.TempDir(), "noext"))
		}, "no extension"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.make()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestConfusionZeroRowAndAllZero(t *testing.T) {
	if _, err := plots.Confusion("z", []string{"a", "b"}, [][]float64{{0, 0}, {0, 0}}, true); err != nil {
		t.Errorf("all-zero matrix: %v", err)
	}
}

func FuzzPRPoints(f *testing.F) {
	f.Add([]byte{3, 1, 2, 0, 2, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		n := len(b) / 2
		scores := make([]float64, n)
		pos := make([]bool, n)
		for i := 0; i < n; i++ {
			scores[i] = float64(b[2*i] % 8)
			pos[i] = b[2*i+1]%2 == 1
		}
		r, p, err := plots.PRPoints(scores, pos)
		if err != nil {
			return
		}
		for i := range r {
			if r[i] < 0 || r[i] > 1 || p[i] < 0 || p[i] > 1 || (i > 0 && r[i] < r[i-1]) {
				t.Fatalf("bad point %d: recall %v precision %v", i, r, p)
			}
		}
		if r[len(r)-1] != 1 {
			t.Fatalf("last recall %v, want 1", r[len(r)-1])
		}
	})
}
