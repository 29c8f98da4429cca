package spec

import (
	"strings"
	"testing"
)

// seedSpec is a two-point spec with a seed, optionally a [seeds] section
// and extra sections.
func seedSpec(extra string) string {
	return `
[experiment]
id = "toy-seeds"
paper = "Toy"
table = "Table 1"
title = "seeds"
task = "toy"

[data]
dataset = "toy"
source = "synthetic"

[train]
seed = 10

[scale.smoke]
[scale.full]
train.seed = 20

[sweep]
model.layer = ["a", "b"]

[table]
columns = [{ label = "mAP", measured = "map" }]
` + extra
}

func TestExpandSeeds(t *testing.T) {
	three := Seeds{N: 3}
	list := Seeds{List: []int64{7, 3}}
	one := Seeds{N: 1}
	cases := []struct {
		name   string
		extra  string
		scale  string
		seeds  *Seeds
		labels []string
		seedOf []int64
	}{
		{"no [seeds]: one seed, labels unchanged", "", "smoke", nil,
			[]string{"layer=a", "layer=b"}, []int64{10, 10}},
		{"[seeds] count per scale, seed-major order", "[seeds]\nfull = 2\n", "full", nil,
			[]string{"layer=a seed=20", "layer=b seed=20", "layer=a seed=21", "layer=b seed=21"}, []int64{20, 20, 21, 21}},
		{"[seeds] names another scale only", "[seeds]\nfull = 2\n", "smoke", nil,
			[]string{"layer=a", "layer=b"}, []int64{10, 10}},
		{"[seeds] list", "[seeds]\nsmoke = [5, 1]\n", "smoke", nil,
			[]string{"layer=a seed=5", "layer=b seed=5", "layer=a seed=1", "layer=b seed=1"}, []int64{5, 5, 1, 1}},
		{"override count", "[seeds]\nsmoke = 5\n", "smoke", &three,
			[]string{"layer=a seed=10", "layer=b seed=10", "layer=a seed=11", "layer=b seed=11", "layer=a seed=12", "layer=b seed=12"},
			[]int64{10, 10, 11, 11, 12, 12}},
		{"override list", "", "smoke", &list,
			[]string{"layer=a seed=7", "layer=b seed=7", "layer=a seed=3", "layer=b seed=3"}, []int64{7, 7, 3, 3}},
		{"override back to one seed", "[seeds]\nsmoke = 5\n", "smoke", &one,
			[]string{"layer=a", "layer=b"}, []int64{10, 10}},
	}
	for _, c := range cases {
		s, err := Parse("seeds.toml", []byte(seedSpec(c.extra)))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ps, err := s.ExpandSeeds(c.scale, "v1", c.seeds)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(ps) != len(c.labels) {
			t.Fatalf("%s: %d points, want %d", c.name, len(ps), len(c.labels))
		}
		single, _ := s.Expand(c.scale, "v1")
		hashes := map[string]bool{}
		for i, p := range ps {
			seed, _ := GetPath(p.Config, "train.seed")
			if p.Label != c.labels[i] || seed != c.seedOf[i] {
				t.Errorf("%s: point %d is %q seed %v, want %q seed %d", c.name, i, p.Label, seed, c.labels[i], c.seedOf[i])
			}
			if p.Hash != Hash(s.Experiment.ID, p.Config, "v1") || hashes[p.Hash] {
				t.Errorf("%s: point %d: hash %s is not its config's or repeats", c.name, i, p.Hash)
			}
			hashes[p.Hash] = true
		}
		// A count starts at the point's own seed: the first seed's points
		// are the single-seed points, so their records are reused. A list
		// replaces the seed, so its first seed's points are new.
		list := (c.seeds != nil && len(c.seeds.List) > 0) || (c.seeds == nil && len(s.SeedsOf(c.scale).List) > 0)
		for i := range single {
			if same := ps[i].Hash == single[i].Hash; same == list {
				t.Errorf("%s: first-seed point %d has hash %s, the single-seed point %s (a list: %v)", c.name, i, ps[i].Hash, single[i].Hash, list)
			}
		}
	}
}

// TestSeedsGrow: 3 seeds then 5 seeds share the first three seeds' points.
func TestSeedsGrow(t *testing.T) {
	s, err := Parse("seeds.toml", []byte(seedSpec("")))
	if err != nil {
		t.Fatal(err)
	}
	p3, _ := s.ExpandSeeds("smoke", "v", &Seeds{N: 3})
	p5, _ := s.ExpandSeeds("smoke", "v", &Seeds{N: 5})
	old := map[string]bool{}
	for _, p := range p3 {
		old[p.Hash] = true
	}
	fresh := 0
	for _, p := range p5 {
		if !old[p.Hash] {
			fresh++
		}
	}
	if len(p3) != 6 || len(p5) != 10 || fresh != 4 {
		t.Errorf("3 seeds: %d points; 5 seeds: %d points, %d new; want 6, 10, 4 (two new seeds x two points)", len(p3), len(p5), fresh)
	}
}

func TestSeedsErrors(t *testing.T) {
	cases := []struct {
		name, extra, want string
		line              int
	}{
		{"unknown scale", "[seeds]\nhuge = 3\n", "seeds.huge: not a scale of this spec", 26},
		{"zero", "[seeds]\nsmoke = 0\n", "seeds.smoke: a seed count is 1..100, got 0", 26},
		{"too many", "[seeds]\nsmoke = 1000\n", "a seed count is 1..100", 26},
		{"float", "[seeds]\nsmoke = 2.5\n", "want a seed count (5) or a list of seeds ([1, 2, 3]), got float 2.5", 26},
		{"repeated seed", "[seeds]\nsmoke = [1, 2, 1]\n", "seed 1 repeats an earlier seed", 26},
		{"empty list", "[seeds]\nsmoke = []\n", "a seed list has 1..100 seeds, got 0", 26},
		{"string seed", "[seeds]\nsmoke = [1, \"2\"]\n", `seed 1 is string "2", want an integer`, 26},
		{"a table per scale", "[seeds.smoke]\nn = 3\n", "seeds.smoke: want a seed count (5) or a list of seeds ([1, 2, 3]), got", 25},
	}
	for _, c := range cases {
		_, err := Parse("seeds.toml", []byte(seedSpec(c.extra)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
			continue
		}
		if e, ok := err.(*Error); !ok || e.Line != c.line {
			t.Errorf("%s: error %v at line %d, want line %d", c.name, err, e.Line, c.line)
		}
	}
	// A seed axis and several seeds per point cannot both be.
	axis := strings.Replace(seedSpec(""), `model.layer = ["a", "b"]`, `model.layer = ["a", "b"]`+"\ntrain.seed = [1, 2]", 1)
	s, err := Parse("seeds.toml", []byte(axis))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ExpandSeeds("smoke", "", &Seeds{N: 2}); err == nil || !strings.Contains(err.Error(), "train.seed axis") {
		t.Errorf("seed axis with --seeds 2: %v", err)
	}
	if _, err := Parse("seeds.toml", []byte(axis+"[seeds]\nsmoke = 2\n")); err == nil || !strings.Contains(err.Error(), "train.seed axis") {
		t.Errorf("seed axis with [seeds]: %v", err)
	}
}

func TestParseSeeds(t *testing.T) {
	cases := []struct {
		in, want string
		count    int
		err      bool
	}{
		{"3", "3", 3, false},
		{" 5 ", "5", 5, false},
		{"1,4,9", "1,4,9", 3, false},
		{"1, 4", "1,4", 2, false},
		{"0", "", 0, true},
		{"101", "", 0, true},
		{"x", "", 0, true},
		{"1,1", "", 0, true},
		{"1,a", "", 0, true},
	}
	for _, c := range cases {
		ss, err := ParseSeeds(c.in)
		if (err != nil) != c.err {
			t.Errorf("ParseSeeds(%q): %v", c.in, err)
			continue
		}
		if err == nil && (ss.String() != c.want || ss.Count() != c.count) {
			t.Errorf("ParseSeeds(%q) = %s (%d), want %s (%d)", c.in, ss, ss.Count(), c.want, c.count)
		}
	}
}

// TestDerivedSeeds: a point without train.seed is not multiplied; its
// data.seeds, if any, takes the seeds (so its hash depends on them).
func TestDerivedSeeds(t *testing.T) {
	text := strings.Replace(strings.Replace(seedSpec(""), "[train]\nseed = 10\n", "", 1),
		`source = "synthetic"`, "source = \"synthetic\"\nseeds = 1", 1)
	s, err := Parse("derived.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	one, _ := s.ExpandSeeds("smoke", "", nil)
	three, err := s.ExpandSeeds("smoke", "", &Seeds{N: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(three) != 2 {
		t.Fatalf("%d points, want 2 (not multiplied)", len(three))
	}
	if v, _ := GetPath(three[0].Config, "data.seeds"); v != int64(3) || three[0].Hash == one[0].Hash {
		t.Errorf("data.seeds = %v, hash %s (one seed: %s): want 3 and a new hash", v, three[0].Hash, one[0].Hash)
	}
	for _, c := range []struct {
		v    any
		want string
		err  bool
	}{{nil, "1", false}, {int64(3), "3", false}, {float64(3), "3", false}, {[]any{float64(1), int64(4)}, "1,4", false},
		{2.5, "", true}, {"3", "", true}, {int64(0), "", true}} {
		ss, err := SeedsValue("data.seeds", c.v)
		if (err != nil) != c.err || (err == nil && ss.String() != c.want) {
			t.Errorf("SeedsValue(%#v) = %s, %v", c.v, ss, err)
		}
	}
}
