package ucf50

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/runner"
)

// SkipIndices are the frames the authors' frames_extraction reads from a
// video of t frames: skip = max(t/n, 1), frames 0, skip, 2*skip, ... A
// video with fewer than n frames yields fewer than n frames, and the
// authors' code drops it (ok is false).
func SkipIndices(t, n int) (idx []int, ok bool) {
	if t < n || n < 1 {
		return nil, false
	}
	skip := max(t/n, 1)
	idx = make([]int, n)
	for i := range idx {
		idx[i] = i * skip
	}
	return idx, true
}

// Dataset is the decoded clips of a UCF50 directory with provenance.
type Dataset struct {
	Clips       *Clips
	Source      string // "synthetic" or "real"
	Dir         string
	Fingerprint string
	Dropped     []string // videos shorter than the sequence length, skipped as the authors' code does
}

// lastLoad keeps the most recent Load result, so that the points of one
// sweep (the two models) decode the same videos once per process.
var lastLoad struct {
	sync.Mutex
	key string
	ds  *Dataset
}

// LoadCached is Load, reusing the previous result when dir (whose listing
// fingerprint must be unchanged), classes, n and size are the same.
func LoadCached(ctx context.Context, dir string, classes []string, n, size int, progress runner.Progress) (*Dataset, error) {
	u, err := data.LoadUCF50(dir)
	if err != nil {
		return nil, fmt.Errorf("ucf50: listing %s: %w", dir, err)
	}
	key := fmt.Sprintf("%s|%v|%d|%d|%s", dir, classes, n, size, u.Fingerprint)
	lastLoad.Lock()
	defer lastLoad.Unlock()
	if lastLoad.key == key {
		return lastLoad.ds, nil
	}
	lastLoad.key, lastLoad.ds = "", nil // free the old clips before decoding new ones
	ds, err := Load(ctx, dir, classes, n, size, progress)
	if err != nil {
		return nil, err
	}
	lastLoad.key, lastLoad.ds = key, ds
	return ds, nil
}

// Load decodes the videos of classes under dir: each is decoded with ffmpeg
// resized to size x size (ffmpeg's scale filter, bicubic, where the authors
// used cv2.resize, bilinear), n frames picked by SkipIndices and scaled to
// [0, 1]. Frames are RGB (the authors' OpenCV frames were BGR; channel
// order does not matter to the models). Clip order is class by class, files
// sorted by name within a class.
func Load(ctx context.Context, dir string, classes []string, n, size int, progress runner.Progress) (*Dataset, error) {
	u, err := data.LoadUCF50(dir)
	if err != nil {
		return nil, fmt.Errorf("ucf50: listing %s: %w", dir, err)
	}
	byName := map[string]int{}
	for i, c := range classes {
		byName[c] = i
	}
	found := make([]bool, len(classes))
	var picked []data.UCFVideo
	for _, v := range u.Videos {
		name := u.Classes[v.Class]
		if ci, ok := byName[name]; ok {
			found[ci] = true
			v.Class = ci
			picked = append(picked, v)
		}
	}
	for i, ok := range found {
		if !ok {
			return nil, fmt.Errorf("ucf50: %s has no class folder %q (has %v)", dir, classes[i], u.Classes)
		}
	}
	// Class by class, as the authors' loop over CLASSES_LIST.
	ordered := make([]data.UCFVideo, 0, len(picked))
	for ci := range classes {
		for _, v := range picked {
			if v.Class == ci {
				ordered = append(ordered, v)
			}
		}
	}
	ds := &Dataset{Dir: dir, Source: "real", Fingerprint: u.Fingerprint}
	if data.IsSynthUCF50(dir) {
		ds.Source = "synthetic"
	}
	clips := &Clips{T: n, H: size, W: size, C: 3}
	if progress == nil {
		progress = runner.Discard
	}
	progress.Start("decode", len(ordered))
	defer progress.Finish()
	frame := size * size * 3
	for i, v := range ordered {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		path := filepath.Join(dir, filepath.FromSlash(v.Path))
		vid, err := data.DecodeVideoContext(ctx, path, data.VideoOptions{Width: size, Height: size})
		if err != nil {
			return nil, fmt.Errorf("ucf50: %w", err)
		}
		idx, ok := SkipIndices(vid.T, n)
		if !ok {
			ds.Dropped = append(ds.Dropped, v.Path)
			continue
		}
		for _, t := range idx {
			for _, b := range vid.RGB[t*frame : (t+1)*frame] {
				clips.X = append(clips.X, float32(b)/255)
			}
		}
		clips.Y = append(clips.Y, v.Class)
		clips.IDs = append(clips.IDs, v.Path)
		clips.N++
		progress.Step(i+1, nil)
	}
	if clips.N == 0 {
		return nil, fmt.Errorf("ucf50: no video in %s has %d frames or more", dir, n)
	}
	ds.Clips = clips
	return ds, nil
}

// Split is the authors' split: train_test_split(test_size=testFrac,
// shuffle=True, random_state=seed) then Keras's validation_split=valFrac
// (the last valFrac of the shuffled training clips). The shuffle is a
// seeded Go permutation, not NumPy's MT19937 stream, so the same seed picks
// other clips than the authors' code did. Test has ceil(testFrac*N) clips
// (scikit-learn's rounding); of the rest R, training keeps the first
// floor(R*(1-valFrac)) and validation the others (Keras's rounding).
func Split(n int, testFrac, valFrac float64, seed uint64) (train, val, test []int) {
	perm := rand.New(rand.NewPCG(seed, 0x5eed)).Perm(n)
	nTest := int(math.Ceil(testFrac * float64(n)))
	test, rest := perm[:nTest], perm[nTest:]
	splitAt := int(math.Floor(float64(len(rest)) * (1 - valFrac)))
	return rest[:splitAt], rest[splitAt:], test
}

// SynthDir returns the directory of the synthetic twin with options o,
// writing it first when missing: dir when non-empty, else a cache
// directory under the system's temp dir named by the options' hash. A twin
// is written into a temporary sibling and renamed, so a reader never sees a
// half-written one.
func SynthDir(dir string, o data.SynthUCF50Options) (string, error) {
	if dir == "" {
		h := sha256.Sum256([]byte(fmt.Sprintf("synth-ucf50 %s %+v", data.SynthUCF50Version, o)))
		dir = filepath.Join(os.TempDir(), "actrepro-synth", "ucf50-"+hex.EncodeToString(h[:6]))
	}
	if data.IsSynthUCF50(dir) {
		return dir, nil
	}
	if _, err := os.Stat(dir); err == nil {
		return "", fmt.Errorf("ucf50: %s exists but is not a synthetic twin (no %s); remove it or choose another data.dir", dir, data.SynthUCF50Marker)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tmp-"+filepath.Base(dir)+"-")
	if err != nil {
		return "", err
	}
	if _, err := data.WriteSynthUCF50(tmp, o); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if data.IsSynthUCF50(dir) { // another process won the race
			return dir, nil
		}
		return "", err
	}
	return dir, nil
}
