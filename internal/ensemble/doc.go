// Package ensemble combines the logits of several models into one
// prediction and fits the combination's weights: the fixed average, a
// genetic algorithm with DEAP's semantics (the operators an author passes
// to it are options), and PPO, a clipped-objective policy-gradient method
// whose loss and gradients run on GoMLX. It knows no paper and no model:
// it takes, per member, an [N][K] matrix of raw logits, and the N clips'
// 0/1 labels; the metric it maximises is internal/metrics' batch-micro mAP
// (or any fitness function).
package ensemble
