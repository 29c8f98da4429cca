package report

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/spec"

	_ "github.com/actrepro/actrepro/internal/tasks" // every task of the repository's specs
)

// TestRepositoryPage builds the page of this checkout (in memory, nothing
// written): every spec under experiments/ loads and has its section and
// tables, every link resolves, and the committed full-scale figures are
// inlined.
func TestRepositoryPage(t *testing.T) {
	root := filepath.Join("..", "..")
	p, err := Collect(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range p.Problems {
		t.Errorf("problem: %s", pr)
	}
	specs, err := findFiles(filepath.Join(root, "experiments"), ".toml")
	if err != nil || len(specs) == 0 {
		t.Fatalf("specs: %v, %v", specs, err)
	}
	page := p.HTML()
	doc := parseHTML(t, page)
	for _, path := range specs {
		s, err := spec.Load(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		id := anchor(s.Experiment.ID)
		if !doc.ids[id] {
			t.Errorf("%s: no section %q", path, id)
			continue
		}
		section := string(page[strings.Index(string(page), `id="`+id+`"`):])
		section = section[:strings.Index(section, "</article>")]
		if n := strings.Count(section, `<table class="cmp">`); n < len(s.Tables) {
			t.Errorf("%s: %d tables on the page, want at least %d", path, n, len(s.Tables))
		}
	}
	checkLinks(t, root, doc.links, doc.ids)
	// The page prints cells as table.md does: every interval cell of a
	// committed table ("92.7 ± 3.1 (n=3)") appears on the page verbatim.
	mds, _ := filepath.Glob(filepath.Join(root, "results", "*", "full", "table.md"))
	cell := regexp.MustCompile(`-?[0-9.]+ ± [0-9.]+ \(n=[0-9]+\)`)
	for _, md := range mds {
		b, err := os.ReadFile(md)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cell.FindAllString(string(b), -1) {
			if !strings.Contains(string(page), c) {
				t.Errorf("%s: cell %q is not on the page", md, c)
			}
		}
	}
	if figs, _ := filepath.Glob(filepath.Join(root, "plots", "*", "*.svg")); len(figs) > 0 && strings.Count(string(page), "<svg") < len(figs) {
		t.Errorf("%d committed SVG figures, %d inlined", len(figs), strings.Count(string(page), "<svg"))
	}
}
