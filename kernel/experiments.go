package kernel

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/spec"
)

// Experiment is one spec under experiments/.
type Experiment struct {
	Path  string // relative to the checkout root, e.g. "experiments/demo/quickstart.toml"
	ID    string
	Paper string
	Table string // the paper's table or figure
	Title string
	Task  string
	Err   error // the spec does not load (the error names file, line and key)
}

// Experiments lists the specs under the checkout's experiments/ directory,
// sorted by path. A spec that fails to load is listed with its error rather
// than hiding the others.
func Experiments() ([]Experiment, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, "experiments")
	var out []Experiment
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".toml") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		e := Experiment{Path: filepath.ToSlash(rel)}
		s, err := spec.Load(path)
		if err != nil {
			e.Err = err
		} else {
			x := s.Experiment
			e.ID, e.Paper, e.Table, e.Title, e.Task = x.ID, x.Paper, x.Table, x.Title, x.Task
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("kernel: listing %s: %w", dir, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// ShowExperiments displays the list of experiments as a table.
func ShowExperiments() error {
	es, err := Experiments()
	if err != nil {
		return err
	}
	t := &Table{Title: "Experiments", Header: []string{"paper", "table", "title", "spec", "id"}}
	for _, e := range es {
		if e.Err != nil {
			t.Rows = append(t.Rows, []string{"?", "?", "does not load: " + e.Err.Error(), e.Path, ""})
			continue
		}
		t.Rows = append(t.Rows, []string{e.Paper, e.Table, e.Title, e.Path, e.ID})
	}
	t.Show()
	return nil
}
