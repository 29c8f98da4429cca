package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Spec is one experiment spec, decoded and checked.
type Spec struct {
	Path       string     // file as given to Load
	SHA256     string     // hex SHA-256 of the file's bytes (provenance)
	Experiment Experiment // [experiment]
	// Sections holds the base [data], [model] and [train] tables as decoded
	// by TOML (int64, float64, string, bool, []any, map[string]any).
	Sections map[string]map[string]any
	// Scales maps a scale name ("smoke", "full", ...) to its overrides,
	// flattened to dotted keys ("train.epochs" -> 3, "sweep.model.hidden" -> [4]).
	Scales  map[string]map[string]any
	Axes    []Axis           // [sweep] axes in file order
	Include []map[string]any // [[sweep.include]] entries, flattened dotted keys
	Exclude []map[string]any // [[sweep.exclude]] entries, keyed by full axis name
	Tables  []Table          // [table] or [[table]]
	Paper   Paper            // [paper]
	// Seeds maps a scale to its [seeds] entry (see Seeds); scales it does
	// not name run one seed.
	Seeds map[string]Seeds
	lines lineIndex
}

// Experiment is the [experiment] section.
type Experiment struct {
	ID      string `toml:"id,required"`    // directory name under results/, [a-z0-9][a-z0-9_-]*
	Paper   string `toml:"paper,required"` // short paper name, e.g. "ARTEMIS"
	Table   string `toml:"table,required"` // the paper's table or figure, e.g. "Table 1"
	Title   string `toml:"title,required"`
	Task    string `toml:"task,required"` // registered runner task that runs each point
	Note    string `toml:"note"`          // shown under the rendered table
	Backend string `toml:"backend"`       // default backend when neither --backend nor $GOMLX_BACKEND is set
	// Depends lists experiment ids whose records this one's task reads
	// (a derived table, e.g. paired tests over another table's runs);
	// reproduce runs them first.
	Depends []string `toml:"depends"`
}

// Axis is one named sweep axis: a dotted config key and its values.
type Axis struct {
	Name   string // full dotted key, e.g. "model.text_layer"
	Short  string // last part of Name when no other axis shares it, else Name
	Values []any
}

// Table says how records become a rendered table: which axes identify a
// row and which measured metric sits beside which paper column.
type Table struct {
	Name    string   `toml:"name"`  // default "table"; paper rows select it with table = "name"
	Title   string   `toml:"title"` // default: the experiment's title
	Rows    []string `toml:"rows"`  // axes (full or short names) forming a row key; default all axes
	Columns []Column `toml:"columns,required"`
	Note    string   `toml:"note"`
}

// Column pairs a paper value with a measured metric. Either may be empty
// (a paper-only or a measured-only column), not both.
type Column struct {
	Label    string  `toml:"label"`    // header; default the metric or paper key
	Paper    string  `toml:"paper"`    // key of the value in [paper] rows
	Measured string  `toml:"measured"` // key in the records' metrics
	Factor   float64 `toml:"factor"`   // measured values are multiplied by it (100 for percent); default 1
	Digits   int     `toml:"digits"`   // decimals shown; default 2
	Note     string  `toml:"note"`
}

// Paper is the [paper] section: the numbers the paper reports.
type Paper struct {
	Source string     // where the numbers were transcribed from
	Note   string     // e.g. "values are batch-micro mAP"
	Rows   []PaperRow // in the paper's order
}

// PaperRow is one row of a paper's table.
type PaperRow struct {
	Table  string         // name of the Table it belongs to
	Row    string         // the paper's row id or label ("row" key), may be empty
	Key    map[string]any // full axis name -> value
	Values map[string]any // paper column key -> float64 or string (as printed)
	Note   string         // anomaly or remark
	Line   int
}

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	topLevel     = []string{"experiment", "data", "model", "train", "scale", "sweep", "seeds", "table", "paper"}
	configRoots  = []string{"data", "model", "train"}
	dataSources  = []string{"synthetic", "real"}
	requiredScal = []string{"smoke", "full"}
)

// Load reads and checks the spec at path. Errors are *Error (file, line, key).
func Load(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	return Parse(path, b)
}

// Parse checks spec text; name is used in errors.
func Parse(name string, text []byte) (s *Spec, err error) {
	defer func() {
		// The TOML library is mature, but bad input must never crash the CLI.
		if r := recover(); r != nil {
			s, err = nil, &Error{File: name, Msg: fmt.Sprintf("cannot parse: %v", r)}
		}
	}()
	var raw map[string]any
	md, err := toml.Decode(string(text), &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: name, Line: pe.Position.Line, Key: pe.LastKey, Msg: pe.Message}
		}
		return nil, &Error{File: name, Msg: err.Error()}
	}
	sum := sha256.Sum256(text)
	s = &Spec{Path: name, SHA256: hex.EncodeToString(sum[:]), lines: indexLines(string(text))}
	if err := s.build(raw, md); err != nil {
		return nil, err
	}
	return s, nil
}

// errAt builds an Error for key.
func (s *Spec) errAt(key, format string, args ...any) error {
	return &Error{File: s.Path, Line: s.lines.Line(key), Key: key, Msg: fmt.Sprintf(format, args...)}
}

// wrap turns a KeyError into an Error located in the file.
func (s *Spec) wrap(err error) error {
	if ke, ok := AsKeyError(err); ok {
		return s.errAt(ke.Key, "%s", ke.Msg)
	}
	return err
}

// Line returns the line where dotted key (or its nearest ancestor) is written, or 0.
func (s *Spec) Line(key string) int { return s.lines.Line(key) }

func contains(list []string, x string) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

func (s *Spec) build(raw map[string]any, md toml.MetaData) error {
	for _, k := range sortedKeys(raw) {
		if !contains(topLevel, k) {
			return s.errAt(k, "unknown section (known: %s)", strings.Join(topLevel, ", "))
		}
	}
	if err := checkFinite(raw, ""); err != nil {
		return s.wrap(err)
	}
	// [experiment]
	expRaw, ok := raw["experiment"].(map[string]any)
	if !ok {
		if _, present := raw["experiment"]; present {
			return s.errAt("experiment", "want a table")
		}
		return s.errAt("experiment", "required section [experiment] is missing")
	}
	if err := DecodeStrict(expRaw, &s.Experiment, "experiment"); err != nil {
		return s.wrap(err)
	}
	if !idPattern.MatchString(s.Experiment.ID) {
		return s.errAt("experiment.id", "%q is not a valid id (lower-case letters, digits, '-' and '_')", s.Experiment.ID)
	}
	for i, d := range s.Experiment.Depends {
		if !idPattern.MatchString(d) || d == s.Experiment.ID {
			return s.errAt(fmt.Sprintf("experiment.depends[%d]", i), "%q is not another experiment's id", d)
		}
	}
	// [data] [model] [train]
	s.Sections = map[string]map[string]any{}
	for _, root := range configRoots {
		v, present := raw[root]
		if !present {
			if root == "data" {
				return s.errAt(root, "required section [data] is missing")
			}
			s.Sections[root] = map[string]any{}
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return s.errAt(root, "want a table, got %s", tomlType(v))
		}
		s.Sections[root] = m
	}
	for _, k := range []string{"dataset", "source"} {
		v, ok := s.Sections["data"][k]
		if !ok {
			return s.errAt("data."+k, "required key is missing")
		}
		if _, ok := v.(string); !ok {
			return s.errAt("data."+k, "want a string, got %s", tomlType(v))
		}
	}
	if err := s.buildSweep(raw, md); err != nil {
		return err
	}
	if err := s.buildScales(raw); err != nil {
		return err
	}
	if err := s.buildSeeds(raw); err != nil {
		return err
	}
	if err := s.buildTables(raw); err != nil {
		return err
	}
	if err := s.buildPaper(raw); err != nil {
		return err
	}
	// Resolve every scale now, so that validate catches bad overrides and
	// duplicate points without running anything.
	for _, sc := range s.ScaleNames() {
		if _, err := s.ExpandSeeds(sc, "", nil); err != nil {
			return err
		}
	}
	return nil
}

func checkFinite(v any, key string) error {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return &KeyError{Key: key, Msg: fmt.Sprintf("%v is not allowed in a spec (only finite numbers)", x)}
		}
	case map[string]any:
		for k, y := range x {
			if err := checkFinite(y, join(key, k)); err != nil {
				return err
			}
		}
	case []map[string]any:
		for i, y := range x {
			if err := checkFinite(y, fmt.Sprintf("%s[%d]", key, i)); err != nil {
				return err
			}
		}
	case []any:
		for i, y := range x {
			if err := checkFinite(y, fmt.Sprintf("%s[%d]", key, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// flatten turns nested tables into dotted keys; arrays are leaves.
func flatten(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		key := join(prefix, k)
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
			flatten(key, sub, out)
			continue
		}
		out[key] = v
	}
}

func underConfig(key string) bool {
	root, rest, ok := strings.Cut(key, ".")
	return ok && rest != "" && contains(configRoots, root)
}

func (s *Spec) buildSweep(raw map[string]any, md toml.MetaData) error {
	v, present := raw["sweep"]
	if !present {
		return s.errAt("sweep", "required section [sweep] is missing (a one-point experiment still names one axis, e.g. train.seed = [1])")
	}
	sw, ok := v.(map[string]any)
	if !ok {
		return s.errAt("sweep", "want a table, got %s", tomlType(v))
	}
	leaves := map[string]any{}
	for k, x := range sw {
		if k == "include" || k == "exclude" {
			continue
		}
		if sub, ok := x.(map[string]any); ok {
			flatten(k, sub, leaves)
		} else {
			leaves[k] = x
		}
	}
	// Axis order: as written in the file.
	order := map[string]int{}
	for i, k := range md.Keys() {
		if len(k) > 1 && k[0] == "sweep" {
			name := strings.Join(k[1:], ".")
			if _, seen := order[name]; !seen {
				order[name] = i
			}
		}
	}
	names := sortedKeys(leaves)
	sort.SliceStable(names, func(i, j int) bool { return order[names[i]] < order[names[j]] })
	for _, name := range names {
		key := "sweep." + name
		if !underConfig(name) {
			return s.errAt(key, "a sweep axis must name a key under data., model. or train.")
		}
		vals, ok := asSlice(leaves[name])
		if !ok {
			return s.errAt(key, "a sweep axis is an array of values, got %s", tomlType(leaves[name]))
		}
		if len(vals) == 0 {
			return s.errAt(key, "empty sweep axis")
		}
		seen := map[string]bool{}
		for i, v := range vals {
			c := Canonical(v)
			if seen[c] {
				return s.errAt(key, "value %d (%s) repeats an earlier value", i, c)
			}
			seen[c] = true
		}
		s.Axes = append(s.Axes, Axis{Name: name, Values: vals})
	}
	for i, a := range s.Axes {
		for j, b := range s.Axes {
			if i != j && strings.HasPrefix(b.Name, a.Name+".") {
				return s.errAt("sweep."+b.Name, "axis lies inside axis %s", a.Name)
			}
		}
	}
	shortCount := map[string]int{}
	for _, a := range s.Axes {
		shortCount[lastPart(a.Name)]++
	}
	for i := range s.Axes {
		s.Axes[i].Short = s.Axes[i].Name
		if sh := lastPart(s.Axes[i].Name); shortCount[sh] == 1 {
			s.Axes[i].Short = sh
		}
	}
	for _, which := range []string{"include", "exclude"} {
		x, ok := sw[which]
		if !ok {
			continue
		}
		entries, ok := x.([]map[string]any)
		if !ok {
			return s.errAt("sweep."+which, "want an array of tables ([[sweep.%s]]), got %s", which, tomlType(x))
		}
		for i, e := range entries {
			where := fmt.Sprintf("sweep.%s[%d]", which, i)
			if len(e) == 0 {
				return s.errAt(where, "empty entry")
			}
			flat := map[string]any{}
			flatten("", e, flat)
			out := map[string]any{}
			for k, v := range flat {
				name := k
				if a, ok := s.axisByName(k); ok {
					name = a.Name
				} else if which == "exclude" {
					return s.errAt(join(where, k), "not a sweep axis (axes: %s)", s.axisNames())
				} else if !underConfig(k) {
					return s.errAt(join(where, k), "neither a sweep axis nor a key under data., model. or train.")
				}
				if _, dup := out[name]; dup {
					return s.errAt(join(where, k), "given twice (as full and short axis name)")
				}
				out[name] = v
			}
			if which == "include" {
				s.Include = append(s.Include, out)
			} else {
				s.Exclude = append(s.Exclude, out)
			}
		}
	}
	if len(s.Axes) == 0 && len(s.Include) == 0 {
		return s.errAt("sweep", "empty sweep: name at least one axis (e.g. train.seed = [1]) or one [[sweep.include]]")
	}
	return nil
}

func lastPart(name string) string {
	if i := strings.LastIndex(name, "."); i >= 0 {
		return name[i+1:]
	}
	return name
}

// axisByName finds an axis by full or (unique) short name.
func (s *Spec) axisByName(name string) (Axis, bool) {
	for _, a := range s.Axes {
		if a.Name == name || a.Short == name {
			return a, true
		}
	}
	return Axis{}, false
}

func (s *Spec) axisNames() string {
	if len(s.Axes) == 0 {
		return "none"
	}
	var ns []string
	for _, a := range s.Axes {
		ns = append(ns, a.Short)
	}
	return strings.Join(ns, ", ")
}

func (s *Spec) buildScales(raw map[string]any) error {
	v, present := raw["scale"]
	sc, ok := v.(map[string]any)
	if !present || !ok {
		return s.errAt("scale", "required sections [scale.smoke] and [scale.full] are missing")
	}
	s.Scales = map[string]map[string]any{}
	for _, name := range sortedKeys(sc) {
		m, ok := sc[name].(map[string]any)
		if !ok {
			return s.errAt("scale."+name, "want a table of overrides, got %s", tomlType(sc[name]))
		}
		if !idPattern.MatchString(name) {
			return s.errAt("scale."+name, "scale names are lower-case words")
		}
		flat := map[string]any{}
		flatten("", m, flat)
		for k, v := range flat {
			key := "scale." + name + "." + k
			if strings.HasPrefix(k, "sweep.") {
				a, ok := s.axisByName(strings.TrimPrefix(k, "sweep."))
				if !ok {
					return s.errAt(key, "not a sweep axis (axes: %s)", s.axisNames())
				}
				vals, ok := asSlice(v)
				if !ok || len(vals) == 0 {
					return s.errAt(key, "an axis override is a non-empty array, got %s", tomlType(v))
				}
				delete(flat, k)
				flat["sweep."+a.Name] = vals
				continue
			}
			if !underConfig(k) {
				return s.errAt(key, "an override names a key under data., model., train. or sweep.")
			}
		}
		s.Scales[name] = flat
	}
	for _, name := range requiredScal {
		if _, ok := s.Scales[name]; !ok {
			return s.errAt("scale", "required section [scale.%s] is missing (it may be empty)", name)
		}
	}
	return nil
}

// ScaleNames lists the spec's scales, smoke and full first.
func (s *Spec) ScaleNames() []string {
	names := append([]string(nil), requiredScal...)
	for _, n := range sortedKeys(s.Scales) {
		if !contains(requiredScal, n) {
			names = append(names, n)
		}
	}
	return names
}

func (s *Spec) buildTables(raw map[string]any) error {
	v, present := raw["table"]
	if !present {
		return s.errAt("table", "required section [table] is missing")
	}
	var entries []map[string]any
	switch x := v.(type) {
	case map[string]any:
		entries = []map[string]any{x}
	case []map[string]any:
		entries = x
	default:
		return s.errAt("table", "want [table] or [[table]], got %s", tomlType(v))
	}
	names := map[string]bool{}
	for i, e := range entries {
		where := "table"
		if _, multi := v.([]map[string]any); multi {
			where = fmt.Sprintf("table[%d]", i)
		}
		var t Table
		if err := DecodeStrict(e, &t, where); err != nil {
			return s.wrap(err)
		}
		if t.Name == "" {
			t.Name = "table"
		}
		if names[t.Name] {
			return s.errAt(where+".name", "duplicate table name %q", t.Name)
		}
		names[t.Name] = true
		if t.Title == "" {
			t.Title = s.Experiment.Title
		}
		if t.Rows == nil {
			for _, a := range s.Axes {
				t.Rows = append(t.Rows, a.Name)
			}
		}
		for j, r := range t.Rows {
			a, ok := s.axisByName(r)
			if !ok {
				return s.errAt(fmt.Sprintf("%s.rows[%d]", where, j), "%q is not a sweep axis (axes: %s)", r, s.axisNames())
			}
			t.Rows[j] = a.Name
		}
		if len(t.Columns) == 0 {
			return s.errAt(where+".columns", "a table needs at least one column")
		}
		for j := range t.Columns {
			c := &t.Columns[j]
			ck := fmt.Sprintf("%s.columns[%d]", where, j)
			if c.Paper == "" && c.Measured == "" {
				return s.errAt(ck, "a column needs paper, measured or both")
			}
			if c.Factor == 0 {
				c.Factor = 1
			}
			if c.Digits == 0 && !digitsGiven(e, j) {
				c.Digits = 2 // unset; an explicit digits = 0 stays 0
			}
			if c.Digits < 0 || c.Digits > 12 {
				return s.errAt(ck+".digits", "digits must be 0..12")
			}
			if c.Label == "" {
				c.Label = c.Measured
				if c.Label == "" {
					c.Label = c.Paper
				}
			}
		}
		s.Tables = append(s.Tables, t)
	}
	return nil
}

func (s *Spec) table(name string) (*Table, bool) {
	for i := range s.Tables {
		if s.Tables[i].Name == name {
			return &s.Tables[i], true
		}
	}
	return nil, false
}

func (s *Spec) buildPaper(raw map[string]any) error {
	v, present := raw["paper"]
	if !present {
		return nil // a table may have no reported numbers (e.g. a new experiment)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return s.errAt("paper", "want a table, got %s", tomlType(v))
	}
	var hdr struct {
		Source string           `toml:"source,required"`
		Note   string           `toml:"note"`
		Rows   []map[string]any `toml:"rows"`
	}
	if err := DecodeStrict(m, &hdr, "paper"); err != nil {
		return s.wrap(err)
	}
	s.Paper.Source, s.Paper.Note = hdr.Source, hdr.Note
	for i, r := range hdr.Rows {
		where := fmt.Sprintf("paper.rows[%d]", i)
		pr := PaperRow{Table: s.Tables[0].Name, Key: map[string]any{}, Values: map[string]any{}, Line: s.lines.Line(where)}
		if tn, ok := r["table"]; ok {
			name, ok := tn.(string)
			if !ok {
				return s.errAt(where+".table", "want a string, got %s", tomlType(tn))
			}
			pr.Table = name
		}
		t, ok := s.table(pr.Table)
		if !ok {
			return s.errAt(where+".table", "no table named %q", pr.Table)
		}
		cols := map[string]bool{}
		for _, c := range t.Columns {
			if c.Paper != "" {
				cols[c.Paper] = true
			}
		}
		flat := map[string]any{}
		flatten("", r, flat)
		for _, k := range sortedKeys(flat) {
			val := flat[k]
			key := join(where, k)
			switch {
			case k == "table":
			case k == "note":
				n, ok := val.(string)
				if !ok {
					return s.errAt(key, "want a string, got %s", tomlType(val))
				}
				pr.Note = n
			case k == "row":
				switch x := val.(type) {
				case string:
					pr.Row = x
				case int64:
					pr.Row = fmt.Sprint(x)
				default:
					return s.errAt(key, "want a string or integer, got %s", tomlType(val))
				}
			case cols[k]:
				switch x := val.(type) {
				case int64:
					pr.Values[k] = float64(x)
				case float64, string:
					pr.Values[k] = x
				default:
					return s.errAt(key, "a paper value is a number (or a string as printed), got %s", tomlType(val))
				}
			default:
				a, ok := s.axisByName(k)
				if !ok {
					var known []string
					for c := range cols {
						known = append(known, c)
					}
					sort.Strings(known)
					return s.errAt(key, "neither a sweep axis (%s), a paper column of table %q (%s), nor row/note/table",
						s.axisNames(), t.Name, strings.Join(known, ", "))
				}
				pr.Key[a.Name] = val
			}
		}
		s.Paper.Rows = append(s.Paper.Rows, pr)
	}
	return nil
}

// digitsGiven reports whether column j of the raw table entry e sets digits.
func digitsGiven(e map[string]any, j int) bool {
	cols, _ := e["columns"].([]map[string]any)
	if cols == nil {
		if anys, ok := e["columns"].([]any); ok && j < len(anys) {
			m, _ := anys[j].(map[string]any)
			_, ok := m["digits"]
			return ok
		}
		return false
	}
	if j >= len(cols) {
		return false
	}
	_, ok := cols[j]["digits"]
	return ok
}
