// Package gaf is the Generative Attention-based Feature module of "Generative Attention-based
// Feature model for video action analysis" (../shared/papers/gaf.txt, section III) at feature level:
// the frame-level attention λ head, the fore-/background pooling of Eq. 11, the L_clf loss of
// Eq. 12, and the CVAE of Eqs. 5-9 with its loss L_CVAE (Eq. 7) and the representation loss L_R
// (Eq. 15); plus the I3D recognition baseline it is compared with in Table II. It builds GoMLX
// graphs only; training loops live in the tasks (internal/tasks/gaf for UCF101 recognition).
//
// Inputs are per-video feature sequences x [B, T, D] with a validity mask [B, T] (1 = a real
// step, 0 = padding), one stream at a time; the two-stream models average the streams' logits
// (section IV-B: "the RGB and optical flow results are averaged").
//
// There is no public GAF recognition code, so the recognition pieces follow the paper's
// equations. The CVAE follows the authors' detection code (Generative-Feature-Model/GAF @ adf91d1,
// GAF/thumos14/) where the paper leaves a choice open: the KL weight β = 0.1 and the prior
// N(λ, I) (multisegment_loss.py:8-29), the inference draw z = λ + ε (BDNet.py:683-691), and the
// L_R weight 0.5·min(epoch, max_epoch)/max_epoch (train.py:340). Where the code's layers act on
// 3-D I3D maps (Conv3d, GroupNorm, ConvTranspose3d), the feature-level module uses dense layers
// on each time step (the paper's θ is a 1×1×1 convolution, Eq. 8), without GroupNorm.
package gaf
