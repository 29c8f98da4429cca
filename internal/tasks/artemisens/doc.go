// Package artemisens runs ARTEMIS Table 4: the ensemble strategies
// (average, genetic algorithm, PPO, and the authors' published GA weights)
// over the cached logits of the three members that
// internal/tasks/ensmember trained (experiment table4_members), one point
// per strategy, fold and protocol. It trains no member: it reads the
// members' records and their <hash>.logits.npz files, fits the weights on
// a cross-validation fold of train with internal/ensemble, and scores the
// weighted ensemble on the val split with internal/metrics.
package artemisens
