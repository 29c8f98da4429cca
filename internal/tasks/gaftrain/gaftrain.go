// Package gaftrain holds the training steps the GAF tasks share (gaf-ucf101 in internal/tasks/gaf,
// gaf-thumos and gaf-anet in internal/tasks/gafdet): the seeded context with its two Adam
// optimizers, the sum of the streams' losses, the CVAE's noise, L_R's weight ramp and the freezing
// of the CVAE between the two steps of Fig. 2.
package gaftrain

import (
	"math/rand/v2"
	"strings"

	gafm "github.com/actrepro/actrepro/gomlx_models/gaf"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Optim are the hyperparameters of the two optimizers: the network's Adam (learning rate,
// decoupled weight decay) and the CVAE's Adam (learning rate, betas), as the code builds them
// (train.py:423).
type Optim struct {
	Seed         int64
	LearningRate float64
	WeightDecay  float64
	CVAERate     float64
	CVAEBetas    []float64 // two values
}

// NewContext returns a context whose initialisation and random state come from o.Seed, the
// network pass's optimizer and the CVAE pass's optimizer. Each optimizer has its own scope
// ("adam_model", "adam_cvae"): GoMLX keeps the learning rate in a variable
// <scope>/optimizers/learning_rate that a second optimizer in the same scope would share.
func NewContext(o Optim) (gctx *mlctx.Context, model, cvae optimizers.Interface, err error) {
	gctx = mlctx.New()
	gctx.SetParam(initializers.ParamInitialSeed, o.Seed)
	if err := gctx.SetRNGStateFromSeed(o.Seed); err != nil {
		return nil, nil, nil, err
	}
	model = optimizers.Adam().LearningRate(o.LearningRate).WeightDecay(o.WeightDecay).Scope("adam_model").Done()
	cvae = optimizers.Adam().LearningRate(o.CVAERate).Betas(o.CVAEBetas[0], o.CVAEBetas[1]).Scope("adam_cvae").Done()
	return gctx, model, cvae, nil
}

// AddLoss returns sum + l, where a nil sum is none yet (it returns l) and a nil l is no term (it
// returns sum). The streams have their own parameters and their losses add up, in stream order.
func AddLoss(sum, l *Node) *Node {
	switch {
	case l == nil:
		return sum
	case sum == nil:
		return l
	}
	return Add(sum, l)
}

// Noise draws the CVAE's reparameterisation noise ε ~ N(0, I) for s streams of n feature
// vectors of width z, a float32 tensor [s, n, z] filled in row-major order from rng.
func Noise(rng *rand.Rand, s, n, z int) *tensors.Tensor {
	e := make([]float32, s*n*z)
	for i := range e {
		e[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(e, s, n, z)
}

// ReconWeight is L_R's weight at epoch (1-based) of epochs, a float32 scalar: it ramps as the
// code's 0.5·min(epoch, max_epoch)/max_epoch (train.py:340), scale in place of 0.5.
func ReconWeight(scale float64, epoch, epochs int) *tensors.Tensor {
	return tensors.FromScalar(float32(scale * float64(epoch) / float64(epochs)))
}

// FreezeCVAE marks the CVAE's variables (scope .../gafm.CVAEScope) not trainable, so that an
// optimizer built after this call leaves them alone: step 2 of Fig. 2 trains the network with the
// CVAE fixed (train.py:227-230). A step already compiled keeps updating them, which is how the
// CVAE step goes on training the CVAE.
func FreezeCVAE(gctx *mlctx.Context) {
	for v := range gctx.IterVariables() {
		if strings.Contains(v.Scope(), "/"+gafm.CVAEScope) {
			v.SetTrainable(false)
		}
	}
}
