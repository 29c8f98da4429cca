package spec

import (
	"errors"
	"fmt"
)

// Error is a problem in a spec file, located by file, line and dotted key.
type Error struct {
	File string // path of the spec as given to Load
	Line int    // 1-based; 0 when unknown
	Key  string // dotted key, e.g. "sweep.model.hidden" or "paper.rows[3].map"; may be empty
	Msg  string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// KeyError is a problem with one value of a decoded section. Key is the
// full dotted key (e.g. "model.hidden"). DecodeStrict returns it; the
// harness turns it into an Error with the spec's file and line.
type KeyError struct {
	Key string
	Msg string
}

func (e *KeyError) Error() string { return e.Key + ": " + e.Msg }

// Errorf builds a KeyError for key; tasks use it for values that decode
// but are out of range, e.g. spec.Errorf("model.hidden", "must be > 0, got %d", h).
func Errorf(key, format string, args ...any) error {
	return &KeyError{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// AsKeyError reports whether err wraps a KeyError and returns it.
func AsKeyError(err error) (*KeyError, bool) {
	var ke *KeyError
	if errors.As(err, &ke) {
		return ke, true
	}
	return nil, false
}
