package animalmotionclip

import (
	"github.com/actrepro/actrepro/internal/video/sampling"
)

// valStream offsets the sampling streams of the val clips from the training draws.
const valStream = 1 << 40

// Selections returns the frame indices [M][P] each classifier reads of clip (the
// point's scheme; sparse draws from sampling.NewRand(seed, stream)).
func Selections(c Model, clip *Clip, seed int64, stream uint64) ([][]int, error) {
	return sampling.All(clip.T, c.Sampling(), sampling.NewRand(uint64(seed), stream))
}

// fillClip writes the M classifiers' frames of clip into dst (M × Frames × S × S × 3 floats in
// [0, 1]): for "rgb" the selected frames, for "flow" their flow images, for "rgb+flow" the two
// interleaved, I_i1 F_i1 I_i2 F_i2 ... (section 2; flow.Interleave's order). With invertFlow
// (data.flow_invert) a flow image enters as 1 − image, so that the colour wheel's white (no
// motion) is 0 and only the moving pixels are non-zero.
func fillClip(dst []float32, m Model, invertFlow bool, clip *Clip, sel [][]int, s int) {
	n := s * s * 3
	o := 0
	put := func(b []uint8, invert bool) {
		for i, v := range b {
			if invert {
				dst[o+i] = 1 - float32(v)/255
			} else {
				dst[o+i] = float32(v) / 255
			}
		}
		o += n
	}
	for _, idx := range sel {
		for _, t := range idx {
			switch m.Modality {
			case ModalityRGB:
				put(clip.Frame(t, false, s), false)
			case ModalityFlow:
				put(clip.Frame(t, true, s), invertFlow)
			default:
				put(clip.Frame(t, false, s), false)
				put(clip.Frame(t, true, s), invertFlow)
			}
		}
	}
}
