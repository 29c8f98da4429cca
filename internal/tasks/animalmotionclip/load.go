package animalmotionclip

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/video/flow"
)

// VideoDir is the folder of an Animal Kingdom copy holding one <id>.mp4 per clip.
const VideoDir = "video"

// Clip is one video prepared for the model: every frame and the flow image that accompanies
// it, both FrameSize × FrameSize RGB24.
type Clip struct {
	ID     string
	Labels []int
	T      int     // frames decoded
	RGB    []uint8 // T × S × S × 3
	Flow   []uint8 // T × S × S × 3: frame t's flow image, the flow of flow.PairFor(t, T) (I_t → I_t+1)
}

// Frame returns frame t of the RGB (flow false) or flow images.
func (c *Clip) Frame(t int, flowImage bool, s int) []uint8 {
	n := s * s * 3
	if flowImage {
		return c.Flow[t*n : (t+1)*n]
	}
	return c.RGB[t*n : (t+1)*n]
}

// Dataset is the train and val clips of one Animal Kingdom copy, prepared.
type Dataset struct {
	Dir          string // the Animal Kingdom folder read
	Classes      []string
	Descriptions []string // aligned with Classes; nil when the copy has none
	Train, Val   []Clip
	TrainCounts  []int // positives of each class among Train
	Size         int   // FrameSize
	Source       string
	Fingerprint  string // of the annotation files, the videos read and the preparation settings
	FlowSeconds  float64
}

// prepKey is what a prepared dataset depends on: a point's sweep axes (scheme, modality, M, P,
// the model) change nothing here, so the points of one run share one preparation.
type prepKey struct {
	dir                         string
	maxTrain, maxVal, maxFrames int
	decode, size                int
	flowMax                     float64
}

var prepMemo struct {
	sync.Mutex
	key prepKey
	ds  *Dataset
}

// Prepare reads the Animal Kingdom copy in dir (annotations as data.LoadAnimalKingdom reads
// them; videos <dir>/video/<id>.mp4), decodes each clip at DecodeSize², computes the flow of
// every consecutive frame pair there (flow.ForFrames, the package's default solver), and keeps
// frames and colour-wheel flow images at FrameSize² (flow.Resize rescales the vectors;
// flow.Render with FlowMax). The last preparation is memoised.
func Prepare(ctx context.Context, dir string, d Data) (*Dataset, error) {
	key := prepKey{dir, d.MaxTrain, d.MaxVal, d.MaxFrames, d.DecodeSize, d.FrameSize, d.FlowMax}
	prepMemo.Lock()
	defer prepMemo.Unlock()
	if prepMemo.ds != nil && prepMemo.key == key {
		return prepMemo.ds, nil
	}
	ak, err := data.LoadAnimalKingdom(dir)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Dir: dir, Classes: ak.Classes, Descriptions: ak.ClassDescriptions, Size: d.FrameSize}
	train, val := ak.Train, ak.Val
	if d.MaxTrain > 0 && len(train) > d.MaxTrain {
		train = train[:d.MaxTrain]
	}
	if d.MaxVal > 0 && len(val) > d.MaxVal {
		val = val[:d.MaxVal]
	}
	h := sha256.New()
	fmt.Fprintf(h, "annotations %s\nprep decode=%d size=%d max_frames=%d flow_max=%g flow=%+v\n", ak.Fingerprint, d.DecodeSize, d.FrameSize, d.MaxFrames, d.FlowMax, flow.DefaultOptions())
	var mu sync.Mutex
	for _, side := range []struct {
		clips []data.AKClip
		out   *[]Clip
	}{{train, &ds.Train}, {val, &ds.Val}} {
		out := make([]Clip, len(side.clips))
		errs := make([]error, len(side.clips))
		sums := make([][32]byte, len(side.clips))
		var wg sync.WaitGroup
		next := make(chan int)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					if ctx.Err() != nil {
						errs[i] = ctx.Err()
						continue
					}
					cl := side.clips[i]
					path := filepath.Join(dir, VideoDir, cl.ID+".mp4")
					raw, err := os.ReadFile(path)
					if err != nil {
						errs[i] = fmt.Errorf("animalmotionclip: clip %s: %w", cl.ID, err)
						continue
					}
					sums[i] = sha256.Sum256(raw)
					v, err := data.DecodeVideoContext(ctx, path, data.VideoOptions{Width: d.DecodeSize, Height: d.DecodeSize, MaxFrames: d.MaxFrames})
					if err != nil {
						errs[i] = err
						continue
					}
					c, secs, err := PrepareVideo(v, d.FrameSize, d.FlowMax)
					if err != nil {
						errs[i] = fmt.Errorf("animalmotionclip: clip %s: %w", cl.ID, err)
						continue
					}
					c.ID, c.Labels = cl.ID, cl.Labels
					out[i] = *c
					mu.Lock()
					ds.FlowSeconds += secs
					mu.Unlock()
				}
			}()
		}
		for i := range side.clips {
			next <- i
		}
		close(next)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(h, "%s %x\n", side.clips[i].ID, sums[i])
		}
		*side.out = out
	}
	if len(ds.Train) == 0 || len(ds.Val) == 0 {
		return nil, fmt.Errorf("animalmotionclip: %s has %d train and %d val clips", dir, len(ds.Train), len(ds.Val))
	}
	ds.TrainCounts = make([]int, len(ds.Classes))
	for _, c := range ds.Train {
		for _, l := range c.Labels {
			ds.TrainCounts[l]++
		}
	}
	ds.Fingerprint = "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
	prepMemo.key, prepMemo.ds = key, ds
	return ds, nil
}
