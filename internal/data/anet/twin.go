package anet

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/actrepro/actrepro/internal/data/npy"
)

// TwinConfig sizes the ActivityNet twin. Its annotations are synthetic too (no real
// ActivityNet file is available), so every result on it is "synthetic features, synthetic
// ground truth (ActivityNet twin)".
type TwinConfig struct {
	Seed       uint64
	Train, Val int     // videos of the training and validation subsets (the real file: 10,024 / 4,926)
	Classes    int     // taxonomy leaves (ActivityNet v1.3: 200)
	Dim        int     // channels per stream; the files hold RGB then flow, 2·Dim (ActionFormer's I3D: 1024 + 1024)
	RGBSNR     float64 // amplitude of the planted direction inside a segment, in noise sd units
	FlowSNR    float64
	AR         float64 // lag-1 autocorrelation of the noise
	Shared     float64 // share of every class direction that is common to all classes ("actionness"), in [0, 1)
	// StepSeconds is the features' step: ActionFormer's ActivityNet I3D features take
	// 16-frame clips at stride 16 of 25 fps video (0.64 s); a video of d s has ceil(d/step)
	// steps.
	StepSeconds float64
}

// DefaultTwinConfig is a small twin (smoke size).
func DefaultTwinConfig() TwinConfig {
	return TwinConfig{Seed: 1, Train: 24, Val: 12, Classes: 200, Dim: 16, RGBSNR: 2, FlowSNR: 3, AR: 0.6, Shared: 0.5, StepSeconds: 0.64}
}

// Validate checks the configuration.
func (c TwinConfig) Validate() error {
	switch {
	case c.Train < 1 || c.Val < 1:
		return fmt.Errorf("anet twin: %d training and %d validation videos: want >= 1 each", c.Train, c.Val)
	case c.Classes < 1 || c.Classes > 10000:
		return fmt.Errorf("anet twin: %d classes: want 1..10000", c.Classes)
	case c.Dim < 1:
		return fmt.Errorf("anet twin: dim %d: want >= 1", c.Dim)
	case !(c.RGBSNR >= 0) || !(c.FlowSNR >= 0):
		return fmt.Errorf("anet twin: snr %g / %g: want >= 0", c.RGBSNR, c.FlowSNR)
	case !(c.AR >= 0 && c.AR < 1) || !(c.Shared >= 0 && c.Shared < 1):
		return fmt.Errorf("anet twin: ar %g and shared %g: want [0, 1)", c.AR, c.Shared)
	case !(c.StepSeconds > 0):
		return fmt.Errorf("anet twin: step %g s: want > 0", c.StepSeconds)
	}
	return nil
}

// twin JSON schema (the official file's field names and order).
type twinSeg struct {
	Segment [2]float64 `json:"segment"`
	Label   string     `json:"label"`
}

type twinVideo struct {
	Duration    float64   `json:"duration"`
	Subset      string    `json:"subset"`
	Resolution  string    `json:"resolution"`
	URL         string    `json:"url"`
	Annotations []twinSeg `json:"annotations"`
}

type twinNode struct {
	ParentName string `json:"parentName"`
	NodeName   string `json:"nodeName"`
	NodeID     int    `json:"nodeId"`
	ParentID   *int   `json:"parentId"`
}

// TwinClass names the twin's class i (0-based).
func TwinClass(i int) string { return fmt.Sprintf("Synthetic activity %03d", i+1) }

// WriteTwin writes the twin under root in the published layout:
// root/activitynet/activity_net.v1-3.min.json (the official schema: a taxonomy of 8 groups
// and Classes leaves, training and validation videos with YouTube-like ids, durations from a
// log-normal of median 110 s in [12, 600] s, 1-3 segments of one class covering 30-95% of the
// video, as ActivityNet's long instances) and root/activitynet/i3d_features/v_<id>.npy
// [ceil(duration/step), 2·Dim] float32 (RGB then flow). Inside a segment each step adds its
// covered fraction times snr times the class direction (unit norm; a Shared part common to all
// classes) to AR(1) unit noise. The same configuration writes the same bytes.
func WriteTwin(root string, c TwinConfig) error {
	if err := c.Validate(); err != nil {
		return err
	}
	dir := filepath.Join(root, Dir)
	fdir := filepath.Join(dir, FeatureDir)
	if err := os.MkdirAll(fdir, 0o755); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(c.Seed, 0xA2E71))
	const groups = 8
	zero := 0
	tax := []twinNode{{ParentName: "", NodeName: "Root", NodeID: 0, ParentID: nil}}
	for g := range groups {
		tax = append(tax, twinNode{ParentName: "Root", NodeName: fmt.Sprintf("Synthetic group %d", g+1), NodeID: g + 1, ParentID: &zero})
	}
	for i := range c.Classes {
		p := 1 + i%groups
		tax = append(tax, twinNode{ParentName: fmt.Sprintf("Synthetic group %d", p), NodeName: TwinClass(i), NodeID: 100 + i, ParentID: &p})
	}
	// Class directions in each stream: unit vectors sharing a common part.
	unit := func() []float64 {
		v := make([]float64, c.Dim)
		n := 0.0
		for i := range v {
			v[i] = r.NormFloat64()
			n += v[i] * v[i]
		}
		n = math.Sqrt(n)
		for i := range v {
			v[i] /= n
		}
		return v
	}
	dirs := make([][2][]float64, c.Classes)
	common := [2][]float64{unit(), unit()}
	for k := range dirs {
		for s := range 2 {
			u := unit()
			v := make([]float64, c.Dim)
			n := 0.0
			for i := range v {
				v[i] = math.Sqrt(c.Shared)*common[s][i] + math.Sqrt(1-c.Shared)*u[i]
				n += v[i] * v[i]
			}
			n = math.Sqrt(n)
			for i := range v {
				v[i] /= n
			}
			dirs[k][s] = v
		}
	}
	db := map[string]twinVideo{}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
	for _, sub := range []struct {
		name string
		n    int
	}{{Training, c.Train}, {Validation, c.Val}} {
		for range sub.n {
			var id string
			for {
				b := make([]byte, 11)
				for i := range b {
					b[i] = alphabet[r.IntN(len(alphabet))]
				}
				id = string(b)
				if _, dup := db[id]; !dup {
					break
				}
			}
			dur := math.Round(math.Min(math.Max(110*math.Exp(0.55*r.NormFloat64()), 12), 600)*100) / 100
			k := r.IntN(c.Classes)
			ns := 1
			if u := r.Float64(); u > 0.85 {
				ns = 3
			} else if u > 0.6 {
				ns = 2
			}
			cover := 0.3 + 0.65*r.Float64()
			// Split the covered time among the segments and the rest among ns+1 gaps.
			parts := func(n int, total float64) []float64 {
				w := make([]float64, n)
				s := 0.0
				for i := range w {
					w[i] = 0.2 + r.Float64()
					s += w[i]
				}
				for i := range w {
					w[i] *= total / s
				}
				return w
			}
			lens, gaps := parts(ns, cover*dur), parts(ns+1, (1-cover)*dur)
			v := twinVideo{Duration: dur, Subset: sub.name, Resolution: "640x360", URL: "https://www.youtube.com/watch?v=" + id}
			t := gaps[0]
			var segs [][2]float64
			for j := range ns {
				s := [2]float64{math.Round(t*100) / 100, math.Round(math.Min(t+lens[j], dur)*100) / 100}
				segs = append(segs, s)
				v.Annotations = append(v.Annotations, twinSeg{Segment: s, Label: TwinClass(k)})
				t += lens[j] + gaps[j+1]
			}
			db[id] = v
			// Features.
			steps := int(math.Ceil(dur/c.StepSeconds - 1e-9))
			w := 2 * c.Dim
			f := make([]float32, steps*w)
			prev := make([]float64, w)
			innov := math.Sqrt(1 - c.AR*c.AR)
			for i := range steps {
				t0, t1 := float64(i)*c.StepSeconds, math.Min(float64(i+1)*c.StepSeconds, dur)
				cov := 0.0
				for _, s := range segs {
					cov += math.Max(0, math.Min(t1, s[1])-math.Max(t0, s[0]))
				}
				cov /= math.Max(t1-t0, 1e-9)
				for ch := range w {
					if i == 0 {
						prev[ch] = r.NormFloat64()
					} else {
						prev[ch] = c.AR*prev[ch] + innov*r.NormFloat64()
					}
					s, snr := ch/c.Dim, c.RGBSNR
					if s == 1 {
						snr = c.FlowSNR
					}
					f[i*w+ch] = float32(prev[ch] + cov*snr*dirs[k][s][ch%c.Dim])
				}
			}
			a, err := npy.NewFloat32([]int{steps, w}, f)
			if err != nil {
				return err
			}
			if err := npy.WriteFile(filepath.Join(fdir, "v_"+id+".npy"), a); err != nil {
				return err
			}
		}
	}
	b, err := json.Marshal(map[string]any{"version": "VERSION 1.3", "taxonomy": tax, "database": db,
		"synthetic": fmt.Sprintf("actrepro ActivityNet twin, seed %d: synthetic annotations and features, not activity-net.org's", c.Seed)})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, AnnotationFile), b, 0o644)
}
