package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/actrepro/actrepro/internal/runner"
)

// HashVersion is folded into every point's hash. Bump it when the meaning
// of a resolved config changes in a way that invalidates cached records.
const HashVersion = "1"

// Hash is the cache key of one point: a hex prefix of the SHA-256 of the
// canonical JSON of the experiment id, the resolved config, HashVersion and
// codeVersion (a task's own version string, "" when it has none). Map keys
// are sorted by encoding/json, so the hash does not depend on the order of
// keys in the file.
func Hash(experimentID string, config map[string]any, codeVersion string) string {
	b, err := json.Marshal(struct {
		V      string         `json:"v"`
		ID     string         `json:"id"`
		Code   string         `json:"code"`
		Config map[string]any `json:"config"`
	}{HashVersion, experimentID, codeVersion, config})
	if err != nil {
		// Specs reject NaN and Inf, the only values JSON cannot hold.
		b = []byte(fmt.Sprintf("%s|%s|%s|%#v", HashVersion, experimentID, codeVersion, config))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:16]
}

// Canonical renders a value for comparisons between spec values written
// differently: true and 1 are equal, 1 and 1.0 are equal.
func Canonical(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return strconv.Quote(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case []any:
		parts := make([]string, len(x))
		for i := range x {
			parts[i] = Canonical(x[i])
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Equal reports whether two spec values mean the same (see canonical).
func Equal(a, b any) bool { return Canonical(a) == Canonical(b) }

// FormatValue renders a value for labels and tables.
func FormatValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "—"
	}
	c := Canonical(v)
	if _, ok := v.(bool); ok {
		return fmt.Sprint(v)
	}
	return c
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, y := range x {
			m[k] = deepCopy(y)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i := range x {
			s[i] = deepCopy(x[i])
		}
		return s
	case []map[string]any:
		s := make([]any, len(x))
		for i := range x {
			s[i] = deepCopy(x[i])
		}
		return s
	}
	return v
}

// setPath sets a dotted key inside config, creating tables on the way.
func setPath(config map[string]any, key string, v any) error {
	parts := strings.Split(key, ".")
	m := config
	for i, p := range parts[:len(parts)-1] {
		next, ok := m[p]
		if !ok {
			n := map[string]any{}
			m[p] = n
			m = n
			continue
		}
		n, ok := next.(map[string]any)
		if !ok {
			return &KeyError{Key: strings.Join(parts[:i+1], "."), Msg: fmt.Sprintf("is %s, cannot set %s inside it", tomlType(next), key)}
		}
		m = n
	}
	m[parts[len(parts)-1]] = deepCopy(v)
	return nil
}

// GetPath returns the value at a dotted key of a resolved config.
func GetPath(config map[string]any, key string) (any, bool) {
	var cur any = config
	for _, p := range strings.Split(key, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// Expand resolves the points of scale: base sections, then the scale's
// overrides, then each grid point of the sweep (minus excluded ones) and
// each include entry. codeVersion is folded into the hashes (see Hash).
// Points come in grid order, the last axis varying fastest, then includes.
func (s *Spec) Expand(scale, codeVersion string) ([]runner.Point, error) {
	over, ok := s.Scales[scale]
	if !ok {
		return nil, &Error{File: s.Path, Key: "scale", Msg: fmt.Sprintf("no scale %q (the spec defines %s)", scale, strings.Join(s.ScaleNames(), ", "))}
	}
	base := map[string]any{}
	for _, root := range configRoots {
		base[root] = deepCopy(s.Sections[root])
	}
	axes := make([]Axis, len(s.Axes))
	copy(axes, s.Axes)
	for _, k := range sortedKeys(over) {
		if name, isAxis := strings.CutPrefix(k, "sweep."); isAxis {
			for i := range axes {
				if axes[i].Name == name {
					axes[i].Values, _ = asSlice(over[k])
				}
			}
			continue
		}
		if err := setPath(base, k, over[k]); err != nil {
			return nil, s.errAt("scale."+scale+"."+k, "%s", err.(*KeyError).Msg)
		}
	}
	var points []runner.Point
	seen := map[string]string{}
	add := func(config map[string]any, where, suffix string) error {
		if err := s.checkData(config, where); err != nil {
			return err
		}
		p := runner.Point{
			ExperimentID: s.Experiment.ID,
			Scale:        scale,
			Axes:         map[string]any{},
			Config:       config,
			Hash:         Hash(s.Experiment.ID, config, codeVersion),
		}
		var label []string
		for _, a := range s.Axes {
			if v, ok := GetPath(config, a.Name); ok {
				p.Axes[a.Name] = v
				label = append(label, a.Short+"="+FormatValue(v))
			}
		}
		p.Label = strings.Join(label, " ") + suffix
		if prev, dup := seen[p.Hash]; dup {
			return s.errAt(where, "resolves to the same run as %s", prev)
		}
		seen[p.Hash] = where
		points = append(points, p)
		return nil
	}
	// Grid.
	idx := make([]int, len(axes))
	if len(axes) > 0 {
	grid:
		for {
			config := deepCopy(base).(map[string]any)
			vals := map[string]any{}
			var where []string
			for i, a := range axes {
				v := a.Values[idx[i]]
				vals[a.Name] = v
				where = append(where, a.Short+"="+FormatValue(v))
				if err := setPath(config, a.Name, v); err != nil {
					return nil, s.errAt("sweep."+a.Name, "%s", err.(*KeyError).Msg)
				}
			}
			if !s.excluded(vals) {
				if err := add(config, "sweep point "+strings.Join(where, " "), ""); err != nil {
					return nil, err
				}
			}
			for i := len(axes) - 1; ; i-- {
				if i < 0 {
					break grid
				}
				idx[i]++
				if idx[i] < len(axes[i].Values) {
					break
				}
				idx[i] = 0
			}
		}
	}
	for i, inc := range s.Include {
		where := fmt.Sprintf("sweep.include[%d]", i)
		config := deepCopy(base).(map[string]any)
		for _, k := range sortedKeys(inc) {
			if err := setPath(config, k, inc[k]); err != nil {
				return nil, s.errAt(where+"."+k, "%s", err.(*KeyError).Msg)
			}
		}
		if err := add(config, where, " (include)"); err != nil {
			return nil, err
		}
	}
	if len(points) == 0 {
		return nil, s.errAt("sweep.exclude", "every point of scale %q is excluded", scale)
	}
	return points, nil
}

func (s *Spec) excluded(vals map[string]any) bool {
	for _, ex := range s.Exclude {
		match := true
		for k, v := range ex {
			if !Equal(vals[k], v) {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

func (s *Spec) checkData(config map[string]any, where string) error {
	data, _ := config["data"].(map[string]any)
	src, ok := data["source"].(string)
	if !ok || !contains(dataSources, src) {
		return s.errAt("data.source", "%s: want %q or %q, got %s", where, "synthetic", "real", tomlType(data["source"]))
	}
	return nil
}

// Locate turns a task's validation error for point p into an *Error that
// names the file and the line the offending value came from: the sweep
// axis, include entry or scale override that set it, else the base
// section. Other errors are returned with the spec's file name.
func (s *Spec) Locate(p runner.Point, err error) error {
	if err == nil {
		return nil
	}
	ke, ok := AsKeyError(err)
	if !ok {
		return &Error{File: s.Path, Msg: fmt.Sprintf("%s: %v", p.Label, err)}
	}
	msg := ke.Msg
	if p.Label != "" {
		msg = fmt.Sprintf("%s (point %s)", ke.Msg, p.Label)
	}
	for _, a := range s.Axes {
		if ke.Key == a.Name || strings.HasPrefix(ke.Key, a.Name+".") || strings.HasPrefix(ke.Key, a.Name+"[") {
			if _, over := s.Scales[p.Scale]["sweep."+a.Name]; over {
				return s.errAt("scale."+p.Scale+".sweep."+a.Name, "%s: %s", ke.Key, msg)
			}
			return s.errAt("sweep."+a.Name, "%s: %s", ke.Key, msg)
		}
	}
	for i, inc := range s.Include {
		if _, ok := inc[ke.Key]; ok && strings.HasSuffix(p.Label, "(include)") {
			return s.errAt(fmt.Sprintf("sweep.include[%d].%s", i, ke.Key), "%s", msg)
		}
	}
	for k := key(ke.Key); k != ""; k = k.parent() {
		if _, over := s.Scales[p.Scale][string(k)]; over {
			return s.errAt("scale."+p.Scale+"."+string(k), "%s: %s", ke.Key, msg)
		}
	}
	return s.errAt(ke.Key, "%s", msg)
}

type key string

func (k key) parent() key {
	i := strings.LastIndexAny(string(k), ".[")
	if i < 0 {
		return ""
	}
	return k[:i]
}
