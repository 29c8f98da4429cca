package spec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/actrepro/actrepro/internal/runner"
)

// MaxSeeds bounds a seed count, to catch a typo (--seeds 500) before it
// queues days of runs.
const MaxSeeds = 100

// Seeds says how many runs, over which seeds, each point of a scale gets.
// Each seed is its own point: its own config (train.seed), hash and
// record, cached and resumable like any point.
//
//   - N consecutive seeds: base, base+1, ..., base+N−1, where base is the
//     point's own train.seed (the spec's, or --seed). The first seed is the
//     single-seed point itself, so going from 1 to 3 to 5 seeds reuses every
//     record already made and trains only the new seeds.
//   - List: exactly these seeds (the point's own train.seed is replaced).
//
// The zero value is one seed, the point's own.
type Seeds struct {
	N    int
	List []int64
}

// Count is the number of seeds per point.
func (ss Seeds) Count() int {
	if len(ss.List) > 0 {
		return len(ss.List)
	}
	if ss.N < 1 {
		return 1
	}
	return ss.N
}

// Of lists the seeds of a point whose own train.seed is base.
func (ss Seeds) Of(base int64) []int64 {
	if len(ss.List) > 0 {
		return append([]int64(nil), ss.List...)
	}
	out := make([]int64, ss.Count())
	for i := range out {
		out[i] = base + int64(i)
	}
	return out
}

// String is the form ParseSeeds reads: "3" or "1,4,9".
func (ss Seeds) String() string {
	if len(ss.List) == 0 {
		return strconv.Itoa(ss.Count())
	}
	parts := make([]string, len(ss.List))
	for i, s := range ss.List {
		parts[i] = strconv.FormatInt(s, 10)
	}
	return strings.Join(parts, ",")
}

// ParseSeeds reads a seed count ("5") or a comma-separated list of seeds
// ("1,4,9"), as --seeds takes them.
func ParseSeeds(text string) (Seeds, error) {
	text = strings.TrimSpace(text)
	if !strings.Contains(text, ",") {
		n, err := strconv.Atoi(text)
		if err != nil {
			return Seeds{}, fmt.Errorf("seeds %q: want a count (5) or a list of seeds (1,4,9)", text)
		}
		return seedCount(int64(n))
	}
	var list []any
	for _, p := range strings.Split(text, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil {
			return Seeds{}, fmt.Errorf("seeds %q: %q is not an integer seed", text, p)
		}
		list = append(list, v)
	}
	return seedList(list)
}

func seedCount(n int64) (Seeds, error) {
	if n < 1 || n > MaxSeeds {
		return Seeds{}, fmt.Errorf("a seed count is 1..%d, got %d", MaxSeeds, n)
	}
	return Seeds{N: int(n)}, nil
}

func seedList(vals []any) (Seeds, error) {
	if len(vals) == 0 || len(vals) > MaxSeeds {
		return Seeds{}, fmt.Errorf("a seed list has 1..%d seeds, got %d", MaxSeeds, len(vals))
	}
	seen := map[int64]bool{}
	var ss Seeds
	for i, v := range vals {
		s, ok := v.(int64)
		if !ok {
			return Seeds{}, fmt.Errorf("seed %d is %s, want an integer", i, tomlType(v))
		}
		if seen[s] {
			return Seeds{}, fmt.Errorf("seed %d repeats an earlier seed", s)
		}
		seen[s] = true
		ss.List = append(ss.List, s)
	}
	return ss, nil
}

// buildSeeds reads the optional [seeds] section: one key per scale, an
// integer count or a list of seeds, e.g.
//
//	[seeds]
//	smoke = 1
//	full = 5
//	code = [1, 2, 3]
//
// Scales it does not name run one seed.
func (s *Spec) buildSeeds(raw map[string]any) error {
	s.Seeds = map[string]Seeds{}
	v, present := raw["seeds"]
	if !present {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return s.errAt("seeds", "want a table of scale = count or list, got %s", tomlType(v))
	}
	for _, name := range sortedKeys(m) {
		key := "seeds." + name
		if _, ok := s.Scales[name]; !ok {
			return s.errAt(key, "not a scale of this spec (scales: %s)", strings.Join(s.ScaleNames(), ", "))
		}
		var ss Seeds
		var err error
		switch x := m[name].(type) {
		case int64:
			ss, err = seedCount(x)
		case []any:
			ss, err = seedList(x)
		default:
			err = fmt.Errorf("want a seed count (5) or a list of seeds ([1, 2, 3]), got %s", tomlType(x))
		}
		if err != nil {
			return s.errAt(key, "%v", err)
		}
		s.Seeds[name] = ss
	}
	return nil
}

// SeedsOf is the spec's [seeds] entry for scale (one seed when it has none).
func (s *Spec) SeedsOf(scale string) Seeds { return s.Seeds[scale] }

// ExpandSeeds is Expand with every point run at several seeds: seeds, or
// the spec's [seeds] entry for the scale when seeds is nil. Points come
// seed by seed (every point at the first seed, then every point at the
// second...), so a partial run already fills the whole table. With more
// than one seed each label ends in " seed=K".
//
// A point whose config has no train.seed (a task that trains nothing, e.g.
// a table derived from another experiment's records) is not multiplied; if
// it has data.seeds, that key is set to the seeds instead (a derived
// table's record then depends on which seeds it read).
func (s *Spec) ExpandSeeds(scale, codeVersion string, seeds *Seeds) ([]runner.Point, error) {
	points, err := s.Expand(scale, codeVersion)
	if err != nil {
		return nil, err
	}
	ss := s.SeedsOf(scale)
	where := "seeds." + scale
	if seeds != nil {
		ss, where = *seeds, "seeds"
	}
	if ss.Count() == 1 && len(ss.List) == 0 {
		return points, nil
	}
	if _, ok := s.axisByName("train.seed"); ok {
		return nil, s.errAt(where, "the sweep has a train.seed axis already; drop it or run one seed per point")
	}
	var out []runner.Point
	seen := map[string]string{}
	for k := 0; k < ss.Count(); k++ {
		for _, p := range points {
			v, seeded := GetPath(p.Config, "train.seed")
			if !seeded {
				if k > 0 {
					continue
				}
				if _, derived := GetPath(p.Config, "data.seeds"); derived {
					p = s.withValue(p, "data.seeds", ss.value(), codeVersion)
				}
				out = append(out, p)
				continue
			}
			base, ok := v.(int64)
			if !ok {
				return nil, s.errAt("train.seed", "want an integer seed to count seeds from, got %s", tomlType(v))
			}
			q := s.WithSeed(p, ss.Of(base)[k], codeVersion)
			if prev, dup := seen[q.Hash]; dup {
				return nil, s.errAt(where, "point %s resolves to the same run as %s", q.Label, prev)
			}
			seen[q.Hash] = q.Label
			out = append(out, q)
		}
	}
	return out, nil
}

// value is the seeds as a spec value: a count (int64) or a list ([]any).
func (ss Seeds) value() any {
	if len(ss.List) == 0 {
		return int64(ss.Count())
	}
	out := make([]any, len(ss.List))
	for i, s := range ss.List {
		out[i] = s
	}
	return out
}

// withValue is p with the dotted key set to v and its hash recomputed.
func (s *Spec) withValue(p runner.Point, key string, v any, codeVersion string) runner.Point {
	q := p
	q.Config = deepCopy(p.Config).(map[string]any)
	_ = setPath(q.Config, key, v) // key's parents are tables: GetPath found them or they are the sections
	q.Hash = Hash(s.Experiment.ID, q.Config, codeVersion)
	return q
}

// SeedsValue reads a data.seeds value of a derived task's config (see
// ExpandSeeds): an integer count or a list of seeds; nil is one seed.
func SeedsValue(key string, v any) (Seeds, error) {
	var ss Seeds
	var err error
	switch x := v.(type) {
	case nil:
		return Seeds{N: 1}, nil
	case int64:
		ss, err = seedCount(x)
	case float64: // read back from a record's JSON
		if x != float64(int64(x)) {
			return Seeds{}, Errorf(key, "want a seed count or a list of seeds, got %v", x)
		}
		ss, err = seedCount(int64(x))
	case []any:
		ints := make([]any, len(x))
		for i, e := range x {
			if f, ok := e.(float64); ok && f == float64(int64(f)) {
				e = int64(f)
			}
			ints[i] = e
		}
		ss, err = seedList(ints)
	default:
		err = fmt.Errorf("want a seed count or a list of seeds, got %s", tomlType(v))
	}
	if err != nil {
		return Seeds{}, Errorf(key, "%v", err)
	}
	return ss, nil
}

// WithSeed is point p run at another seed: its train.seed set to seed, its
// hash recomputed with codeVersion and " seed=K" appended to its label.
// The harness uses it to recognise the records of a current point made at
// seeds the current run did not ask for.
func (s *Spec) WithSeed(p runner.Point, seed int64, codeVersion string) runner.Point {
	q := s.withValue(p, "train.seed", seed, codeVersion)
	q.Label = strings.TrimSpace(fmt.Sprintf("%s seed=%d", p.Label, seed))
	return q
}
