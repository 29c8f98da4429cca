package baboonland

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/actrepro/actrepro/internal/data"
)

// File names under <data root>/baboonland (the release's "Dataset Viewer"
// files, copied there by the user).
const (
	Dir           = data.BaboonDir // "baboonland"
	TrainFile     = data.BaboonTrainFile
	ValFile       = data.BaboonValFile
	SummariesFile = data.BaboonSummariesFile
)

// Classes are the 13 classes in the authors' index order (12 behaviours
// and Occluded; artemis2 datamanager.py:112-114).
var Classes = data.BaboonClasses

// Frame is one annotated frame.
type Frame struct {
	ID     int    // frame_id
	Path   string // path, e.g. "B0028.5/12.jpg"
	Labels []int  // class indices (one in the official files)
}

// Clip is one mini-scene: its frames in frame_id order.
type Clip struct {
	ID      string // the clip's name: the folder of its frame paths (the key of summaries.csv), else original_vido_id
	VideoID int    // video_id (the grouping key of the authors' code)
	Frames  []Frame
}

// The clip-labelling rules.
const (
	// RuleUnion: every label of any frame of the clip.
	RuleUnion = "union"
	// RuleSampled: the OR over the T frames SampleIndices picks, as the
	// authors' follow-up code (artemis2 datasets.py:300-301).
	RuleSampled = "sampled"
)

// column names of the header; "original_vido_id" is KABR's spelling.
var columns = map[string]string{
	"original_vido_id": "original", "original_video_id": "original",
	"video_id": "video", "frame_id": "frame", "path": "path", "labels": "labels", "label": "labels",
}

// ReadFile reads an annotation file (see the package comment for the
// format); k is the number of classes, labels outside [0, k) are errors.
// fp, if not nil, receives the file's hash.
func ReadFile(file string, k int, fp *data.Fingerprinter) ([]Clip, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if fp != nil {
		fp.Add(file, b)
	}
	return Parse(file, b, k)
}

// Parse reads annotation rows from b; name is used in errors
// ("file:line: reason").
func Parse(name string, b []byte, k int) ([]Clip, error) {
	perr := func(line int, format string, args ...any) error {
		return &data.ParseError{File: name, Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	// Positions of original, video, frame, path, labels: KABR's order by default.
	pos := map[string]int{"original": 0, "video": 1, "frame": 2, "path": 3, "labels": 4}
	byVideo := map[int]int{}
	var clips []Clip
	lines := bytes.Split(b, []byte("\n"))
	headerChecked := false
	for i, raw := range lines {
		n := i + 1
		f := strings.Fields(strings.TrimSuffix(string(raw), "\r"))
		if len(f) == 0 {
			continue
		}
		if !headerChecked {
			headerChecked = true
			if isHeader(f) {
				// A header: locate the columns by name.
				got := map[string]int{}
				for j, c := range f {
					if role, ok := columns[strings.ToLower(c)]; ok {
						got[role] = j
					}
				}
				for _, need := range []string{"video", "frame", "path"} {
					if _, ok := got[need]; !ok {
						return nil, perr(n, "header %q has no %s column (want e.g. \"original_vido_id video_id frame_id path labels\")", strings.Join(f, " "), need)
					}
				}
				pos = got
				continue
			}
		}
		field := func(role string) (string, bool) {
			j, ok := pos[role]
			if !ok || j >= len(f) {
				return "", false
			}
			return f[j], true
		}
		vs, ok := field("video")
		if !ok {
			return nil, perr(n, "%d fields, no video_id", len(f))
		}
		vid, err := strconv.Atoi(vs)
		if err != nil {
			return nil, perr(n, "video_id %q is not an integer", vs)
		}
		fs, ok := field("frame")
		if !ok {
			return nil, perr(n, "%d fields, no frame_id", len(f))
		}
		fid, err := strconv.Atoi(fs)
		if err != nil {
			return nil, perr(n, "frame_id %q is not an integer", fs)
		}
		p, ok := field("path")
		if !ok {
			return nil, perr(n, "%d fields, no path", len(f))
		}
		var labels []int
		if ls, ok := field("labels"); ok {
			for _, x := range strings.Split(strings.Trim(ls, `"`), ",") {
				if x == "" {
					continue
				}
				l, err := strconv.Atoi(x)
				if err != nil {
					return nil, perr(n, "label %q is not an integer", x)
				}
				if l < 0 || l >= k {
					return nil, perr(n, "label %d outside [0, %d)", l, k)
				}
				labels = append(labels, l)
			}
		}
		c, seen := byVideo[vid]
		if !seen {
			id := path.Dir(p)
			if id == "." || id == "" {
				id, _ = field("original")
			}
			if id == "" {
				id = strconv.Itoa(vid)
			}
			c = len(clips)
			byVideo[vid] = c
			clips = append(clips, Clip{ID: path.Base(id), VideoID: vid})
		}
		clips[c].Frames = append(clips[c].Frames, Frame{ID: fid, Path: p, Labels: labels})
	}
	if len(clips) == 0 {
		return nil, perr(0, "no frame rows")
	}
	// The authors' code groups by video_id in sorted order and sorts each
	// clip's frames by frame_id.
	sort.SliceStable(clips, func(i, j int) bool { return clips[i].VideoID < clips[j].VideoID })
	for i := range clips {
		sort.SliceStable(clips[i].Frames, func(a, b int) bool { return clips[i].Frames[a].ID < clips[i].Frames[b].ID })
	}
	return clips, nil
}

// isHeader reports whether a first row names columns rather than holding
// values.
func isHeader(f []string) bool {
	for _, c := range f {
		if _, ok := columns[strings.ToLower(c)]; ok {
			return true
		}
	}
	return false
}

// SampleIndices returns the t frame indices (0-based) the authors' code
// samples from a clip of n frames without random shift (artemis2
// datasets.py:35-44): np.linspace(0, n-1, t, dtype=int) when n <= t, else
// the middle of each of t equal segments, ticks = np.linspace(0, n, t+1,
// dtype=int) and index = tick + (next tick - tick) // 2. Tested against
// numpy (testdata/sampling.json).
func SampleIndices(n, t int) []int {
	out := make([]int, t)
	if n <= t {
		for i, v := range linspace(0, float64(n-1), t) {
			out[i] = int(v)
		}
		return out
	}
	ticks := linspace(0, float64(n), t+1)
	for i := 0; i < t; i++ {
		a, b := int(ticks[i]), int(ticks[i+1])
		out[i] = a + (b-a)/2
	}
	return out
}

// linspace is numpy.linspace(start, stop, num) in float64: start + i*step
// with step = (stop-start)/(num-1), the last value exactly stop.
func linspace(start, stop float64, num int) []float64 {
	out := make([]float64, num)
	if num == 1 {
		out[0] = start
		return out
	}
	step := (stop - start) / float64(num-1)
	for i := range out {
		out[i] = float64(i)*step + start
	}
	out[num-1] = stop
	return out
}

// Labels returns a clip's sorted labels under rule (RuleUnion, or
// RuleSampled with t frames).
func (c Clip) Labels(rule string, t int) ([]int, error) {
	set := map[int]bool{}
	switch rule {
	case RuleUnion:
		for _, f := range c.Frames {
			for _, l := range f.Labels {
				set[l] = true
			}
		}
	case RuleSampled:
		if t <= 0 {
			return nil, fmt.Errorf("baboonland: rule %q needs t > 0 frames, got %d", rule, t)
		}
		if len(c.Frames) == 0 {
			return nil, fmt.Errorf("baboonland: clip %s has no frames", c.ID)
		}
		for _, i := range SampleIndices(len(c.Frames), t) {
			for _, l := range c.Frames[i].Labels {
				set[l] = true
			}
		}
	default:
		return nil, fmt.Errorf("baboonland: unknown labelling rule %q (want %q or %q)", rule, RuleUnion, RuleSampled)
	}
	out := make([]int, 0, len(set))
	for l := range set {
		out = append(out, l)
	}
	sort.Ints(out)
	return out, nil
}
