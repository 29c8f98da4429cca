package ensemble

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Env is an environment that never ends an episode (the authors'
// EnsembleWeightEnv returns done = False forever and cycles through its
// data, reinforcement_dynamic.py:55-87). Actions reach Step already
// clipped to [0, 1], as stable-baselines3 clips a Box action before
// env.step.
type Env interface {
	ObsDim() int
	ActDim() int
	Reset() []float64
	Step(action []float64) (obs []float64, reward float64)
}

// PPOConfig is the PPO setting: stable-baselines3 2.x's PPO defaults,
// which the authors kept (reinforcement_dynamic.py:96-104 passes only
// n_steps, batch_size 64, n_epochs 3).
type PPOConfig struct {
	LR          float64 // Adam learning rate (3e-4), constant
	AdamEps     float64 // Adam ε (1e-5: SB3's ActorCriticPolicy sets it for Adam)
	Gamma       float64 // discount γ (0.99)
	Lambda      float64 // GAE λ (0.95)
	Clip        float64 // clip range ε (0.2)
	EntCoef     float64 // entropy coefficient (0)
	VFCoef      float64 // value-loss coefficient (0.5)
	MaxGradNorm float64 // global gradient-norm clip (0.5)
	Epochs      int     // passes over each rollout (3)
	Minibatch   int     // minibatch size (64)
	NSteps      int     // rollout length (the authors: the loader's length, one pass over the fold)
	TotalSteps  int     // environment steps in all (rounded up to whole rollouts, as SB3)
	// The network: Hidden layers with Activation ("relu" or "tanh"); Shared
	// means one trunk feeds the action and value heads (SB3's CnnPolicy with
	// net_arch = []: NatureCNN's features, then a linear head each), else
	// separate trunks (SB3's MlpPolicy: pi [64, 64], vf [64, 64], tanh).
	Hidden     []int
	Activation string
	Shared     bool
	LogStdInit float64 // initial log σ of the Gaussian policy (0)
	Seed       uint64
}

// DefaultPPO returns SB3's defaults with the authors' batch and epochs and
// the dynamic policy's shape (a shared ReLU trunk of 64 standing in for
// NatureCNN's 512-unit features; see the task's notes).
func DefaultPPO() PPOConfig {
	return PPOConfig{LR: 3e-4, AdamEps: 1e-5, Gamma: 0.99, Lambda: 0.95, Clip: 0.2, EntCoef: 0, VFCoef: 0.5,
		MaxGradNorm: 0.5, Epochs: 3, Minibatch: 64, NSteps: 2048, TotalSteps: 2048 * 10,
		Hidden: []int{64}, Activation: "relu", Shared: true, LogStdInit: 0, Seed: 1}
}

// Validate checks the ranges.
func (c PPOConfig) Validate() error {
	switch {
	case !(c.LR > 0) || !(c.AdamEps > 0):
		return fmt.Errorf("ensemble: PPO lr and Adam eps must be > 0")
	case c.Gamma < 0 || c.Gamma > 1 || c.Lambda < 0 || c.Lambda > 1:
		return fmt.Errorf("ensemble: PPO gamma and lambda must be in [0,1]")
	case !(c.Clip > 0):
		return fmt.Errorf("ensemble: PPO clip range must be > 0")
	case c.Epochs < 1 || c.Minibatch < 2 || c.NSteps < 2 || c.TotalSteps < 1:
		return fmt.Errorf("ensemble: PPO epochs >= 1, minibatch >= 2, n_steps >= 2, total steps >= 1")
	case c.Activation != "relu" && c.Activation != "tanh":
		return fmt.Errorf("ensemble: PPO activation %q (want relu or tanh)", c.Activation)
	}
	for _, h := range c.Hidden {
		if h < 1 {
			return fmt.Errorf("ensemble: PPO hidden width %d", h)
		}
	}
	return nil
}

// Policy is a diagonal-Gaussian actor-critic: params in a fixed order
// (see Layout), each a row-major float64 slice.
type Policy struct {
	Cfg    PPOConfig
	Obs    int
	Act    int
	Shapes [][]int
	Params [][]float64
	// indices into Params
	trunkPi, trunkVf [][2]int // (W, b) per layer; trunkVf == trunkPi when shared
	headPi, headVf   [2]int
	logStd           int
}

// NewPolicy initialises a policy as SB3 does: orthogonal weights (gain
// √2 for the trunk, 0.01 for the action head, 1 for the value head),
// zero biases, log σ = LogStdInit.
func NewPolicy(cfg PPOConfig, obs, act int, rng *rand.Rand) *Policy {
	p := &Policy{Cfg: cfg, Obs: obs, Act: act}
	add := func(shape []int, vals []float64) int {
		p.Shapes = append(p.Shapes, shape)
		p.Params = append(p.Params, vals)
		return len(p.Params) - 1
	}
	layer := func(in, out int, gain float64) [2]int {
		w := add([]int{in, out}, orthogonal(rng, in, out, gain))
		b := add([]int{out}, make([]float64, out))
		return [2]int{w, b}
	}
	trunk := func() ([][2]int, int) {
		var ls [][2]int
		in := obs
		for _, h := range cfg.Hidden {
			ls = append(ls, layer(in, h, math.Sqrt2))
			in = h
		}
		return ls, in
	}
	var hp, hv int
	p.trunkPi, hp = trunk()
	if cfg.Shared {
		p.trunkVf, hv = p.trunkPi, hp
	} else {
		p.trunkVf, hv = trunk()
	}
	p.headPi = layer(hp, act, 0.01)
	p.headVf = layer(hv, 1, 1)
	ls := make([]float64, act)
	for i := range ls {
		ls[i] = cfg.LogStdInit
	}
	p.logStd = add([]int{act}, ls)
	return p
}

// orthogonal is torch.nn.init.orthogonal_ for a torch weight [out, in],
// returned transposed as our [in, out]: a Gaussian matrix made orthonormal
// along its shorter side by Gram-Schmidt (R's diagonal positive, as torch's
// sign fix), times gain.
func orthogonal(rng *rand.Rand, in, out int, gain float64) []float64 {
	rows, cols := out, in // torch's flattened weight
	tall := rows >= cols
	r, c := rows, cols
	if !tall {
		r, c = cols, rows
	}
	// columns q_j of an r×c matrix (r ≥ c)
	q := make([][]float64, c)
	for j := range q {
		q[j] = make([]float64, r)
		for i := range q[j] {
			q[j][i] = rng.NormFloat64()
		}
		for k := 0; k < j; k++ {
			var d float64
			for i := range q[j] {
				d += q[j][i] * q[k][i]
			}
			for i := range q[j] {
				q[j][i] -= d * q[k][i]
			}
		}
		var nrm float64
		for _, v := range q[j] {
			nrm += v * v
		}
		nrm = math.Sqrt(nrm)
		for i := range q[j] {
			q[j][i] /= nrm
		}
	}
	wt := make([]float64, in*out) // [in, out]
	for o := 0; o < out; o++ {
		for i := 0; i < in; i++ {
			var v float64
			if tall { // torch W[o][i] = Q[o][i], Q r×c with r = out
				v = q[i][o]
			} else { // W = Qᵀ, Q is in×out
				v = q[o][i]
			}
			wt[i*out+o] = gain * v
		}
	}
	return wt
}

func act(a string, x float64) float64 {
	if a == "tanh" {
		return math.Tanh(x)
	}
	return max(x, 0)
}

func (p *Policy) dense(x []float64, wb [2]int) []float64 {
	w, b := p.Params[wb[0]], p.Params[wb[1]]
	out := len(b)
	y := append([]float64(nil), b...)
	for i, xi := range x {
		row := w[i*out : (i+1)*out]
		for o := range y {
			y[o] += xi * row[o]
		}
	}
	return y
}

func (p *Policy) trunk(x []float64, ls [][2]int) []float64 {
	for _, l := range ls {
		x = p.dense(x, l)
		for i := range x {
			x[i] = act(p.Cfg.Activation, x[i])
		}
	}
	return x
}

// Forward returns the action mean and the value of one observation
// (plain Go; the GoMLX graph of Loss computes the same, tested).
func (p *Policy) Forward(obs []float64) (mean []float64, value float64) {
	hp := p.trunk(obs, p.trunkPi)
	hv := hp
	if !p.Cfg.Shared {
		hv = p.trunk(obs, p.trunkVf)
	}
	return p.dense(hp, p.headPi), p.dense(hv, p.headVf)[0]
}

// LogStd is the policy's current log σ.
func (p *Policy) LogStd() []float64 { return p.Params[p.logStd] }

// Sample draws an action from N(mean, σ²) and returns it with its log
// probability.
func (p *Policy) Sample(mean []float64, rng *rand.Rand) ([]float64, float64) {
	ls := p.LogStd()
	a := make([]float64, len(mean))
	var lp float64
	for i, m := range mean {
		s := math.Exp(ls[i])
		a[i] = m + s*rng.NormFloat64()
		d := (a[i] - m) / s
		lp += -0.5*d*d - ls[i] - 0.5*math.Log(2*math.Pi)
	}
	return a, lp
}

// Predict is SB3's policy.predict for a Box action: the mean
// (deterministic) or a sample, clipped to [0, 1].
func (p *Policy) Predict(obs []float64, deterministic bool, rng *rand.Rand) []float64 {
	m, _ := p.Forward(obs)
	a := m
	if !deterministic {
		a, _ = p.Sample(m, rng)
	}
	return clip01(a)
}

func clip01(a []float64) []float64 {
	out := make([]float64, len(a))
	for i, v := range a {
		out[i] = min(max(v, 0), 1)
	}
	return out
}

// lossGraph builds SB3's PPO loss (ppo.py train()) for params (in Layout
// order) and a minibatch: obs [B,F], act [B,A] (unclipped, as stored),
// oldLogp [B], adv [B] (already normalised), ret [B]. Outputs: loss,
// policy loss, value loss, entropy loss, then d loss / d param for each.
func (p *Policy) lossGraph(in []*Node) []*Node {
	np := len(p.Params)
	params, obs, actN, oldLogp, adv, ret := in[:np], in[np], in[np+1], in[np+2], in[np+3], in[np+4]
	g := obs.Graph()
	dense := func(x *Node, wb [2]int) *Node {
		return Add(MatMul(x, params[wb[0]]), InsertAxes(params[wb[1]], 0))
	}
	trunk := func(x *Node, ls [][2]int) *Node {
		for _, l := range ls {
			x = dense(x, l)
			if p.Cfg.Activation == "tanh" {
				x = Tanh(x)
			} else {
				x = Max(x, ZerosLike(x))
			}
		}
		return x
	}
	hp := trunk(obs, p.trunkPi)
	hv := hp
	if !p.Cfg.Shared {
		hv = trunk(obs, p.trunkVf)
	}
	mean := dense(hp, p.headPi)                           // [B, A]
	value := Reshape(dense(hv, p.headVf), -1)             // [B]
	logStd := params[p.logStd]                            // [A]
	z := Div(Sub(actN, mean), InsertAxes(Exp(logStd), 0)) // [B, A]
	half := Scalar(g, obs.DType(), 0.5)
	log2pi := Scalar(g, obs.DType(), 0.5*math.Log(2*math.Pi))
	logp := ReduceSum(Neg(Add(Add(Mul(half, Square(z)), InsertAxes(logStd, 0)), log2pi)), 1) // [B]
	ratio := Exp(Sub(logp, oldLogp))
	l1 := Mul(adv, ratio)
	l2 := Mul(adv, ClipScalar(ratio, 1-p.Cfg.Clip, 1+p.Cfg.Clip))
	pg := Neg(ReduceAllMean(Min(l1, l2)))
	vf := ReduceAllMean(Square(Sub(ret, value)))
	// entropy of the diagonal Gaussian, per sample: Σ (½ + ½ log 2π + log σ)
	ent := ReduceAllSum(Add(Add(half, log2pi), logStd))
	entLoss := Neg(ent)
	loss := Add(Add(pg, MulScalar(entLoss, p.Cfg.EntCoef)), MulScalar(vf, p.Cfg.VFCoef))
	out := []*Node{loss, pg, vf, entLoss}
	return append(out, Gradient(loss, params...)...)
}

// LossAndGrad evaluates the loss graph on backend for one minibatch.
type lossExec struct {
	p    *Policy
	exec *Exec
}

func newLossExec(backend backends.Backend, p *Policy) (*lossExec, error) {
	e, err := NewExec(backend, p.lossGraph)
	if err != nil {
		return nil, err
	}
	return &lossExec{p: p, exec: e}, nil
}

// Minibatch is one PPO minibatch.
type Minibatch struct {
	Obs, Act          [][]float64
	OldLogp, Adv, Ret []float64
}

// LossTerms are the loss and its parts.
type LossTerms struct{ Loss, Policy, Value, Entropy float64 }

func flat(rows [][]float64) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func (le *lossExec) run(mb Minibatch) (LossTerms, [][]float64, error) {
	p := le.p
	args := make([]any, 0, len(p.Params)+5)
	for i, v := range p.Params {
		args = append(args, tensors.FromFlatDataAndDimensions(append([]float64(nil), v...), p.Shapes[i]...))
	}
	b := len(mb.Obs)
	args = append(args, tensors.FromFlatDataAndDimensions(flat(mb.Obs), b, p.Obs),
		tensors.FromFlatDataAndDimensions(flat(mb.Act), b, p.Act),
		tensors.FromFlatDataAndDimensions(append([]float64(nil), mb.OldLogp...), b),
		tensors.FromFlatDataAndDimensions(append([]float64(nil), mb.Adv...), b),
		tensors.FromFlatDataAndDimensions(append([]float64(nil), mb.Ret...), b))
	outs, err := le.exec.Exec(args...)
	if err != nil {
		return LossTerms{}, nil, err
	}
	sc := func(t *tensors.Tensor) float64 { return tensors.ToScalar[float64](t) }
	lt := LossTerms{sc(outs[0]), sc(outs[1]), sc(outs[2]), sc(outs[3])}
	grads := make([][]float64, len(p.Params))
	for i := range grads {
		grads[i] = tensors.MustCopyFlatData[float64](outs[4+i])
	}
	return lt, grads, nil
}

// adam is torch.optim.Adam (β 0.9, 0.999) with global-norm clipping before
// the step (torch.nn.utils.clip_grad_norm_, SB3's order).
type adam struct {
	lr, eps, maxNorm float64
	m, v             [][]float64
	t                int
}

func newAdam(p *Policy) *adam {
	a := &adam{lr: p.Cfg.LR, eps: p.Cfg.AdamEps, maxNorm: p.Cfg.MaxGradNorm}
	for _, x := range p.Params {
		a.m = append(a.m, make([]float64, len(x)))
		a.v = append(a.v, make([]float64, len(x)))
	}
	return a
}

// ClipGradNorm scales grads in place to global L2 norm ≤ maxNorm
// (coefficient maxNorm / (norm + 1e-6), applied when < 1) and returns the
// norm before clipping.
func ClipGradNorm(grads [][]float64, maxNorm float64) float64 {
	var s float64
	for _, g := range grads {
		for _, v := range g {
			s += v * v
		}
	}
	n := math.Sqrt(s)
	if c := maxNorm / (n + 1e-6); c < 1 {
		for _, g := range grads {
			for i := range g {
				g[i] *= c
			}
		}
	}
	return n
}

func (a *adam) step(params, grads [][]float64) {
	if a.maxNorm > 0 {
		ClipGradNorm(grads, a.maxNorm)
	}
	a.t++
	b1, b2 := 0.9, 0.999
	c1, c2 := 1-math.Pow(b1, float64(a.t)), 1-math.Pow(b2, float64(a.t))
	for j, g := range grads {
		for i, gi := range g {
			a.m[j][i] = b1*a.m[j][i] + (1-b1)*gi
			a.v[j][i] = b2*a.v[j][i] + (1-b2)*gi*gi
			params[j][i] -= a.lr * (a.m[j][i] / c1) / (math.Sqrt(a.v[j][i]/c2) + a.eps)
		}
	}
}

// GAE is SB3's RolloutBuffer.compute_returns_and_advantage for a rollout
// that never ends an episode: δ_t = r_t + γ V_{t+1} − V_t (V_n = lastValue),
// A_t = δ_t + γλ A_{t+1}; returns = A + V.
func GAE(rewards, values []float64, lastValue, gamma, lambda float64) (adv, ret []float64) {
	n := len(rewards)
	adv, ret = make([]float64, n), make([]float64, n)
	var last float64
	for t := n - 1; t >= 0; t-- {
		next := lastValue
		if t < n-1 {
			next = values[t+1]
		}
		delta := rewards[t] + gamma*next - values[t]
		last = delta + gamma*lambda*last
		adv[t] = last
		ret[t] = last + values[t]
	}
	return adv, ret
}

// NormalizeAdvantages is SB3's per-minibatch (A − mean) / (std + 1e-8),
// std with Bessel's correction (torch.std); a minibatch of one is left as is.
func NormalizeAdvantages(a []float64) []float64 {
	out := append([]float64(nil), a...)
	if len(a) <= 1 {
		return out
	}
	var m float64
	for _, v := range a {
		m += v
	}
	m /= float64(len(a))
	var s float64
	for _, v := range a {
		s += (v - m) * (v - m)
	}
	sd := math.Sqrt(s / float64(len(a)-1))
	for i := range out {
		out[i] = (a[i] - m) / (sd + 1e-8)
	}
	return out
}

// PPOLog is what training records.
type PPOLog struct {
	StepReward    []float64 // reward of every environment step
	RolloutReward []float64 // mean reward of each rollout
	Loss          []float64 // mean loss of each rollout's updates
	Updates       int       // gradient steps taken
}

// TrainPPO runs SB3's PPO.learn on env: rollouts of NSteps (the state,
// the unclipped sampled action, its log probability, the value, the reward
// of the clipped action), GAE, then Epochs passes of shuffled minibatches
// with the clipped surrogate, value and entropy losses, global-norm
// clipping and Adam. The loss and its gradients run on backend (GoMLX).
func TrainPPO(backend backends.Backend, cfg PPOConfig, env Env) (*Policy, PPOLog, error) {
	var log PPOLog
	if err := cfg.Validate(); err != nil {
		return nil, log, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0xda3e39cb94b95bdb))
	p := NewPolicy(cfg, env.ObsDim(), env.ActDim(), rng)
	le, err := newLossExec(backend, p)
	if err != nil {
		return nil, log, err
	}
	opt := newAdam(p)
	obs := env.Reset()
	n := cfg.NSteps
	for done := 0; done < cfg.TotalSteps; done += n {
		bObs, bAct := make([][]float64, n), make([][]float64, n)
		bLogp, bVal, bRew := make([]float64, n), make([]float64, n), make([]float64, n)
		var sum float64
		for t := range n {
			mean, v := p.Forward(obs)
			a, lp := p.Sample(mean, rng)
			next, r := env.Step(clip01(a))
			bObs[t], bAct[t], bLogp[t], bVal[t], bRew[t] = obs, a, lp, v, r
			log.StepReward = append(log.StepReward, r)
			sum += r
			obs = next
		}
		log.RolloutReward = append(log.RolloutReward, sum/float64(n))
		_, lastV := p.Forward(obs)
		adv, ret := GAE(bRew, bVal, lastV, cfg.Gamma, cfg.Lambda)
		var lsum float64
		var lcount int
		for range cfg.Epochs {
			perm := rng.Perm(n)
			for lo := 0; lo < n; lo += cfg.Minibatch {
				idx := perm[lo:min(lo+cfg.Minibatch, n)]
				mb := Minibatch{}
				var a []float64
				for _, i := range idx {
					mb.Obs = append(mb.Obs, bObs[i])
					mb.Act = append(mb.Act, bAct[i])
					mb.OldLogp = append(mb.OldLogp, bLogp[i])
					mb.Ret = append(mb.Ret, ret[i])
					a = append(a, adv[i])
				}
				mb.Adv = NormalizeAdvantages(a)
				lt, grads, err := le.run(mb)
				if err != nil {
					return nil, log, err
				}
				opt.step(p.Params, grads)
				lsum += lt.Loss
				lcount++
				log.Updates++
			}
		}
		log.Loss = append(log.Loss, lsum/float64(lcount))
	}
	return p, log, nil
}
