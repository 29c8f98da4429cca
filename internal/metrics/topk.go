package metrics

import (
	"fmt"
	"sort"
)

// TopK returns the top-k accuracy of each k in ks: the fraction of samples
// whose true class is among the k highest-scored classes. labels[i] is the
// true class index of sample i, scores is n samples × c classes. Classes with
// tied scores are ranked as scikit-learn's top_k_accuracy_score ranks them
// (a stable ascending sort reversed: among ties the higher class index comes
// first). A k ≥ c gives 1.
func TopK(labels []int, scores [][]float64, ks []int) ([]float64, error) {
	y := make([][]bool, len(labels))
	for i, l := range labels {
		if i >= len(scores) {
			break
		}
		if l < 0 || l >= len(scores[i]) {
			return nil, fmt.Errorf("metrics: sample %d has class %d outside [0, %d)", i, l, len(scores[i]))
		}
		y[i] = make([]bool, len(scores[i]))
		y[i][l] = true
	}
	return TopKMultiLabel(y, scores, ks)
}

// TopKMultiLabel is TopK for a label matrix (n × c, true = positive): a
// sample is a hit when any of its positive classes is among its k
// highest-scored classes; a sample without positives is a miss. For one-hot
// rows it equals TopK.
func TopKMultiLabel(y [][]bool, scores [][]float64, ks []int) ([]float64, error) {
	n, c, err := checkMatrix(y, scores)
	if err != nil {
		return nil, err
	}
	for _, k := range ks {
		if k <= 0 {
			return nil, fmt.Errorf("metrics: top-k needs k > 0, got %d", k)
		}
	}
	hits := make([]int, len(ks))
	order := make([]int, c)
	for i := 0; i < n; i++ {
		for j := range order {
			order[j] = c - 1 - j // reversed, then stable: ties keep the higher index first
		}
		row := scores[i]
		sort.SliceStable(order, func(a, b int) bool { return row[order[a]] > row[order[b]] })
		// best is the rank (0-based) of the first positive class.
		best := -1
		for r, j := range order {
			if y[i][j] {
				best = r
				break
			}
		}
		for t, k := range ks {
			if best >= 0 && best < k {
				hits[t]++
			}
		}
	}
	out := make([]float64, len(ks))
	for t := range ks {
		out[t] = float64(hits[t]) / float64(n)
	}
	return out, nil
}
