package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/harness"
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/table"
	"github.com/actrepro/actrepro/plots"

	_ "github.com/actrepro/actrepro/internal/tasks/demo" // the fixture spec's task
)

// fixture copies testdata/tree to a temporary checkout and adds what a
// run would have written: records of experiments/a/table1.toml at both
// scales (smoke on synthetic data, full marked real so that differences
// are coloured), figures, an executed notebook's HTML, and plots.
//
// Full-scale measured values against the paper's 50, 80 and 60:
// 50.5 (Δ 1%: close), 85 (6.25%: near), 90 (50%: far).
func fixture(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	err := filepath.WalkDir("testdata/tree", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("testdata/tree", p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return writeFile(filepath.Join(root, rel), b)
	})
	if err != nil {
		t.Fatal(err)
	}
	specPath := filepath.Join(root, "experiments/a/table1.toml")
	for _, sc := range []struct {
		scale, source string
		acc           []float64
		extra         map[string]any
	}{
		{"smoke", "synthetic", []float64{0.40, 0.70, 0.55}, nil},
		{"full", "real", []float64{0.505, 0.85, 0.90}, map[string]any{"figure_files": []any{"plots/orphan/claimed.svg"}}},
	} {
		_, _, points, err := harness.Prepare(specPath, sc.scale)
		if err != nil {
			t.Fatal(err)
		}
		if len(points) != 3 {
			t.Fatalf("%d points, want 3", len(points))
		}
		for i, p := range points {
			rec := &results.Record{
				Experiment: "fixture-a", Paper: "Paper A", Table: "Table 1", Task: "demo",
				Spec: "experiments/a/table1.toml", Hash: p.Hash, Scale: sc.scale, Label: p.Label,
				Axes: p.Axes, Config: p.Config, DataSource: sc.source, Backend: "purego",
				Commit: "0123456789abcdef0123456789abcdef01234567", Seconds: 1.5,
				Metrics: map[string]float64{"val_accuracy": sc.acc[i], "train_loss": 0.25},
			}
			if i == 0 {
				rec.Extra = sc.extra
			}
			if err := results.Write(results.Dir(filepath.Join(root, "results"), "fixture-a", sc.scale), rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	curves, err := plots.Curves("fixture curves", "epoch", "loss", []plots.Series{{Name: "train", Y: []float64{1, 0.5}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{"results/fixture-a/smoke/figures/curves", "plots/orphan/thing", "plots/orphan/claimed"} {
		if _, err := curves.Save(filepath.Join(root, base)); err != nil {
			t.Fatal(err)
		}
	}
	png, err := curves.PNG()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"plots/fixture-a/bars.png":              png, // a PNG-only figure: embedded as a data URI
		"results/notebooks/paper_a.html":        []byte("<html>executed</html>\n"),
		"results/fixture-a/smoke/figures/x.txt": []byte("not a figure\n"),
	} {
		if err := writeFile(filepath.Join(root, name), b); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func writeFile(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}

// htmlDoc is what the tests read back from the page.
type htmlDoc struct {
	links   []string          // href and src values
	ids     map[string]bool   // element ids
	classes []string          // class of every <td>, in order
	text    map[string]string // text of h1-h4 and banner divs, keyed by "tag: text"
	count   map[string]int    // start elements by name
}

// parseHTML reads the page with encoding/xml in its HTML mode (void
// elements auto-closed, HTML entities known): a page it cannot tokenize,
// or whose elements do not nest, fails the test.
func parseHTML(t *testing.T, b []byte) htmlDoc {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	doc := htmlDoc{ids: map[string]bool{}, text: map[string]string{}, count: map[string]int{}}
	var stack []string
	var capture *strings.Builder
	var captureKey string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("page does not tokenize: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(x.Name.Local)
			stack = append(stack, name)
			doc.count[name]++
			class := ""
			for _, a := range x.Attr {
				switch a.Name.Local {
				case "href", "src":
					doc.links = append(doc.links, a.Value)
				case "id":
					if doc.ids[a.Value] {
						t.Errorf("duplicate id %q", a.Value)
					}
					doc.ids[a.Value] = true
				case "class":
					class = a.Value
				}
			}
			if name == "td" {
				doc.classes = append(doc.classes, class)
			}
			if capture == nil && (name == "h1" || name == "h2" || name == "h3" || name == "h4" || strings.HasPrefix(class, "banner")) {
				capture, captureKey = &strings.Builder{}, name
				if strings.HasPrefix(class, "banner") {
					captureKey = "banner"
				}
			}
		case xml.EndElement:
			name := strings.ToLower(x.Name.Local)
			if len(stack) == 0 || stack[len(stack)-1] != name {
				t.Fatalf("</%s> closes <%s>", name, strings.Join(stack, "><"))
			}
			stack = stack[:len(stack)-1]
			if capture != nil && (name == captureKey || (captureKey == "banner" && name == "div")) {
				doc.text[captureKey+": "+strings.Join(strings.Fields(capture.String()), " ")] = captureKey
				capture = nil
			}
		case xml.CharData:
			if capture != nil {
				capture.Write(x)
			}
		}
	}
	if len(stack) != 0 {
		t.Errorf("unclosed elements: %v", stack)
	}
	return doc
}

func hasText(doc htmlDoc, prefix string) bool {
	for k := range doc.text {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

func TestPage(t *testing.T) {
	root := fixture(t)
	paths, err := Write(Options{Root: root, Commit: "abc123", Dirty: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 || filepath.Base(paths[0]) != HTMLFile || filepath.Base(paths[1]) != MarkdownFile {
		t.Fatalf("wrote %v", paths)
	}
	page, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, page)
	s := string(page)

	// Every spec is there: the fixture's table at both scales (full
	// first), and the spec that does not load, with its error.
	for _, want := range []string{
		"h3: Table 1: three hidden sizes",
		"h4: Scale full REAL",
		"h4: Scale smoke SYNTHETIC",
		"h3: experiments/bad/broken.toml",
		"banner: Real data (planted-signal).",
		"banner: SYNTHETIC DATA: measured values come from a synthetic twin (planted-signal)",
	} {
		if !hasText(doc, want) {
			t.Errorf("no %q in the page's headings and banners:\n%v", want, doc.text)
		}
	}
	if strings.Index(s, "Scale <code>full</code>") > strings.Index(s, "Scale <code>smoke</code>") {
		t.Error("scale full is not shown before smoke")
	}
	if doc.count["table"] != 2 {
		t.Errorf("%d tables, want 2 (one per scale)", doc.count["table"])
	}
	if !strings.Contains(s, `class="err"`) || !strings.Contains(s, "broken.toml") {
		t.Error("the spec that does not load is not reported")
	}

	// Differences: coloured by band on real data, never on synthetic.
	var bands []string
	for _, c := range doc.classes {
		if strings.HasPrefix(c, "d-") {
			bands = append(bands, c)
		}
	}
	if got, want := strings.Join(bands, " "), "d-close d-near d-far d-na d-na d-na"; got != want {
		t.Errorf("Δ cells %q, want %q (full: 1%%, 6.25%%, 50%% of the paper; smoke: synthetic)", got, want)
	}

	// Figures: SVGs inline, the PNG-only one as a data URI, the claimed
	// one moved from "Other" to the experiment whose record lists it.
	if n := strings.Count(s, "<svg"); n != 3 {
		t.Errorf("%d inline SVGs, want 3 (curves, claimed, thing)", n)
	}
	if !strings.Contains(s, `src="data:image/png;base64,`) {
		t.Error("the PNG-only figure is not embedded")
	}
	for _, id := range []string{"fig-results-fixture-a-smoke-figures-curves", "fig-plots-orphan-claimed", "fig-plots-fixture-a-bars", "fig-plots-orphan-thing", "other-figures"} {
		if !doc.ids[id] {
			t.Errorf("no element with id %q", id)
		}
	}
	if i, j := strings.Index(s, `id="fig-plots-orphan-claimed"`), strings.Index(s, `id="other-figures"`); i < 0 || j < 0 || i > j {
		t.Error("the claimed figure is not under its experiment (before Other figures)")
	}
	if strings.Contains(s, "x.txt") {
		t.Error("a non-figure file is listed as a figure")
	}
	if !strings.Contains(s, "@font-face{font-family:\"Liberation Serif\"") {
		t.Error("the figures' font is not embedded")
	}

	// Links: every relative link resolves from results/, every #anchor
	// exists; nothing is fetched from the network and there is no script.
	checkLinks(t, root, doc.links, doc.ids)
	if doc.count["script"] > 0 || regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).MatchString(s) {
		t.Error("the page loads something from the network or has a script")
	}
	for _, want := range []string{
		`href="../experiments/a/table1.toml"`, `href="../notebooks/paper_a.ipynb"`,
		`href="notebooks/paper_a.html"`, `href="fixture-a/full/"`, "abc123 (dirty", "Provenance: 3 run records; backend purego; commit 0123456789abcdef0123456789abcdef01234567; code unrecorded",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %s", want)
		}
	}

	// The Markdown twin: the same tables and banners, links that resolve.
	md, err := os.ReadFile(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"### Table 1: three hidden sizes",
		"#### Scale `full`: REAL data",
		"#### Scale `smoke`: SYNTHETIC data",
		"> **SYNTHETIC DATA: measured values come from a synthetic twin",
		"| hidden | paper row | val accuracy (%) (paper) | val accuracy (%) (measured) | Δ val accuracy (%) | train loss (measured) | flags |",
		"| 0 | 1 | 50.0 | 50.5 | +0.5 | 0.250 | — |",
		"![curves (scale smoke), SYNTHETIC](fixture-a/smoke/figures/curves.svg)",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("index.md lacks %q", want)
		}
	}
	var mdLinks []string
	for _, m := range regexp.MustCompile(`\]\(([^)]+)\)`).FindAllStringSubmatch(string(md), -1) {
		mdLinks = append(mdLinks, m[1])
	}
	checkLinks(t, root, mdLinks, map[string]bool{"exp-fixture-a": true, "exp-broken": true})

	// Deterministic: the same files give the same bytes.
	again, err := Collect(Options{Root: root, Commit: "abc123", Dirty: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.HTML(), page) || !bytes.Equal(again.Markdown(), md) {
		t.Error("a second rendering differs")
	}
}

// checkLinks fails for a relative link that does not resolve from the
// results directory, or an anchor without its element.
func checkLinks(t *testing.T, root string, links []string, ids map[string]bool) {
	t.Helper()
	if len(links) < 10 {
		t.Errorf("only %d links", len(links))
	}
	for _, l := range links {
		switch {
		case strings.HasPrefix(l, "data:"):
		case strings.HasPrefix(l, "#"):
			if !ids[l[1:]] {
				t.Errorf("link %s: no such id", l)
			}
		default:
			u, err := url.Parse(l)
			if err != nil || u.Scheme != "" {
				t.Errorf("link %q is not a relative path", l)
				continue
			}
			if u.Path == MarkdownFile || u.Path == HTMLFile {
				continue // the page's own twin, written beside it by WritePage
			}
			if _, err := os.Stat(filepath.Join(root, "results", filepath.FromSlash(u.Path))); err != nil {
				t.Errorf("link %q does not resolve: %v", l, err)
			}
		}
	}
}

func TestDiffBand(t *testing.T) {
	for _, tc := range []struct {
		paper, diff float64
		source      string
		want        string
	}{
		{80, 1.6, "real", "close"},   // exactly CloseRel
		{80, -1.7, "real", "near"},   // just beyond
		{80, 8, "real", "near"},      // exactly NearRel
		{80, 8.1, "real", "far"},     // beyond
		{0, 0, "real", "close"},      // a zero paper value matched
		{0, 0.1, "real", "far"},      // not matched
		{80, 0, "synthetic", "na"},   // synthetic measurements are not compared
		{80, 0, "mixed", "na"},       // nor mixed ones
		{-10, 0.15, "real", "close"}, // relative to |paper|
	} {
		c := tableCell(tc.paper, tc.diff)
		if got := diffBand(c, tc.source); got != tc.want {
			t.Errorf("paper %v, Δ %v, %s: band %q, want %q", tc.paper, tc.diff, tc.source, got, tc.want)
		}
	}
}

func TestEmptyCheckout(t *testing.T) {
	root := t.TempDir()
	p, err := Collect(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Papers) != 0 || p.Commit != "unknown" {
		t.Errorf("empty checkout: %+v", p)
	}
	doc := parseHTML(t, p.HTML())
	if doc.count["table"] != 0 || !hasText(doc, "h1: actrepro") {
		t.Errorf("empty page: %v", doc.text)
	}
}

func tableCell(paper, diff float64) table.Cell {
	return table.Cell{Paper: paper, HasMeasured: true, Measured: paper + diff, N: 1, HasDiff: true, Diff: diff}
}
