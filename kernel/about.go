package kernel

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/gomlx/gomlx/backends"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
)

// Backends lists the GoMLX backends compiled into this program ("purego"
// is the project's CPU default; "xla" needs the PJRT plugin and a GPU).
func Backends() []string { return backends.List() }

// About shows where the notebook runs: checkout, commit, Go version, cores,
// the parameters, the backend they resolve to, the data root and the
// registered tasks. Notebooks call it in their second cell so an executed
// notebook records its own provenance.
func About(p Params) {
	root, err := Root()
	if err != nil {
		root = "? (" + err.Error() + ")"
	}
	commit, dirty := results.GitCommit(root)
	if dirty {
		commit += " (uncommitted changes)"
	}
	data := p.DataRoot
	switch {
	case data == "":
		data = "none: real-data experiments are skipped; synthetic twins only"
	default:
		if _, err := os.Stat(data); err != nil {
			data += " (MISSING)"
		}
	}
	rows := [][]string{
		{"checkout", root},
		{"commit", commit},
		{"Go", fmt.Sprintf("%s %s/%s, %d cores", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())},
		{"scale", p.Scale},
		{"backend", fmt.Sprintf("%s (compiled in: %s)", purego.Resolve(p.Backend), strings.Join(Backends(), ", "))},
		{"data root", data},
		{"seed", fmt.Sprint(p.Seed)},
		{"tasks", strings.Join(runner.Names(), ", ")},
		{"notebook", notebookDir()},
	}
	t := &Table{Title: "Environment", Header: []string{"", ""}, Rows: rows}
	t.Show()
}

func notebookDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "?"
	}
	if root, err := Root(); err == nil {
		if rel, err := filepath.Rel(root, wd); err == nil {
			return rel
		}
	}
	return wd
}

// ShowSpec displays the TOML text of the spec at path (relative to the
// checkout root), highlighted in a notebook, as is in a terminal.
func ShowSpec(path string) error {
	abs, err := resolve(path)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return fmt.Errorf("kernel: %w", err)
	}
	if InNotebook() {
		ShowMarkdown(fmt.Sprintf("`%s`\n\n```toml\n%s\n```", path, strings.TrimRight(string(b), "\n")))
		return nil
	}
	fmt.Fprintf(out(), "# %s\n%s", path, b)
	return nil
}
