package animalcliptwin

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/akspecies"
	"github.com/actrepro/actrepro/internal/data/textenc"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/tasks/animalclip"
)

// TaskName is the runner task of this package.
const TaskName = "animalclip-twin"

func init() { runner.Register(TaskName, Task{}) }

// Task runs one variant on the twin.
type Task struct{}

// Version is folded into the points' hashes.
func (Task) Version() string { return "animalclip-twin-1" }

// Validate decodes the point strictly; data.source must be "synthetic".
func (Task) Validate(p runner.Point) error {
	_, err := decode(p)
	return err
}

// decode reads the point as the "animalclip" task does, with data.source
// "synthetic" (the spec's word for a twin) mapped to that task's "twin".
func decode(p runner.Point) (animalclip.Config, error) {
	d, _ := p.Config["data"].(map[string]any)
	if src, _ := d["source"].(string); src != "synthetic" {
		return animalclip.Config{}, fmt.Errorf("data.source: %q, the twin task needs \"synthetic\"", src)
	}
	q := p
	q.Config = map[string]any{}
	for k, v := range p.Config {
		q.Config[k] = v
	}
	d2 := map[string]any{}
	for k, v := range d {
		d2[k] = v
	}
	d2["source"] = "twin"
	q.Config["data"] = d2
	return animalclip.Decode(q)
}

// Run builds the twin and runs the variant on it.
func (t Task) Run(ctx context.Context, p runner.Point, env runner.Env) (runner.Outcome, error) {
	c, err := decode(p)
	if err != nil {
		return runner.Outcome{}, err
	}
	root := data.DataRoot(env.DataRoot)
	if root == "" {
		return runner.Outcome{}, fmt.Errorf("the twin is built on the real species files: pass --data-root or set $%s", data.EnvDataRoot)
	}
	ds, err := Twin(root, c.Data)
	if err != nil {
		return runner.Outcome{}, err
	}
	return animalclip.RunOn(ctx, c, ds, env)
}

// Twin builds the feature-level twin on the real species annotation: a
// seeded subset of the real train/val clips keeps its real actions and
// species; the class and animal features are the real class descriptions
// and animal names through the offline text encoder; each clip gets
// Frames frame features of width FrameDim:
//
//	frame_t = Σ_{a ∈ clip, t ∈ window_a} (u_a + v_{s,a}) + n · ε_t,
//
// with u_a a class prototype, v_{s,a} a species-specific appearance of
// action a (one per (species, action) pair, as large as u_a: the
// intra-class variation across species that Animal-CLIP's species prompts
// address), window_a a random half of the frames, ε_t standard Gaussian
// and n = 0.5 + 2.5 · difficulty. Everything is drawn from data.seed.
func Twin(root string, c animalclip.DataConfig) (*animalclip.Dataset, error) {
	r, err := akspecies.LoadReal(root)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, "animalkingdom")
	light, err := data.ReadAKSplit(filepath.Join(dir, "train_light.csv"), len(r.Classes), nil)
	if err != nil {
		return nil, err
	}
	nTrain, nVal := c.MaxTrain, c.MaxVal
	if nTrain == 0 {
		nTrain = 4000
	}
	if nVal == 0 {
		nVal = 1500
	}
	ds := &animalclip.Dataset{Source: "synthetic", Classes: r.Classes, NumAnimals: len(r.Animals), Frames: c.Frames, Shipped: r.Shipped,
		TrainCounts: data.LabelCounts(light, len(r.Classes))}
	if ds.TrainGraph, err = akspecies.PairsGraph(r.Classes, r.Animals, r.TrainClips); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(uint64(c.Seed), 0x7714))
	pick := func(items []akspecies.Item, n int) []akspecies.Item {
		if n >= len(items) {
			return items
		}
		idx := rng.Perm(len(items))[:n]
		out := make([]akspecies.Item, n)
		for i, j := range idx {
			out[i] = items[j]
		}
		return out
	}
	ds.Train, ds.Val = pick(r.Train, nTrain), pick(r.Val, nVal)
	enc, err := textenc.Fit(append(append([]string(nil), r.Descriptions...), r.Animals...), c.Dim)
	if err != nil {
		return nil, err
	}
	ds.ClassX, ds.AnimalX = enc.EncodeAll(r.Descriptions), enc.EncodeAll(r.Animals)
	f, t := c.FrameDim, c.Frames
	gauss := func(g *rand.Rand) []float64 {
		v := make([]float64, f)
		for i := range v {
			v[i] = g.NormFloat64()
		}
		return v
	}
	protos := make([][]float64, len(r.Classes))
	for a := range protos {
		protos[a] = gauss(rng)
	}
	pair := func(s, a int) []float64 {
		return gauss(rand.New(rand.NewPCG(uint64(c.Seed)^0x9e3779b97f4a7c15, uint64(s*1000+a))))
	}
	noise := 0.5 + 2.5*c.Difficulty
	frames := func(it akspecies.Item) []float32 {
		x := make([]float64, t*f)
		for _, a := range it.Actions {
			start := rng.IntN(t - t/2 + 1)
			for _, s := range it.Animals {
				v := pair(s, a)
				for tt := start; tt < start+max(1, t/2); tt++ {
					for j := 0; j < f; j++ {
						x[tt*f+j] += (protos[a][j] + v[j]) / float64(len(it.Animals))
					}
				}
			}
		}
		out := make([]float32, t*f)
		for i := range x {
			out[i] = float32((x[i] + noise*rng.NormFloat64()) / math.Sqrt(float64(f)))
		}
		return out
	}
	for _, it := range ds.Train {
		ds.TrainX = append(ds.TrainX, frames(it))
	}
	for _, it := range ds.Val {
		ds.ValX = append(ds.ValX, frames(it))
	}
	fp := &data.Fingerprinter{}
	fp.AddString("species", r.Fingerprint)
	fp.AddString("twin", fmt.Sprintf("seed %d train %d val %d frames %d x %d difficulty %g dim %d", c.Seed, len(ds.Train), len(ds.Val), t, f, c.Difficulty, c.Dim))
	ds.Fingerprint = fp.Sum()
	ds.Notes = []string{
		"SYNTHETIC feature-level twin: real Animal Kingdom clips, classes, species and graph; the frames are planted features, not video",
		fmt.Sprintf("twin: %d train / %d val real clips (real actions, species, graph); %d frames × %d planted features per clip: class prototype + a species-specific appearance per (species, action), in a random half of the frames, noise %.2f", len(ds.Train), len(ds.Val), t, f, noise),
		fmt.Sprintf("class / animal features: %s over the real class descriptions and animal names", enc),
	}
	return ds, nil
}
