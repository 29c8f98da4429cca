package akspecies

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/actrepro/actrepro/internal/data"
)

// File names under <root>/animalkingdom.
const (
	TrainFile    = "species_train.txt"
	ValFile      = "species_val.txt"
	AnimalsFile  = "animals.csv"
	RelationFile = "animal_action_relation.txt"
)

// Pair is one (animal, action) annotation of a clip, as names.
type Pair struct{ Animal, Action string }

// Clip is one line of a species file: the video id (without ".mp4") and its
// pairs in file order.
type Clip struct {
	Video string
	Line  int
	Pairs []Pair
}

func perr(file string, line int, format string, args ...any) error {
	return &data.ParseError{File: file, Line: line, Reason: fmt.Sprintf(format, args...)}
}

// pairRE matches one ('Animal', 'Action') tuple. The files look like Python
// lists but are not (90 val lines hold names such as Russell's Viper with
// the apostrophe unescaped), so a tuple ends at the first "', '" and "')".
// The animal's opening quote is optional: species_train.txt:1106 lacks it
// ("(Portugese Man O'War', 'Keeping still')"), which Animal-CLIP's splitstr
// tolerates by stripping quotes (datasets/tools.py:12-15).
var pairRE = regexp.MustCompile(`\('?(.+?)', '(.+?)'\)`)

// ParsePairs parses the species file content b (name is used in errors):
// lines "video.mp4<TAB>[('Animal', 'Action'), ...]". Blank lines are
// skipped; a line whose list is not exactly a sequence of tuples, or that
// repeats a video, is an error.
func ParsePairs(name string, b []byte) ([]Clip, error) {
	var out []Clip
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		video, list, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, perr(name, n, "no tab between the video and its pairs")
		}
		video = strings.TrimSuffix(strings.TrimSpace(video), ".mp4")
		if video == "" {
			return nil, perr(name, n, "empty video id")
		}
		if prev, dup := seen[video]; dup {
			return nil, perr(name, n, "video %q repeated (first on line %d)", video, prev)
		}
		list = strings.TrimSpace(list)
		if !strings.HasPrefix(list, "[") || !strings.HasSuffix(list, "]") {
			return nil, perr(name, n, "pairs %q are not a [...] list", clip(list))
		}
		inner := list[1 : len(list)-1]
		locs := pairRE.FindAllStringSubmatchIndex(inner, -1)
		if len(locs) == 0 {
			return nil, perr(name, n, "no ('animal', 'action') pair in %q", clip(list))
		}
		c := Clip{Video: video, Line: n}
		end := 0
		for i, l := range locs {
			sep := inner[end:l[0]]
			if (i == 0 && sep != "") || (i > 0 && sep != ", ") {
				return nil, perr(name, n, "unexpected text %q between pairs", sep)
			}
			c.Pairs = append(c.Pairs, Pair{Animal: strings.TrimSpace(inner[l[2]:l[3]]), Action: strings.TrimSpace(inner[l[4]:l[5]])})
			end = l[1]
		}
		if end != len(inner) {
			return nil, perr(name, n, "unexpected text %q after the last pair", clip(inner[end:]))
		}
		seen[video] = n
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, perr(name, n+1, "%v", err)
	}
	if len(out) == 0 {
		return nil, perr(name, 0, "no clips")
	}
	return out, nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// ParseAnimals parses animals.csv: header "label,name", then "i,name" with
// i = 0, 1, ... in order. Names may contain commas only if quoted; this file
// has none, so a row must have exactly two fields.
func ParseAnimals(name string, b []byte) ([]string, error) {
	var out []string
	idx := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(strings.TrimRight(sc.Text(), "\r"))
		if line == "" {
			continue
		}
		if n == 1 && strings.HasPrefix(strings.ToLower(line), "label,") {
			continue
		}
		id, nm, ok := strings.Cut(line, ",")
		if !ok {
			return nil, perr(name, n, "want \"label,name\", got %q", clip(line))
		}
		i, err := strconv.Atoi(strings.TrimSpace(id))
		if err != nil {
			return nil, perr(name, n, "label %q is not an integer", id)
		}
		if i != len(out) {
			return nil, perr(name, n, "label %d out of order (want %d)", i, len(out))
		}
		nm = strings.TrimSpace(nm)
		if nm == "" {
			return nil, perr(name, n, "empty animal name")
		}
		if prev, dup := idx[nm]; dup {
			return nil, perr(name, n, "animal %q repeated (label %d)", nm, prev)
		}
		idx[nm] = i
		out = append(out, nm)
	}
	if len(out) == 0 {
		return nil, perr(name, 0, "no animals")
	}
	return out, nil
}

// Relation is the animal–action relation file: per animal (in the file's
// order) the sorted action ids seen with it.
type Relation struct {
	Animals []string
	Actions [][]int
}

// ParseRelation parses "name<TAB>[ids]<TAB>count" lines; count must equal
// the number of ids, every id must be in [0, k). Animal-CLIP reads it with
// eval and merges repeated animals (utils/tools.py:150-168); a repeated
// animal is merged here too.
func ParseRelation(name string, b []byte, k int) (*Relation, error) {
	r := &Relation{}
	pos := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, perr(name, n, "want 3 tab-separated fields (animal, [ids], count), got %d", len(f))
		}
		animal := strings.TrimSpace(f[0])
		if animal == "" {
			return nil, perr(name, n, "empty animal name")
		}
		list := strings.TrimSpace(f[1])
		if !strings.HasPrefix(list, "[") || !strings.HasSuffix(list, "]") {
			return nil, perr(name, n, "action ids %q are not a [...] list", clip(list))
		}
		var ids []int
		if in := strings.TrimSpace(list[1 : len(list)-1]); in != "" {
			for _, s := range strings.Split(in, ",") {
				v, err := strconv.Atoi(strings.TrimSpace(s))
				if err != nil {
					return nil, perr(name, n, "action id %q is not an integer", strings.TrimSpace(s))
				}
				if v < 0 || v >= k {
					return nil, perr(name, n, "action id %d out of range [0, %d)", v, k)
				}
				ids = append(ids, v)
			}
		}
		cnt, err := strconv.Atoi(strings.TrimSpace(f[2]))
		if err != nil {
			return nil, perr(name, n, "count %q is not an integer", f[2])
		}
		if cnt != len(ids) {
			return nil, perr(name, n, "count %d but %d action ids", cnt, len(ids))
		}
		if p, dup := pos[animal]; dup {
			r.Actions[p] = union(r.Actions[p], ids)
			continue
		}
		pos[animal] = len(r.Animals)
		r.Animals = append(r.Animals, animal)
		r.Actions = append(r.Actions, union(nil, ids))
	}
	if len(r.Animals) == 0 {
		return nil, perr(name, 0, "no animals")
	}
	return r, nil
}

func union(a, b []int) []int {
	set := map[int]bool{}
	for _, v := range a {
		set[v] = true
	}
	for _, v := range b {
		set[v] = true
	}
	out := make([]int, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	sort.Ints(out)
	return out
}

func readFile(path string, fp *data.Fingerprinter) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if fp != nil {
		fp.Add(path, b)
	}
	return b, nil
}
