package kernel

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNotebooksConventions checks every notebook under notebooks/ without
// running it (make notebooks runs them): it is committed without outputs,
// runs on the "actrepro" kernel, and its first code cell is the parameters
// cell reading ACTREPRO_* through kernel.Parameters.
func TestNotebooksConventions(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	filepath.WalkDir(filepath.Join(root, "notebooks"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".ipynb") && !strings.Contains(p, ".ipynb_checkpoints") {
			paths = append(paths, p)
		}
		return nil
	})
	if len(paths) == 0 {
		t.Fatal("no notebooks under notebooks/")
	}
	type cell struct {
		CellType       string            `json:"cell_type"`
		Source         json.RawMessage   `json:"source"`
		Outputs        []json.RawMessage `json:"outputs"`
		ExecutionCount *int              `json:"execution_count"`
	}
	for _, p := range paths {
		rel, _ := filepath.Rel(root, p)
		t.Run(rel, func(t *testing.T) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var nb struct {
				Cells    []cell `json:"cells"`
				Metadata struct {
					Kernelspec struct {
						Name string `json:"name"`
					} `json:"kernelspec"`
				} `json:"metadata"`
			}
			if err := json.Unmarshal(b, &nb); err != nil {
				t.Fatalf("%s: not notebook JSON: %v", rel, err)
			}
			if nb.Metadata.Kernelspec.Name != "actrepro" {
				t.Errorf("%s: kernelspec %q, want \"actrepro\" (Go (actrepro))", rel, nb.Metadata.Kernelspec.Name)
			}
			first := ""
			for i, c := range nb.Cells {
				if c.CellType != "code" {
					continue
				}
				if len(c.Outputs) > 0 || c.ExecutionCount != nil {
					t.Errorf("%s: code cell %d has outputs: clear them before committing", rel, i)
				}
				if first == "" {
					first = source(c.Source)
				}
			}
			if !strings.Contains(first, "kernel.Parameters(") {
				t.Errorf("%s: the first code cell is not the parameters cell (kernel.Parameters); see notebooks/README.md", rel)
			}
		})
	}
}

// source joins a cell's source, stored as a string or a list of lines.
func source(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var lines []string
	json.Unmarshal(raw, &lines)
	return strings.Join(lines, "")
}
