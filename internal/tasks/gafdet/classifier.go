package gafdet

import (
	"fmt"
	"math"
)

// videoClassifier is the video-level classifier that replaces the external CUHK video scores
// AFSD's and GAF's ActivityNet test reads (anet/test.py:55-78, cuhk_val_simp_share.json, not
// available here): multinomial logistic regression on a video's time-averaged features
// (standardised), trained by full-batch gradient descent on the training videos' labels. A
// named deviation (REPRODUCE.md); classes never seen in training get probability 0.
type videoClassifier struct {
	mean, sd []float64
	seen     []int       // class indices with training videos
	w        [][]float64 // [len(seen)][D+1], the last column the bias
	classes  int
}

// Classifier training constants (ours: the paper and the code have no such classifier).
const (
	clfIters = 300
	clfRate  = 0.5
	clfL2    = 1e-3
)

func videoMean(v *Video) []float64 {
	w := len(v.Feat) / v.N
	m := make([]float64, w)
	for t := range v.N {
		for j := range w {
			m[j] += float64(v.Feat[t*w+j])
		}
	}
	for j := range m {
		m[j] /= float64(v.N)
	}
	return m
}

func trainVideoClassifier(videos []*Video, labels map[string]string, classes []string, _ int64) (*videoClassifier, error) {
	idx := map[string]int{}
	for i, c := range classes {
		idx[c] = i
	}
	var x [][]float64
	var y []int
	for _, v := range videos {
		k, ok := idx[labels[v.ID]]
		if !ok {
			return nil, fmt.Errorf("gaf-anet: training video %s has label %q outside the taxonomy", v.ID, labels[v.ID])
		}
		x, y = append(x, videoMean(v)), append(y, k)
	}
	if len(x) == 0 {
		return nil, fmt.Errorf("gaf-anet: no training video for the video-level classifier")
	}
	d := len(x[0])
	m := &videoClassifier{mean: make([]float64, d), sd: make([]float64, d), classes: len(classes)}
	for _, r := range x {
		for j, v := range r {
			m.mean[j] += v
		}
	}
	for j := range m.mean {
		m.mean[j] /= float64(len(x))
	}
	for _, r := range x {
		for j, v := range r {
			m.sd[j] += (v - m.mean[j]) * (v - m.mean[j])
		}
	}
	for j := range m.sd {
		m.sd[j] = math.Sqrt(m.sd[j]/float64(len(x))) + 1e-6
	}
	pos := map[int]int{}
	for _, k := range y {
		if _, ok := pos[k]; !ok {
			pos[k] = len(m.seen)
			m.seen = append(m.seen, k)
		}
	}
	z := make([][]float64, len(x))
	for i, r := range x {
		z[i] = m.standardise(r)
	}
	K := len(m.seen)
	m.w = make([][]float64, K)
	for k := range m.w {
		m.w[k] = make([]float64, d+1)
	}
	grad := make([][]float64, K)
	for k := range grad {
		grad[k] = make([]float64, d+1)
	}
	p := make([]float64, K)
	for range clfIters {
		for k := range grad {
			for j := range grad[k] {
				grad[k][j] = 0
			}
		}
		for i, r := range z {
			m.softmax(r, p)
			for k := range K {
				g := p[k]
				if pos[y[i]] == k {
					g--
				}
				for j, v := range r {
					grad[k][j] += g * v
				}
				grad[k][d] += g
			}
		}
		for k := range K {
			for j := range m.w[k] {
				reg := 0.0
				if j < d {
					reg = clfL2 * m.w[k][j]
				}
				m.w[k][j] -= clfRate * (grad[k][j]/float64(len(z)) + reg)
			}
		}
	}
	return m, nil
}

func (m *videoClassifier) standardise(r []float64) []float64 {
	out := make([]float64, len(r))
	for j, v := range r {
		out[j] = (v - m.mean[j]) / m.sd[j]
	}
	return out
}

// softmax writes the probabilities of the seen classes for a standardised input into p.
func (m *videoClassifier) softmax(z, p []float64) {
	d := len(z)
	mx := math.Inf(-1)
	for k, w := range m.w {
		s := w[d]
		for j, v := range z {
			s += w[j] * v
		}
		p[k] = s
		mx = math.Max(mx, s)
	}
	sum := 0.0
	for k := range p {
		p[k] = math.Exp(p[k] - mx)
		sum += p[k]
	}
	for k := range p {
		p[k] /= sum
	}
}

// predict returns the probabilities of every class (0 for the unseen) for a video.
func (m *videoClassifier) predict(v []float32) []float64 {
	vid := &Video{Feat: v, N: len(v) / len(m.mean)}
	p := make([]float64, len(m.seen))
	m.softmax(m.standardise(videoMean(vid)), p)
	out := make([]float64, m.classes)
	for k, c := range m.seen {
		out[c] = p[k]
	}
	return out
}
