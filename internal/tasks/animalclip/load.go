package animalclip

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/akspecies"
	"github.com/actrepro/actrepro/internal/data/textenc"
)

// Dataset is what every variant reads: the clips (labels and species), the
// frozen features and the graphs.
type Dataset struct {
	Source       string
	Fingerprint  string
	Classes      []string
	NumAnimals   int
	Train, Val   []akspecies.Item
	TrainX, ValX [][]float32 // per clip: the "video" feature (real: the description's embedding) [D] or frames [T*F]
	Frames       int         // frames per clip (1 on the real split)
	ClassX       [][]float32 // [NC][D] external-prompt features
	AnimalX      [][]float32 // [NA][D] animal-name features
	Shipped      *akspecies.Graph
	TrainGraph   *akspecies.Graph
	TrainCounts  []int // segment counts (train_light.csv on the real split)
	Notes        []string
}

// LoadReal reads the real split from root: the species files, the relation
// file, the class descriptions, the summaries and train_light.csv (for the
// head/middle/tail segments, lt_map's lists), and embeds the texts with an
// encoder fitted on the train descriptions, the class descriptions and the
// animal names (never on val text).
func LoadReal(root string, c DataConfig) (*Dataset, error) {
	r, err := akspecies.LoadReal(root)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, "animalkingdom")
	fp := &data.Fingerprinter{}
	fp.AddString("species", r.Fingerprint)
	sums, err := data.ReadSummaries(filepath.Join(dir, "summaries.csv"), fp)
	if err != nil {
		return nil, err
	}
	light, err := data.ReadAKSplit(filepath.Join(dir, "train_light.csv"), len(r.Classes), fp)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Source: "real", Classes: r.Classes, NumAnimals: len(r.Animals), Frames: 1, Shipped: r.Shipped,
		TrainCounts: data.LabelCounts(light, len(r.Classes))}
	ds.TrainGraph, err = akspecies.PairsGraph(r.Classes, r.Animals, r.TrainClips)
	if err != nil {
		return nil, err
	}
	ds.Train = subset(r.Train, c.MaxTrain, c.Seed)
	ds.Val = subset(r.Val, c.MaxVal, c.Seed+1)
	text := func(items []akspecies.Item) ([]string, int) {
		out := make([]string, len(items))
		miss := 0
		for i, it := range items {
			s, ok := sums[it.Video]
			if !ok {
				miss++
			}
			out[i] = s
		}
		return out, miss
	}
	trainT, mt := text(ds.Train)
	valT, mv := text(ds.Val)
	if mt+mv > 0 {
		ds.Notes = append(ds.Notes, fmt.Sprintf("%d train and %d val clips have no description in summaries.csv (empty text)", mt, mv))
	}
	corpus := append(append(append([]string(nil), trainT...), r.Descriptions...), r.Animals...)
	enc, err := textenc.Fit(corpus, c.Dim)
	if err != nil {
		return nil, err
	}
	ds.TrainX, ds.ValX = enc.EncodeAll(trainT), enc.EncodeAll(valT)
	ds.ClassX, ds.AnimalX = enc.EncodeAll(r.Descriptions), enc.EncodeAll(r.Animals)
	fp.AddString("subset", fmt.Sprintf("train %d val %d seed %d dim %d", len(ds.Train), len(ds.Val), c.Seed, c.Dim))
	ds.Fingerprint = fp.Sum()
	ds.Notes = append(ds.Notes,
		fmt.Sprintf("real Animal Kingdom split from Animal-CLIP's species files: %d train, %d val clips; labels = the species files' action sets", len(ds.Train), len(ds.Val)),
		fmt.Sprintf("text features: %s fitted on the train descriptions + class descriptions + animal names (a stand-in for CLIP's text tower); the clip's description embedding takes the place of the video feature", enc),
		fmt.Sprintf("graphs: shipped relation file %d pairs; train pairs only %d; shipped pairs not in train %d", r.Shipped.Edges(), ds.TrainGraph.Edges(), len(r.Shipped.Minus(ds.TrainGraph))))
	return ds, nil
}

// subset keeps max items (all when max is 0 or larger), a seeded sample in
// file order.
func subset(items []akspecies.Item, max int, seed int64) []akspecies.Item {
	if max == 0 || max >= len(items) {
		return items
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	idx := r.Perm(len(items))[:max]
	sort.Ints(idx)
	out := make([]akspecies.Item, max)
	for i, j := range idx {
		out[i] = items[j]
	}
	return out
}

// Labels returns the multi-hot labels of items.
func Labels(items []akspecies.Item, k int) [][]bool {
	out := make([][]bool, len(items))
	for i, it := range items {
		out[i] = make([]bool, k)
		for _, a := range it.Actions {
			out[i][a] = true
		}
	}
	return out
}

// SpeciesPredictor is the documented stand-in for a species recogniser:
// nearest centroid, by cosine, of the clip's description embedding among
// the mean train description embeddings of each animal (a clip counts
// toward each of its animals). It predicts one animal per clip; an animal
// never seen in train has no centroid and is never predicted.
type SpeciesPredictor struct {
	centroids [][]float64 // nil for unseen animals
}

// FitSpecies fits the predictor on train features and items.
func FitSpecies(x [][]float32, items []akspecies.Item, numAnimals int) *SpeciesPredictor {
	p := &SpeciesPredictor{centroids: make([][]float64, numAnimals)}
	for i, it := range items {
		for _, s := range it.Animals {
			if p.centroids[s] == nil {
				p.centroids[s] = make([]float64, len(x[i]))
			}
			for j, v := range x[i] {
				p.centroids[s][j] += float64(v)
			}
		}
	}
	for _, c := range p.centroids {
		if c == nil {
			continue
		}
		var n float64
		for _, v := range c {
			n += v * v
		}
		n = math.Sqrt(n)
		for j := range c {
			if n > 0 {
				c[j] /= n
			}
		}
	}
	return p
}

// Predict returns the animal whose centroid is nearest to x (ties: the
// lowest index).
func (p *SpeciesPredictor) Predict(x []float32) int {
	best, arg := math.Inf(-1), -1
	for s, c := range p.centroids {
		if c == nil {
			continue
		}
		var d float64
		for j, v := range x {
			d += float64(v) * c[j]
		}
		if d > best {
			best, arg = d, s
		}
	}
	return arg
}

// PredictAll replaces each item's species by the predicted one and reports
// the fraction of clips whose prediction is one of their true species.
func (p *SpeciesPredictor) PredictAll(x [][]float32, items []akspecies.Item) ([]akspecies.Item, float64) {
	out := make([]akspecies.Item, len(items))
	hit := 0
	for i, it := range items {
		s := p.Predict(x[i])
		for _, t := range it.Animals {
			if t == s {
				hit++
				break
			}
		}
		out[i] = akspecies.Item{Video: it.Video, Actions: it.Actions, Animals: []int{s}}
	}
	return out, float64(hit) / float64(max(1, len(items)))
}
