package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/actrepro/actrepro/internal/atomicfile"
)

// Kind marks a JSON file as a record; other JSON files under a results
// directory are ignored by Load.
const Kind = "actrepro.record"

// Schema is the record layout version.
const Schema = 1

// Record is one run's result and provenance.
type Record struct {
	Kind            string         `json:"kind"`
	Schema          int            `json:"schema"`
	Experiment      string         `json:"experiment"` // spec [experiment] id
	Paper           string         `json:"paper"`
	Table           string         `json:"table"`
	Task            string         `json:"task"`
	Spec            string         `json:"spec"`        // spec path as run
	SpecSHA256      string         `json:"spec_sha256"` // hash of the spec file's bytes
	Hash            string         `json:"hash"`        // point hash: cache key and file name
	Scale           string         `json:"scale"`
	Label           string         `json:"label"`
	Axes            map[string]any `json:"axes"`
	Config          map[string]any `json:"config"`
	DataSource      string         `json:"data_source"` // "synthetic" or "real"
	DataFingerprint string         `json:"data_fingerprint"`
	Backend         string         `json:"backend"`
	Seed            int64          `json:"seed"`
	Commit          string         `json:"commit"` // git HEAD at run time, or "unknown"
	Dirty           bool           `json:"dirty"`  // the checkout had uncommitted changes (see GitCommit)
	// CodeVersion is the task's code version folded into Hash: its own
	// version name and a fingerprint of its package's and its imports'
	// source (internal/codever). Empty in records made before it existed.
	CodeVersion string `json:"code_version,omitempty"`
	// Upstream is set in the records of a derived experiment (one whose
	// spec's [experiment] depends names others): the digest of the
	// upstream records it was computed from (harness.UpstreamOf). A cached
	// derived record whose digest is not the upstream's current one is
	// run again. UpstreamRecords lists those records, "<experiment>/<hash>".
	Upstream        string               `json:"upstream,omitempty"`
	UpstreamRecords []string             `json:"upstream_records,omitempty"`
	Start           time.Time            `json:"start"`
	End             time.Time            `json:"end"`
	Seconds         float64              `json:"seconds"`
	Metrics         map[string]float64   `json:"-"`
	Curves          map[string][]float64 `json:"-"`
	Params          int64                `json:"params"`
	Notes           []string             `json:"notes,omitempty"`
	Extra           map[string]any       `json:"extra,omitempty"`
	GoVersion       string               `json:"go_version"`
	OS              string               `json:"os"`
	Arch            string               `json:"arch"`
	Cores           int                  `json:"cores"`
}

// number is a float64 that survives JSON when it is NaN or infinite
// (written as the strings "NaN", "+Inf", "-Inf"): a diverged run's NaN loss
// must be kept as NaN, never turned into 0 or dropped.
type number float64

func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return json.Marshal(f)
}

func (n *number) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*n = number(math.NaN())
	case `"+Inf"`:
		*n = number(math.Inf(1))
	case `"-Inf"`:
		*n = number(math.Inf(-1))
	default:
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			return err
		}
		*n = number(f)
	}
	return nil
}

type recordAlias Record

type recordJSON struct {
	*recordAlias
	Metrics map[string]number   `json:"metrics"`
	Curves  map[string][]number `json:"curves"`
}

// MarshalJSON writes metrics and curves with non-finite values as strings.
func (r Record) MarshalJSON() ([]byte, error) {
	out := recordJSON{recordAlias: (*recordAlias)(&r), Metrics: map[string]number{}, Curves: map[string][]number{}}
	for k, v := range r.Metrics {
		out.Metrics[k] = number(v)
	}
	for k, vs := range r.Curves {
		c := make([]number, len(vs))
		for i, v := range vs {
			c[i] = number(v)
		}
		out.Curves[k] = c
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Record) UnmarshalJSON(b []byte) error {
	in := recordJSON{recordAlias: (*recordAlias)(r)}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	r.Metrics = map[string]float64{}
	for k, v := range in.Metrics {
		r.Metrics[k] = float64(v)
	}
	r.Curves = map[string][]float64{}
	for k, vs := range in.Curves {
		c := make([]float64, len(vs))
		for i, v := range vs {
			c[i] = float64(v)
		}
		r.Curves[k] = c
	}
	return nil
}

// Dir is where the records of one experiment at one scale live.
func Dir(out, experiment, scale string) string {
	return filepath.Join(out, experiment, scale)
}

// Path is the file of the record with hash in dir.
func Path(dir, hash string) string { return filepath.Join(dir, hash+".json") }

// Exists reports whether dir holds a record for hash.
func Exists(dir, hash string) bool {
	st, err := os.Stat(Path(dir, hash))
	return err == nil && st.Mode().IsRegular()
}

// Write stores r as dir/<r.Hash>.json atomically: the JSON goes to a hidden
// temporary file in dir, is synced, then renamed over the final name, and
// the directory is synced, so a reader (or a resumed sweep) sees either the
// whole record or none.
func Write(dir string, r *Record) error {
	if r.Hash == "" {
		return errors.New("results: record has no hash")
	}
	r.Kind, r.Schema = Kind, Schema
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("results: encoding record %s: %w", r.Hash, err)
	}
	return WriteFileAtomic(Path(dir, r.Hash), append(b, '\n'))
}

// WriteFileAtomic writes data to path atomically (see package atomicfile).
func WriteFileAtomic(path string, data []byte) error { return atomicfile.Write(path, data) }

// CleanTemp removes temporary files left in dir by a killed writer and
// returns how many it removed.
func CleanTemp(dir string) int {
	matches, _ := filepath.Glob(filepath.Join(dir, atomicfile.TempPattern))
	n := 0
	for _, m := range matches {
		if os.Remove(m) == nil {
			n++
		}
	}
	return n
}

// Read reads one record file.
func Read(path string) (*Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if r.Kind != Kind {
		return nil, fmt.Errorf("%s: not an actrepro record (kind %q)", path, r.Kind)
	}
	if r.Schema > Schema {
		return nil, fmt.Errorf("%s: record schema %d is newer than this actrepro (%d)", path, r.Schema, Schema)
	}
	return &r, nil
}

// Load reads every record under dir (recursively), sorted by experiment,
// scale, label and hash. JSON files that are not records are skipped; a
// malformed record is an error naming its file. A missing dir is an error.
func Load(dir string) ([]Record, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	var recs []Record
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() || !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var probe struct {
			Kind string `json:"kind"`
		}
		if json.Unmarshal(b, &probe) != nil || probe.Kind != Kind {
			if probe.Kind == "" && !json.Valid(b) && strings.Contains(string(b), Kind) {
				return fmt.Errorf("%s: malformed record JSON", path)
			}
			return nil
		}
		r, err := Read(path)
		if err != nil {
			return err
		}
		recs = append(recs, *r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if a.Experiment != b.Experiment {
			return a.Experiment < b.Experiment
		}
		if a.Scale != b.Scale {
			return a.Scale < b.Scale
		}
		if a.Label != b.Label {
			return a.Label < b.Label
		}
		return a.Hash < b.Hash
	})
	return recs, nil
}

// GitCommit returns the commit checked out at dir and whether the work
// tree is dirty: it has uncommitted changes to tracked files, or untracked
// source files (.go, .s, .toml, go.mod, go.sum) that the commit lacks.
// Outputs do not count: anything under results/, and files under plots/
// other than Go source, are what runs write. commit is "unknown" when dir
// is not in a git checkout or git is absent.
func GitCommit(dir string) (commit string, dirty bool) {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown", false
	}
	commit = strings.TrimSpace(string(out))
	st, err := exec.Command("git", "-C", dir, "status", "--porcelain=v1", "-z", "--untracked-files=all").Output()
	if err != nil {
		return commit, true // cannot tell: not clean
	}
	return commit, DirtyStatus(st)
}

// DirtyStatus reads the output of `git status --porcelain=v1 -z
// --untracked-files=all` (paths relative to the repository root) by the
// rules of GitCommit.
func DirtyStatus(porcelain []byte) bool {
	entries := strings.Split(string(porcelain), "\x00")
	for i := 0; i < len(entries); i++ {
		e := entries[i]
		if len(e) < 4 {
			continue
		}
		xy, p := e[:2], e[3:]
		output := func(p string) bool {
			return strings.HasPrefix(p, "results/") || (strings.HasPrefix(p, "plots/") && !strings.HasSuffix(p, ".go"))
		}
		if (xy[0] == 'R' || xy[0] == 'C') && i+1 < len(entries) {
			i++ // the entry after a rename or copy is its source path
			if !output(entries[i]) {
				return true
			}
		}
		if output(p) {
			continue
		}
		if xy == "??" {
			base := p[strings.LastIndex(p, "/")+1:]
			switch {
			case strings.HasSuffix(base, ".go"), strings.HasSuffix(base, ".s"), strings.HasSuffix(base, ".toml"),
				base == "go.mod", base == "go.sum":
				return true
			}
			continue
		}
		return true
	}
	return false
}

// CommitChecker returns a function that reports whether a commit exists
// in the git repository holding dir (git cat-file -e), remembering its
// answers. When dir is not in a checkout, or git is absent, it says every
// commit exists: nothing can be checked, so nothing is flagged.
func CommitChecker(dir string) func(commit string) bool {
	if err := exec.Command("git", "-C", dir, "rev-parse", "--git-dir").Run(); err != nil {
		return func(string) bool { return true }
	}
	known := map[string]bool{}
	return func(commit string) bool {
		if commit == "" || commit == "unknown" {
			return false
		}
		ok, seen := known[commit]
		if !seen {
			ok = exec.Command("git", "-C", dir, "cat-file", "-e", commit+"^{commit}").Run() == nil
			known[commit] = ok
		}
		return ok
	}
}
