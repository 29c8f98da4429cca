package gafdet

import (
	"github.com/actrepro/actrepro/gomlx_models/afsd"
	"github.com/actrepro/actrepro/internal/data/anet"
)

// clipLength is the window length: AFSD's THUMOS14 256 frames, or its ActivityNet 768
// (configs/anet.yaml clip_length).
func (c Config) clipLength() int {
	if c.anet {
		return anet.Steps
	}
	return afsd.ClipLength
}

// trainWindows are a training video's windows: THUMOS14's stride-30 windows holding a whole
// segment (thumos_dataset.py:70-130), or ActivityNet's single window of the whole resampled
// video (anet_dataset.py:44-101).
func (c Config) trainWindows(v *Video, l int) []afsd.Window {
	if c.anet {
		if w, ok := afsd.ANetWindow(v.Segments, l); ok {
			return []afsd.Window{w}
		}
		return nil
	}
	return afsd.TrainWindows(v.N, v.Segments, l, afsd.TrainStride)
}

// assignTargets matches points to segments: THUMOS14's rule, or ActivityNet's with the
// per-level bounds (anet/multisegment_loss.py:128, 198-219).
func (c Config) assignTargets(dc afsd.Config, annos []afsd.Segment) ([]float32, []int32) {
	if c.anet {
		return afsd.AssignTargetsANet(dc, annos)
	}
	return afsd.AssignTargets(dc, annos)
}

// testOffsets are a test video's window offsets: stride 128 with the last aligned to the end
// (thumos14/test.py:67-75), or ActivityNet's single window at 0 (anet/test.py:87).
func (c Config) testOffsets(v *Video, l int) []int {
	if c.anet {
		return []int{0}
	}
	return afsd.Offsets(v.N, l, afsd.TestStride)
}
