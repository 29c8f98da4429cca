package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// THUMOS14 file names under <data root>/thumos14.
const (
	THUMOSDir            = "thumos14"
	THUMOSActionFormer   = "thumos14.json"  // ActionFormer schema
	THUMOSAFSDGT         = "thumos_gt.json" // AFSD ground truth (string segments)
	THUMOSClassIndex     = "Class_Index_Detection.txt"
	THUMOSTestGT         = "thumos14_test_groundtruth.csv"
	THUMOSTestInfo       = "test_video_info.csv"
	THUMOSValInfo        = "val_video_info.csv"
	THUMOSTestAnnotation = "test_Annotation.csv"
	THUMOSValAnnotation  = "val_Annotation.csv"
)

// DetectionSegment is one ground-truth action instance.
type DetectionSegment struct {
	Label      string
	LabelID    int     // label_id when the file has one, else -1
	Start, End float64 // seconds
}

// DetectionVideo is one untrimmed video and its instances.
type DetectionVideo struct {
	ID       string
	Subset   string  // as in the file: "Test", "Validation", "training", "test"...
	Duration float64 // seconds; 0 when the file has none (AFSD's thumos_gt.json)
	FPS      float64 // 0 when absent
	Segments []DetectionSegment
}

// DetectionDataset is a temporal action detection ground truth in the
// ActivityNet v1.3 JSON schema, which ActionFormer's thumos14.json and
// AFSD's thumos_gt.json follow.
type DetectionDataset struct {
	Version     string
	Videos      []DetectionVideo // sorted by ID
	Fingerprint string
}

// Subsets counts videos and segments per subset.
func (d *DetectionDataset) Subsets() map[string][2]int {
	out := map[string][2]int{}
	for _, v := range d.Videos {
		c := out[v.Subset]
		c[0]++
		c[1] += len(v.Segments)
		out[v.Subset] = c
	}
	return out
}

// Labels lists the distinct labels in order of name.
func (d *DetectionDataset) Labels() []string {
	set := map[string]bool{}
	for _, v := range d.Videos {
		for _, s := range v.Segments {
			set[s.Label] = true
		}
	}
	out := make([]string, 0, len(set))
	for l := range set {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Video returns the video with the given id.
func (d *DetectionDataset) Video(id string) (*DetectionVideo, bool) {
	i := sort.Search(len(d.Videos), func(i int) bool { return d.Videos[i].ID >= id })
	if i < len(d.Videos) && d.Videos[i].ID == id {
		return &d.Videos[i], true
	}
	return nil, false
}

type jsonVideo struct {
	Subset      string            `json:"subset"`
	Duration    json.RawMessage   `json:"duration"`
	FPS         json.RawMessage   `json:"fps"`
	Annotations []json.RawMessage `json:"annotations"`
}

type jsonAnnotation struct {
	Label   string            `json:"label"`
	LabelID *int              `json:"label_id"`
	Segment []json.RawMessage `json:"segment"`
}

// ReadDetectionJSON reads a detection ground truth in the ActivityNet v1.3
// schema ({"version", "database": {id: {subset, duration, fps?,
// annotations: [{label, segment: [start, end], label_id?}]}}}). Segment
// values may be numbers or numeric strings (AFSD's thumos_gt.json).
func ReadDetectionJSON(path string, fp *Fingerprinter) (*DetectionDataset, error) {
	b, err := readFile(path, fp)
	if err != nil {
		return nil, err
	}
	var top struct {
		Version  json.RawMessage      `json:"version"`
		Database map[string]jsonVideo `json:"database"`
	}
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, perr(path, jsonLine(b, err), "not a detection JSON: %v", err)
	}
	if top.Database == nil {
		return nil, perr(path, 0, "no \"database\" object")
	}
	d := &DetectionDataset{}
	if len(top.Version) > 0 {
		var s string
		if json.Unmarshal(top.Version, &s) == nil {
			d.Version = s
		} else {
			d.Version = string(top.Version)
		}
	}
	for id, v := range top.Database {
		dv := DetectionVideo{ID: id, Subset: v.Subset}
		var err error
		if dv.Duration, err = optNumber(v.Duration); err != nil {
			return nil, perr(path, 0, "video %s: duration: %v", id, err)
		}
		if dv.FPS, err = optNumber(v.FPS); err != nil {
			return nil, perr(path, 0, "video %s: fps: %v", id, err)
		}
		for i, raw := range v.Annotations {
			var a jsonAnnotation
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, perr(path, 0, "video %s annotation %d: %v", id, i, err)
			}
			if a.Label == "" {
				return nil, perr(path, 0, "video %s annotation %d: no label", id, i)
			}
			if len(a.Segment) != 2 {
				return nil, perr(path, 0, "video %s annotation %d: segment has %d values, want 2", id, i, len(a.Segment))
			}
			s, e1 := number(a.Segment[0])
			e, e2 := number(a.Segment[1])
			if e1 != nil || e2 != nil {
				return nil, perr(path, 0, "video %s annotation %d: segment %s, %s is not numeric", id, i, a.Segment[0], a.Segment[1])
			}
			if s < 0 || e < s {
				return nil, perr(path, 0, "video %s annotation %d: segment [%g, %g] is not 0 <= start <= end", id, i, s, e)
			}
			seg := DetectionSegment{Label: a.Label, LabelID: -1, Start: s, End: e}
			if a.LabelID != nil {
				seg.LabelID = *a.LabelID
			}
			dv.Segments = append(dv.Segments, seg)
		}
		d.Videos = append(d.Videos, dv)
	}
	sort.Slice(d.Videos, func(i, j int) bool { return d.Videos[i].ID < d.Videos[j].ID })
	d.Fingerprint = FileFingerprint(path, b)
	return d, nil
}

// jsonLine is the 1-based line of a JSON syntax error, 0 if unknown.
func jsonLine(b []byte, err error) int {
	if se, ok := err.(*json.SyntaxError); ok && se.Offset <= int64(len(b)) {
		return 1 + bytes.Count(b[:se.Offset], []byte("\n"))
	}
	if te, ok := err.(*json.UnmarshalTypeError); ok && te.Offset <= int64(len(b)) {
		return 1 + bytes.Count(b[:te.Offset], []byte("\n"))
	}
	return 0
}

func optNumber(raw json.RawMessage) (float64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	return number(raw)
}

// number decodes a JSON number or a string holding one.
func number(raw json.RawMessage) (float64, error) {
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return f, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("%s is not a number", raw)
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return f, nil
}

// headerCSV reads a CSV with a header row; fn gets each row as a map from
// column name to value. Columns in want must be present.
func headerCSV(path string, fp *Fingerprinter, want []string, fn func(line int, row map[string]string) error) error {
	b, err := readFile(path, fp)
	if err != nil {
		return err
	}
	var cols []string
	rows := 0
	err = csvRecords(path, b, 0, func(n int, rec []string) error {
		if cols == nil {
			cols = rec
			have := map[string]bool{}
			for _, c := range cols {
				have[strings.TrimSpace(c)] = true
			}
			for _, w := range want {
				if !have[w] {
					return perr(path, n, "header lacks column %q (has %v)", w, cols)
				}
			}
			return nil
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			return nil
		}
		if len(rec) != len(cols) {
			return perr(path, n, "%d fields, header has %d", len(rec), len(cols))
		}
		row := make(map[string]string, len(cols))
		for i, c := range cols {
			row[strings.TrimSpace(c)] = strings.TrimSpace(rec[i])
		}
		rows++
		return fn(n, row)
	})
	if err != nil {
		return err
	}
	if cols == nil {
		return perr(path, 0, "empty file")
	}
	return nil
}

func floatField(path string, line int, row map[string]string, col string) (float64, error) {
	f, err := strconv.ParseFloat(row[col], 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, perr(path, line, "column %s: %q is not a finite number", col, row[col])
	}
	return f, nil
}

// AnnotationRow is a row of AFSD's *_Annotation*.csv.
type AnnotationRow struct {
	Video, Type          string
	TypeIdx              int
	Start, End           float64 // seconds
	StartFrame, EndFrame int
}

// ReadAnnotationCSV reads AFSD's "video,type,type_idx,start,end,startFrame,endFrame".
func ReadAnnotationCSV(path string, fp *Fingerprinter) ([]AnnotationRow, error) {
	var out []AnnotationRow
	err := headerCSV(path, fp, []string{"video", "type", "type_idx", "start", "end", "startFrame", "endFrame"}, func(n int, r map[string]string) error {
		a := AnnotationRow{Video: r["video"], Type: r["type"]}
		var err error
		if a.TypeIdx, err = strconv.Atoi(r["type_idx"]); err != nil {
			return perr(path, n, "type_idx %q is not an integer", r["type_idx"])
		}
		if a.Start, err = floatField(path, n, r, "start"); err != nil {
			return err
		}
		if a.End, err = floatField(path, n, r, "end"); err != nil {
			return err
		}
		sf, err := floatField(path, n, r, "startFrame")
		if err != nil {
			return err
		}
		ef, err := floatField(path, n, r, "endFrame")
		if err != nil {
			return err
		}
		a.StartFrame, a.EndFrame = int(sf), int(ef)
		if a.Video == "" || a.Start < 0 || a.End < a.Start {
			return perr(path, n, "want a video id and 0 <= start <= end, got %q [%g, %g]", a.Video, a.Start, a.End)
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// VideoInfo is a row of AFSD's *_video_info.csv.
type VideoInfo struct {
	Video       string
	FPS         float64
	SampleFPS   float64
	Count       int // frames
	SampleCount int // frames at SampleFPS
}

// ReadVideoInfoCSV reads AFSD's "video,fps,sample_fps,count,sample_count".
func ReadVideoInfoCSV(path string, fp *Fingerprinter) ([]VideoInfo, error) {
	var out []VideoInfo
	err := headerCSV(path, fp, []string{"video", "fps", "sample_fps", "count", "sample_count"}, func(n int, r map[string]string) error {
		v := VideoInfo{Video: r["video"]}
		vals := make([]float64, 4)
		for i, c := range []string{"fps", "sample_fps", "count", "sample_count"} {
			f, err := floatField(path, n, r, c)
			if err != nil {
				return err
			}
			if f < 0 {
				return perr(path, n, "column %s: negative %g", c, f)
			}
			vals[i] = f
		}
		v.FPS, v.SampleFPS, v.Count, v.SampleCount = vals[0], vals[1], int(vals[2]), int(vals[3])
		if v.Video == "" || v.FPS == 0 {
			return perr(path, n, "want a video id and fps > 0")
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// GroundTruthRow is a row of thumos14_test_groundtruth.csv.
type GroundTruthRow struct {
	Video         string
	Start, End    float64
	FStart, FEnd  int
	Duration, FPS float64
	Frames        int
	LabelIdx      int // -1 marks the ambiguous instances
}

// ReadGroundTruthCSV reads "video-name,t-init,t-end,f-init,f-end,
// video-duration,frame-rate,video-frames,label-idx".
func ReadGroundTruthCSV(path string, fp *Fingerprinter) ([]GroundTruthRow, error) {
	cols := []string{"video-name", "t-init", "t-end", "f-init", "f-end", "video-duration", "frame-rate", "video-frames", "label-idx"}
	var out []GroundTruthRow
	err := headerCSV(path, fp, cols, func(n int, r map[string]string) error {
		g := GroundTruthRow{Video: r["video-name"]}
		vals := make([]float64, 8)
		for i, c := range cols[1:] {
			f, err := floatField(path, n, r, c)
			if err != nil {
				return err
			}
			vals[i] = f
		}
		g.Start, g.End, g.FStart, g.FEnd = vals[0], vals[1], int(vals[2]), int(vals[3])
		g.Duration, g.FPS, g.Frames, g.LabelIdx = vals[4], vals[5], int(vals[6]), int(vals[7])
		if g.Video == "" || g.Start < 0 || g.End < g.Start {
			return perr(path, n, "want a video name and 0 <= t-init <= t-end")
		}
		out = append(out, g)
		return nil
	})
	return out, err
}

// ClassIndex is one line of Class_Index_Detection.txt ("7 BaseballPitch").
type ClassIndex struct {
	Index int // THUMOS14's index among the 101 UCF classes
	Name  string
}

// ReadClassIndex reads "index Name" lines.
func ReadClassIndex(path string, fp *Fingerprinter) ([]ClassIndex, error) {
	b, err := readFile(path, fp)
	if err != nil {
		return nil, err
	}
	var out []ClassIndex
	err = lines(b, func(n int, line string) error {
		f := strings.Fields(line)
		if len(f) == 0 {
			return nil
		}
		if len(f) != 2 {
			return perr(path, n, "want 'index Name', got %q", line)
		}
		i, err := strconv.Atoi(f[0])
		if err != nil {
			return perr(path, n, "index %q is not an integer", f[0])
		}
		out = append(out, ClassIndex{Index: i, Name: f[1]})
		return nil
	})
	if err == nil && len(out) == 0 {
		err = perr(path, 0, "no classes")
	}
	return out, err
}

// THUMOS14 gathers the THUMOS14 annotation files present in a directory.
type THUMOS14 struct {
	ActionFormer *DetectionDataset // thumos14.json
	AFSD         *DetectionDataset // thumos_gt.json
	Classes      []ClassIndex      // Class_Index_Detection.txt
	TestGT       []GroundTruthRow  // thumos14_test_groundtruth.csv
	Annotations  map[string][]AnnotationRow
	VideoInfo    map[string][]VideoInfo
	Fingerprint  string
}

// LoadTHUMOS14 reads every known THUMOS14 file present in dir; at least
// thumos14.json or thumos_gt.json must be there.
func LoadTHUMOS14(dir string) (*THUMOS14, error) {
	var fp Fingerprinter
	t := &THUMOS14{Annotations: map[string][]AnnotationRow{}, VideoInfo: map[string][]VideoInfo{}}
	var err error
	if p := filepath.Join(dir, THUMOSActionFormer); exists(p) {
		if t.ActionFormer, err = ReadDetectionJSON(p, nil); err != nil {
			return nil, err
		}
		fp.AddString(THUMOSActionFormer, t.ActionFormer.Fingerprint)
	}
	if p := filepath.Join(dir, THUMOSAFSDGT); exists(p) {
		if t.AFSD, err = ReadDetectionJSON(p, nil); err != nil {
			return nil, err
		}
		fp.AddString(THUMOSAFSDGT, t.AFSD.Fingerprint)
	}
	if t.ActionFormer == nil && t.AFSD == nil {
		return nil, perr(dir, 0, "neither %s nor %s found", THUMOSActionFormer, THUMOSAFSDGT)
	}
	if p := filepath.Join(dir, THUMOSClassIndex); exists(p) {
		if t.Classes, err = ReadClassIndex(p, &fp); err != nil {
			return nil, err
		}
	}
	if p := filepath.Join(dir, THUMOSTestGT); exists(p) {
		if t.TestGT, err = ReadGroundTruthCSV(p, &fp); err != nil {
			return nil, err
		}
	}
	ann, _ := filepath.Glob(filepath.Join(dir, "*_Annotation*.csv"))
	sort.Strings(ann)
	for _, p := range ann {
		rows, err := ReadAnnotationCSV(p, &fp)
		if err != nil {
			return nil, err
		}
		t.Annotations[filepath.Base(p)] = rows
	}
	info, _ := filepath.Glob(filepath.Join(dir, "*_video_info.csv"))
	sort.Strings(info)
	for _, p := range info {
		rows, err := ReadVideoInfoCSV(p, &fp)
		if err != nil {
			return nil, err
		}
		t.VideoInfo[filepath.Base(p)] = rows
	}
	t.Fingerprint = fp.Sum()
	return t, nil
}
