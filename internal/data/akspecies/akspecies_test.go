package akspecies

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
)

func TestParsePairs(t *testing.T) {
	in := "A.mp4\t[(Frog', 'Climbing')]\n\nB.mp4\t[('Russell's Viper', 'Eating'), ('Frog', 'Sensing')]\n"
	got, err := ParsePairs("f.txt", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Clip{
		{Video: "A", Line: 1, Pairs: []Pair{{"Frog", "Climbing"}}},
		{Video: "B", Line: 3, Pairs: []Pair{{"Russell's Viper", "Eating"}, {"Frog", "Sensing"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, in, want string
		parse          func(string, []byte) error
	}{
		{"no tab", "A.mp4 [('a', 'b')]\n", "f:1: no tab", pairs},
		{"not a list", "A.mp4\t('a', 'b')\n", "f:1: pairs", pairs},
		{"no pair", "A.mp4\t[]\n", "f:1: no (", pairs},
		{"junk between", "A.mp4\t[('a', 'b'); ('c', 'd')]\n", "f:1: unexpected text \"; \"", pairs},
		{"junk after", "A.mp4\t[('a', 'b'), x]\n", "f:1: unexpected text \", x\"", pairs},
		{"repeated video", "A.mp4\t[('a', 'b')]\nA.mp4\t[('a', 'b')]\n", "f:2: video \"A\" repeated (first on line 1)", pairs},
		{"empty file", "\n", "f: no clips", pairs},
		{"animal order", "label,name\n0,Frog\n2,Toad\n", "f:3: label 2 out of order", animals},
		{"animal dup", "label,name\n0,Frog\n1,Frog\n", "f:3: animal \"Frog\" repeated", animals},
		{"animal fields", "label,name\n0\n", "f:2: want", animals},
		{"rel fields", "Frog\t[1]\n", "f:1: want 3", relation},
		{"rel count", "Frog\t[1, 2]\t3\n", "f:1: count 3 but 2", relation},
		{"rel range", "Frog\t[1, 9]\t2\n", "f:1: action id 9 out of range", relation},
		{"rel id", "Frog\t[x]\t1\n", "f:1: action id \"x\"", relation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.parse("f", []byte(c.in))
			var pe *data.ParseError
			if err == nil || !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("got %v, want a ParseError starting %q", err, c.want)
			}
		})
	}
}

func pairs(n string, b []byte) error   { _, err := ParsePairs(n, b); return err }
func animals(n string, b []byte) error { _, err := ParseAnimals(n, b); return err }
func relation(n string, b []byte) error {
	_, err := ParseRelation(n, b, 5)
	return err
}

func TestResolveAndGraphs(t *testing.T) {
	classes := []string{"Climbing", "Eating", "Sensing"}
	an := []string{"Frog", "Toad"}
	clips, err := ParsePairs("s", []byte("A.mp4\t[('Frog', 'Climbing'), ('Toad', 'Eating')]\nB.mp4\t[('Toad', 'Sensing')]\n"))
	if err != nil {
		t.Fatal(err)
	}
	items, err := Resolve("s", clips, classes, an)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(items[0], Item{Video: "A", Actions: []int{0, 1}, Animals: []int{0, 1}}) {
		t.Fatalf("item 0 = %+v", items[0])
	}
	pg, err := PairsGraph(classes, an, clips)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pg.Actions, [][]int{{0}, {1, 2}}) || pg.Edges() != 3 {
		t.Fatalf("pairs graph %v", pg.Actions)
	}
	cg := GraphFromItems(2, 3, items)
	if !reflect.DeepEqual(cg.Actions, [][]int{{0, 1}, {0, 1, 2}}) {
		t.Fatalf("cross graph %v", cg.Actions)
	}
	if d := cg.Minus(pg); !reflect.DeepEqual(d, [][2]int{{0, 1}, {1, 0}}) {
		t.Fatalf("minus %v", d)
	}
	if _, err := Resolve("s", []Clip{{Video: "C", Line: 7, Pairs: []Pair{{"Newt", "Eating"}}}}, classes, an); err == nil || !strings.HasPrefix(err.Error(), "s:7: animal \"Newt\"") {
		t.Fatalf("unknown animal: %v", err)
	}
	if _, err := Resolve("s", []Clip{{Video: "C", Line: 8, Pairs: []Pair{{"Frog", "Flying"}}}}, classes, an); err == nil || !strings.HasPrefix(err.Error(), "s:8: action \"Flying\"") {
		t.Fatalf("unknown action: %v", err)
	}
	rel, err := ParseRelation("r", []byte("Toad\t[1]\t1\nFrog\t[0]\t1\n"), 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RelationGraph("r", rel, an, 3); err == nil || !strings.Contains(err.Error(), "misalign") {
		t.Fatalf("misaligned relation: %v", err)
	}
}

// realRoot is the data root of the real files, or "" (the test skips).
func realRoot(t *testing.T) string {
	root := data.DataRoot("")
	if root == "" {
		root = filepath.Join("..", "..", "..", "..", "shared", "data")
	}
	if _, err := os.Stat(filepath.Join(root, "animalkingdom", TrainFile)); err != nil {
		t.Skipf("real Animal Kingdom species files not found under %s (set %s)", root, data.EnvDataRoot)
	}
	return root
}

// TestReal checks the facts of the brief (section D) on the real files: the
// clip counts (24,003 and 6,096: the data README's 24,002 / 6,095 are `wc -l`
// counts of files without a final newline), 897 animals in the relation file's order, the shipped graph
// equals the pairs of train ∪ val, and how many of its pairs occur in val
// only.
func TestReal(t *testing.T) {
	r, err := LoadReal(realRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Train) != 24003 || len(r.Val) != 6096 || len(r.Animals) != 897 || len(r.Classes) != 140 {
		t.Fatalf("train %d val %d animals %d classes %d", len(r.Train), len(r.Val), len(r.Animals), len(r.Classes))
	}
	both, err := PairsGraph(r.Classes, r.Animals, r.TrainClips, r.ValClips)
	if err != nil {
		t.Fatal(err)
	}
	train, err := PairsGraph(r.Classes, r.Animals, r.TrainClips)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("shipped %d pairs, train∪val %d, train %d, shipped−train %d, train∪val−shipped %d",
		r.Shipped.Edges(), both.Edges(), train.Edges(), len(r.Shipped.Minus(train)), len(both.Minus(r.Shipped)))
	if r.Shipped.Edges() != 4860 || len(r.Shipped.Minus(train)) != 374 {
		t.Fatalf("shipped %d pairs with %d not in train, want 4860 and 374 (brief D)", r.Shipped.Edges(), len(r.Shipped.Minus(train)))
	}
}
