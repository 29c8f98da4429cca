package ucf50

// Confusion counts test clips by true class (row) and predicted class
// (column, the argmax of the probabilities).
func Confusion(probs [][]float64, labels []int, k int) [][]int {
	m := make([][]int, k)
	for i := range m {
		m[i] = make([]int, k)
	}
	for i, p := range probs {
		m[labels[i]][argmax(p)]++
	}
	return m
}

// ClassScores are scikit-learn's classification_report values of one class
// (zero_division=0: a class never predicted has precision 0).
type ClassScores struct {
	Precision, Recall, F1 float64
	Support               int
}

// Scores returns per-class precision, recall and F1 of a confusion matrix
// and their unweighted (macro) means.
func Scores(conf [][]int) (per []ClassScores, macro ClassScores) {
	k := len(conf)
	per = make([]ClassScores, k)
	for c := 0; c < k; c++ {
		tp := conf[c][c]
		predicted, actual := 0, 0
		for j := 0; j < k; j++ {
			predicted += conf[j][c]
			actual += conf[c][j]
		}
		s := ClassScores{Support: actual}
		if predicted > 0 {
			s.Precision = float64(tp) / float64(predicted)
		}
		if actual > 0 {
			s.Recall = float64(tp) / float64(actual)
		}
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
		per[c] = s
		macro.Precision += s.Precision / float64(k)
		macro.Recall += s.Recall / float64(k)
		macro.F1 += s.F1 / float64(k)
		macro.Support += actual
	}
	return per, macro
}
