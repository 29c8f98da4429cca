package data

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/data/npy"
)

// FeatureStore is a directory of one .npy per video ([T, C], float32 or
// float16; e.g. I3D [T, 2048] at a stride of 4 frames of 30 fps), named
// <video id>.npy, possibly in sub-directories (<class>/<video>.npy).
type FeatureStore struct {
	Dir string
}

// Path is the file of a video id.
func (s FeatureStore) Path(id string) string {
	return filepath.Join(s.Dir, filepath.FromSlash(id)+".npy")
}

// Load reads a video's [T, C] features as T rows.
func (s FeatureStore) Load(id string) ([][]float32, error) {
	a, err := npy.ReadFile(s.Path(id))
	if err != nil {
		return nil, err
	}
	m, err := a.Matrix32()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Path(id), err)
	}
	return m, nil
}

// IDs lists the video ids of the store (relative paths without .npy, with
// '/' separators), sorted.
func (s FeatureStore) IDs() ([]string, error) {
	var ids []string
	err := filepath.WalkDir(s.Dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".npy") {
			rel, _ := filepath.Rel(s.Dir, p)
			ids = append(ids, filepath.ToSlash(strings.TrimSuffix(rel, ".npy")))
		}
		return nil
	})
	sort.Strings(ids)
	return ids, err
}

// Fingerprint hashes the store's listing (ids and file sizes), not the
// feature bytes, so that large stores are fingerprinted quickly.
func (s FeatureStore) Fingerprint() (string, error) {
	ids, err := s.IDs()
	if err != nil {
		return "", err
	}
	var fp Fingerprinter
	for _, id := range ids {
		st, err := os.Stat(s.Path(id))
		if err != nil {
			return "", err
		}
		fp.AddString(id, fmt.Sprint(st.Size()))
	}
	return fp.Sum(), nil
}
