package animalmotionclip

import (
	"errors"

	"github.com/actrepro/actrepro/internal/spec"
)

// Twin is the [data.twin] table: the settings of the seeded motion twin (synthetic source).
type Twin struct {
	Seed   int64 `toml:"seed"`
	Train  int   `toml:"train"`  // train clips
	Val    int   `toml:"val"`    // val clips
	Frames int   `toml:"frames"` // frames per clip
	Size   int   `toml:"size"`   // frame side of the written videos
}

// DefaultTwin is the twin the full scale uses.
func DefaultTwin() Twin { return Twin{Seed: 1, Train: 240, Val: 120, Frames: 32, Size: 64} }

func (t Twin) validate() error {
	if t.Train < 1 || t.Val < 1 || t.Frames < 2 || t.Size < 8 {
		return spec.Errorf("data.twin", "train %d, val %d (>= 1), frames %d (>= 2), size %d (>= 8)", t.Train, t.Val, t.Frames, t.Size)
	}
	return nil
}

// errNoTwin is returned until the motion twin generator is merged.
var errNoTwin = errors.New("animalmotionclip: the motion twin is not available in this build")

// TwinDir writes (or finds) the twin's Animal Kingdom folder and returns it.
func TwinDir(t Twin) (dir, fingerprint string, err error) { return "", "", errNoTwin }
