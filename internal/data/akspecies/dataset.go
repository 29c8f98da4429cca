package akspecies

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/actrepro/actrepro/internal/data"
)

// Item is a clip with its names resolved: the sorted distinct action ids
// (the clip's labels) and the sorted distinct animal ids (its species
// multi-hot, datasets/build.py:158-161 and 240-260).
type Item struct {
	Video   string
	Actions []int
	Animals []int
}

// Resolve maps the names of clips to indices of classes and animals. An
// unknown action or animal is an error naming file:line.
func Resolve(file string, clips []Clip, classes, animals []string) ([]Item, error) {
	ci := index(classes)
	ai := index(animals)
	out := make([]Item, len(clips))
	for i, c := range clips {
		acts, ans := map[int]bool{}, map[int]bool{}
		for _, p := range c.Pairs {
			a, ok := ci[p.Action]
			if !ok {
				return nil, perr(file, c.Line, "action %q is not a class of classes.csv", p.Action)
			}
			s, ok := ai[p.Animal]
			if !ok {
				return nil, perr(file, c.Line, "animal %q is not in animals.csv", p.Animal)
			}
			acts[a], ans[s] = true, true
		}
		out[i] = Item{Video: c.Video, Actions: keys(acts), Animals: keys(ans)}
	}
	return out, nil
}

func index(names []string) map[string]int {
	m := make(map[string]int, len(names))
	for i, n := range names {
		m[n] = i
	}
	return m
}

func keys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// Graph is the bipartite animal–action relation: Actions[s] lists the
// action ids linked to animal s (sorted). Animal-CLIP's adjacency is this
// relation in both directions plus a self-loop on every node, unnormalised
// (utils/tools.py:169-178, models/model_builder.py:61-69).
type Graph struct {
	NumAnimals, NumActions int
	Actions                [][]int
}

// Edges counts the (animal, action) pairs.
func (g *Graph) Edges() int {
	n := 0
	for _, a := range g.Actions {
		n += len(a)
	}
	return n
}

// Has says whether (animal, action) is an edge.
func (g *Graph) Has(animal, action int) bool {
	a := g.Actions[animal]
	i := sort.SearchInts(a, action)
	return i < len(a) && a[i] == action
}

// Dense returns the relation as a NumAnimals×NumActions 0/1 matrix.
func (g *Graph) Dense() [][]float32 {
	out := make([][]float32, g.NumAnimals)
	for s := range out {
		out[s] = make([]float32, g.NumActions)
		for _, a := range g.Actions[s] {
			out[s][a] = 1
		}
	}
	return out
}

// Minus returns the pairs of g that are not in h.
func (g *Graph) Minus(h *Graph) [][2]int {
	var out [][2]int
	for s, acts := range g.Actions {
		for _, a := range acts {
			if s >= h.NumAnimals || !h.Has(s, a) {
				out = append(out, [2]int{s, a})
			}
		}
	}
	return out
}

// GraphFromItems builds the relation from the (animal, action) pairs of
// clips: every animal of a clip is linked to every action of it. (Animal-CLIP
// built its file from train AND test pairs; pass only the train items to
// remove that leak.) Per-clip pairs, not the cross product, are what the
// shipped file holds; PairsGraph uses them.
func GraphFromItems(numAnimals, numActions int, items ...[]Item) *Graph {
	sets := make([]map[int]bool, numAnimals)
	for _, its := range items {
		for _, it := range its {
			for _, s := range it.Animals {
				if sets[s] == nil {
					sets[s] = map[int]bool{}
				}
				for _, a := range it.Actions {
					sets[s][a] = true
				}
			}
		}
	}
	return fromSets(numAnimals, numActions, sets)
}

func fromSets(na, nc int, sets []map[int]bool) *Graph {
	g := &Graph{NumAnimals: na, NumActions: nc, Actions: make([][]int, na)}
	for s := range sets {
		g.Actions[s] = keys(sets[s])
	}
	return g
}

// PairsGraph builds the relation from the exact (animal, action) pairs of
// the parsed clips (names resolved through classes and animals).
func PairsGraph(classes, animals []string, clips ...[]Clip) (*Graph, error) {
	ci, ai := index(classes), index(animals)
	sets := make([]map[int]bool, len(animals))
	for _, cs := range clips {
		for _, c := range cs {
			for _, p := range c.Pairs {
				a, ok1 := ci[p.Action]
				s, ok2 := ai[p.Animal]
				if !ok1 || !ok2 {
					return nil, fmt.Errorf("akspecies: pair (%q, %q) of video %s has an unknown name", p.Animal, p.Action, c.Video)
				}
				if sets[s] == nil {
					sets[s] = map[int]bool{}
				}
				sets[s][a] = true
			}
		}
	}
	return fromSets(len(animals), len(classes), sets), nil
}

// RelationGraph maps a parsed relation file onto the animals of animals.csv.
// Animal-CLIP numbers the graph's animal nodes in the relation file's order
// (utils/tools.py:171-175) but the species multi-hot in animals.csv's order
// (datasets/build.py:240-260); the two orders must agree, or the code pairs
// each clip with another animal's node. A difference is an error here.
func RelationGraph(file string, r *Relation, animals []string, k int) (*Graph, error) {
	if len(r.Animals) != len(animals) {
		return nil, perr(file, 0, "%d animals but animals.csv has %d", len(r.Animals), len(animals))
	}
	for i, a := range r.Animals {
		if a != animals[i] {
			return nil, perr(file, 0, "animal %d is %q but animals.csv's label %d is %q: the code would misalign graph nodes and species", i, a, i, animals[i])
		}
	}
	g := &Graph{NumAnimals: len(animals), NumActions: k, Actions: make([][]int, len(animals))}
	for i := range r.Actions {
		g.Actions[i] = append([]int(nil), r.Actions[i]...)
	}
	return g, nil
}

// Real is the species annotation of the real Animal Kingdom split.
type Real struct {
	Classes      []string
	Animals      []string
	Train, Val   []Item
	TrainClips   []Clip
	ValClips     []Clip
	Shipped      *Graph // the relation file as shipped (built from train AND val)
	Fingerprint  string
	Descriptions []string // class_descriptions.csv aligned with Classes
}

// LoadReal reads classes.csv, class_descriptions.csv, animals.csv, the two
// species files and the relation file from root/animalkingdom.
func LoadReal(root string) (*Real, error) {
	dir := filepath.Join(root, "animalkingdom")
	fp := &data.Fingerprinter{}
	classes, err := data.ReadAKClasses(filepath.Join(dir, "classes.csv"), fp)
	if err != nil {
		return nil, err
	}
	desc, err := data.ReadAKClassDescriptions(filepath.Join(dir, "class_descriptions.csv"), classes, fp)
	if err != nil {
		return nil, err
	}
	p := filepath.Join(dir, AnimalsFile)
	b, err := readFile(p, fp)
	if err != nil {
		return nil, err
	}
	animals, err := ParseAnimals(p, b)
	if err != nil {
		return nil, err
	}
	r := &Real{Classes: classes, Animals: animals, Descriptions: desc}
	for _, f := range []struct {
		name  string
		clips *[]Clip
		items *[]Item
	}{{TrainFile, &r.TrainClips, &r.Train}, {ValFile, &r.ValClips, &r.Val}} {
		p := filepath.Join(dir, f.name)
		b, err := readFile(p, fp)
		if err != nil {
			return nil, err
		}
		if *f.clips, err = ParsePairs(p, b); err != nil {
			return nil, err
		}
		if *f.items, err = Resolve(p, *f.clips, classes, animals); err != nil {
			return nil, err
		}
	}
	p = filepath.Join(dir, RelationFile)
	if b, err = readFile(p, fp); err != nil {
		return nil, err
	}
	rel, err := ParseRelation(p, b, len(classes))
	if err != nil {
		return nil, err
	}
	if r.Shipped, err = RelationGraph(p, rel, animals, len(classes)); err != nil {
		return nil, err
	}
	r.Fingerprint = fp.Sum()
	return r, nil
}
