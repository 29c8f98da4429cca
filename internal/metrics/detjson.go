package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReadActivityNetGT reads ground truth in the ActivityNet / ActionFormer
// schema:
//
//	{"database": {"VIDEO": {"subset": "validation", "annotations": [
//	    {"label": "Long jump", "segment": [12.5, "20.1"]}, ...]}, ...}}
//
// Segment values may be numbers or numeric strings. If subset is non-empty,
// only videos whose "subset" equals it (case-insensitively) are kept. Other
// fields are ignored. Videos and annotations keep their file order. Errors
// name the file and the video and annotation at fault.
func ReadActivityNetGT(r io.Reader, name, subset string) ([]GTSegment, error) {
	top, err := readTop(r, name, "database")
	if err != nil {
		return nil, err
	}
	var out []GTSegment
	kept := 0
	err = eachMember(top, name, "database", func(video string, raw json.RawMessage) error {
		var v struct {
			Subset      *string           `json:"subset"`
			Annotations []json.RawMessage `json:"annotations"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("%s: database.%s: %v", name, video, err)
		}
		if subset != "" && (v.Subset == nil || !strings.EqualFold(*v.Subset, subset)) {
			return nil
		}
		kept++
		for i, a := range v.Annotations {
			var ann struct {
				Label   *string           `json:"label"`
				Segment []json.RawMessage `json:"segment"`
			}
			where := fmt.Sprintf("%s: database.%s.annotations[%d]", name, video, i)
			if err := json.Unmarshal(a, &ann); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			if ann.Label == nil {
				return fmt.Errorf("%s: missing \"label\"", where)
			}
			s, e, err := segment(ann.Segment)
			if err != nil {
				return fmt.Errorf("%s.segment: %v", where, err)
			}
			if err := checkSegment(s, e); err != nil {
				return fmt.Errorf("%s.segment: %v", where, err)
			}
			out = append(out, GTSegment{Video: video, Label: *ann.Label, Start: s, End: e})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		if subset != "" {
			return nil, fmt.Errorf("%s: no ground-truth annotation in subset %q (%d videos kept)", name, subset, kept)
		}
		return nil, fmt.Errorf("%s: no ground-truth annotation", name)
	}
	return out, nil
}

// ReadActivityNetResults reads predictions in the ActivityNet results
// schema:
//
//	{"results": {"VIDEO": [{"label": "Long jump", "segment": [12.1, 19.8], "score": 0.83}, ...]}}
//
// Segment and score values may be numbers or numeric strings; other fields
// are ignored; file order is kept (it breaks score ties).
func ReadActivityNetResults(r io.Reader, name string) ([]Detection, error) {
	top, err := readTop(r, name, "results")
	if err != nil {
		return nil, err
	}
	var out []Detection
	err = eachMember(top, name, "results", func(video string, raw json.RawMessage) error {
		var preds []json.RawMessage
		if err := json.Unmarshal(raw, &preds); err != nil {
			return fmt.Errorf("%s: results.%s: want a list of predictions: %v", name, video, err)
		}
		for i, p := range preds {
			var d struct {
				Label   *string           `json:"label"`
				Segment []json.RawMessage `json:"segment"`
				Score   json.RawMessage   `json:"score"`
			}
			where := fmt.Sprintf("%s: results.%s[%d]", name, video, i)
			if err := json.Unmarshal(p, &d); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			if d.Label == nil {
				return fmt.Errorf("%s: missing \"label\"", where)
			}
			s, e, err := segment(d.Segment)
			if err != nil {
				return fmt.Errorf("%s.segment: %v", where, err)
			}
			if err := checkSegment(s, e); err != nil {
				return fmt.Errorf("%s.segment: %v", where, err)
			}
			if d.Score == nil {
				return fmt.Errorf("%s: missing \"score\"", where)
			}
			sc, err := number(d.Score)
			if err != nil {
				return fmt.Errorf("%s.score: %v", where, err)
			}
			if err := checkSegment(sc, sc); err != nil {
				return fmt.Errorf("%s.score: %v is not finite", where, sc)
			}
			out = append(out, Detection{Video: video, Label: *d.Label, Start: s, End: e, Score: sc})
		}
		return nil
	})
	return out, err
}

// readTop decodes the top-level object and returns the raw value of key.
func readTop(r io.Reader, name, key string) (json.RawMessage, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: empty file", name)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%s: %s", name, jsonErr(data, err))
	}
	raw, ok := top[key]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		return nil, fmt.Errorf("%s: missing top-level %q object", name, key)
	}
	return raw, nil
}

// eachMember calls f for each member of a JSON object, in file order.
func eachMember(raw json.RawMessage, name, key string, f func(k string, v json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s: %q: %v", name, key, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("%s: %q must be an object keyed by video id", name, key)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%s: %q: %v", name, key, err)
		}
		k, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s: %s.%s: %v", name, key, k, err)
		}
		if err := f(k, v); err != nil {
			return err
		}
	}
	return nil
}

// segment reads a [start, end] pair of numbers or numeric strings.
func segment(vals []json.RawMessage) (float64, float64, error) {
	if len(vals) != 2 {
		return 0, 0, fmt.Errorf("want [start, end], got %d values", len(vals))
	}
	s, err := number(vals[0])
	if err != nil {
		return 0, 0, err
	}
	e, err := number(vals[1])
	if err != nil {
		return 0, 0, err
	}
	return s, e, nil
}

// number reads a JSON number or a string holding one.
func number(raw json.RawMessage) (float64, error) {
	if t := strings.TrimSpace(string(raw)); t == "null" || t == "" {
		return 0, fmt.Errorf("null is not a number")
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return f, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("%s is not a number", strings.TrimSpace(string(raw)))
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return f, nil
}

// jsonErr adds a line number to a JSON syntax error.
func jsonErr(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return err.Error()
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	return fmt.Sprintf("line %d: %v", line, err)
}
