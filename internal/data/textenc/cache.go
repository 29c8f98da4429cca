package textenc

import (
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"
)

// EnvCacheDir names the directory where fitted encoders are kept between
// processes (default: the user cache directory's actrepro/textenc; "off"
// disables the disk cache). A cached encoder is keyed by a SHA-256 of the
// encoder version, its options and the whole corpus, and stores float64
// values, so loading it gives the same bytes as fitting again.
const EnvCacheDir = "ACTREPRO_TEXTENC_CACHE"

type cached struct {
	Name     string
	Opt      Options
	NDocs    int
	Vocab    []string
	IDF      []float64
	Comp     []float64
	Singular []float64
}

func cachePath(key [32]byte) string {
	dir := os.Getenv(EnvCacheDir)
	if dir == "off" {
		return ""
	}
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(base, "actrepro", "textenc")
	}
	return filepath.Join(dir, fmt.Sprintf("%x.gob", key[:16]))
}

// loadCached returns the encoder stored under key, or nil.
func loadCached(key [32]byte) *Encoder {
	p := cachePath(key)
	if p == "" {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	var c cached
	if err := gob.NewDecoder(f).Decode(&c); err != nil || c.Name != Name || len(c.Comp) != len(c.Vocab)*c.Opt.Dim {
		return nil
	}
	e := &Encoder{Dim: c.Opt.Dim, opt: c.Opt, nDocs: c.NDocs, vocab: make(map[string]int, len(c.Vocab)), idf: c.IDF,
		comp: mat.NewDense(len(c.Vocab), c.Opt.Dim, c.Comp), Singular: c.Singular}
	for j, f := range c.Vocab {
		e.vocab[f] = j
	}
	return e
}

// storeCached writes e under key; failures only lose the cache.
func storeCached(key [32]byte, e *Encoder) {
	p := cachePath(key)
	if p == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	c := cached{Name: Name, Opt: e.opt, NDocs: e.nDocs, Vocab: make([]string, len(e.vocab)), IDF: e.idf,
		Comp: e.comp.RawMatrix().Data, Singular: e.Singular}
	for f, j := range e.vocab {
		c.Vocab[j] = f
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), "enc-*.tmp")
	if err != nil {
		return
	}
	if err := gob.NewEncoder(tmp).Encode(&c); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
	}
}
