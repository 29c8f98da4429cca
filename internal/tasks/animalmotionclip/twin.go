package animalmotionclip

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/akmotion"
	"github.com/actrepro/actrepro/internal/spec"
)

// Twin is the [data.twin] table: the settings of the seeded motion twin (internal/data/akmotion)
// that stands in for Animal Kingdom videos when data.source = "synthetic".
type Twin struct {
	Seed       int64   `toml:"seed"`
	Train      int     `toml:"train"` // train clips
	Val        int     `toml:"val"`   // val clips
	Width      int     `toml:"width"` // frame size of the written videos
	Height     int     `toml:"height"`
	MinFrames  int     `toml:"min_frames"`
	MaxFrames  int     `toml:"max_frames"`
	FPS        int     `toml:"fps"`
	Difficulty float64 `toml:"difficulty"` // 0..1: pixel noise, running closer to walking, shaking smaller
	Dir        string  `toml:"dir"`        // where to write it (default: a folder under the system temp dir named by a hash of the settings)
}

// DefaultTwin is akmotion's full-scale twin.
func DefaultTwin() Twin {
	return Twin{Seed: 1, Train: 480, Val: 160, Width: 96, Height: 72, MinFrames: 24, MaxFrames: 40, FPS: 15, Difficulty: 0.3}
}

func (t Twin) options() akmotion.Options {
	return akmotion.Options{Seed: uint64(t.Seed), NTrain: t.Train, NVal: t.Val, Width: t.Width, Height: t.Height,
		MinFrames: t.MinFrames, MaxFrames: t.MaxFrames, FPS: t.FPS, Difficulty: t.Difficulty}
}

func (t Twin) validate() error {
	switch {
	case t.Train < 1 || t.Val < 1:
		return spec.Errorf("data.twin.train", "train %d and val %d clips must be >= 1", t.Train, t.Val)
	case t.Width < 32 || t.Height < 32 || t.Width%2 != 0 || t.Height%2 != 0:
		return spec.Errorf("data.twin.width", "frame size %dx%d must be even and at least 32x32", t.Width, t.Height)
	case t.MinFrames < 2 || t.MaxFrames < t.MinFrames:
		return spec.Errorf("data.twin.min_frames", "frames range [%d, %d] invalid (at least 2 frames)", t.MinFrames, t.MaxFrames)
	case t.FPS < 1:
		return spec.Errorf("data.twin.fps", "must be >= 1, got %d", t.FPS)
	case !(t.Difficulty >= 0 && t.Difficulty <= 1):
		return spec.Errorf("data.twin.difficulty", "must be in [0, 1], got %g", t.Difficulty)
	}
	return nil
}

// TwinDir returns the twin's Animal Kingdom folder (<dir>/animalkingdom), writing the twin
// first unless a complete one with the same settings is there already. dataRoot, when it holds
// the real classes.csv, lets the writer check the twin's class names against it.
func TwinDir(t Twin, dataRoot string) (string, error) {
	root := t.Dir
	if root == "" {
		h := sha256.Sum256([]byte(fmt.Sprintf("akmotion %s %+v", akmotion.Version, t.options())))
		root = filepath.Join(os.TempDir(), "actrepro-synth", "akmotion-"+hex.EncodeToString(h[:6]))
	}
	if !akmotion.IsTwin(root) {
		if err := os.MkdirAll(filepath.Dir(root), 0o755); err != nil {
			return "", err
		}
		o := t.options()
		o.DataRoot = dataRoot
		if _, _, err := akmotion.Write(root, o); err != nil {
			return "", fmt.Errorf("animalmotionclip: writing the motion twin: %w", err)
		}
	}
	return filepath.Join(root, data.AKDir), nil
}
