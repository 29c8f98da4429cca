package textenc

import (
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"unicode"
)

// DefaultDim is the embedding width, CLIP ViT-B's 512.
const DefaultDim = 512

// Name identifies the encoder and its version in results' provenance.
const Name = "textenc-hashed-tfidf-v1"

// Encoder embeds texts. Build it with Fit.
type Encoder struct {
	Dim   int
	nDocs int
	df    map[string]int
}

// Fit counts document frequencies of features over corpus. dim <= 0 means
// DefaultDim.
func Fit(corpus []string, dim int) *Encoder {
	if dim <= 0 {
		dim = DefaultDim
	}
	e := &Encoder{Dim: dim, nDocs: len(corpus), df: map[string]int{}}
	for _, doc := range corpus {
		seen := map[string]bool{}
		for _, f := range Features(doc) {
			if !seen[f] {
				seen[f] = true
				e.df[f]++
			}
		}
	}
	return e
}

// String describes the encoder for provenance records.
func (e *Encoder) String() string {
	return fmt.Sprintf("%s dim=%d docs=%d vocab=%d", Name, e.Dim, e.nDocs, len(e.df))
}

// IDF returns the smoothed inverse document frequency of a feature.
func (e *Encoder) IDF(feature string) float64 {
	return math.Log(float64(1+e.nDocs)/float64(1+e.df[feature])) + 1
}

// Encode embeds text into an L2-normalised vector of e.Dim values (all zero
// when the text has no word).
func (e *Encoder) Encode(text string) []float32 {
	tf := map[string]int{}
	var order []string
	for _, f := range Features(text) {
		if tf[f] == 0 {
			order = append(order, f)
		}
		tf[f]++
	}
	v := make([]float64, e.Dim)
	for _, f := range order { // first-occurrence order: deterministic sums
		h := fnv.New64a()
		h.Write([]byte(f))
		s := h.Sum64()
		w := (1 + math.Log(float64(tf[f]))) * e.IDF(f)
		if s>>63 == 1 {
			w = -w
		}
		v[s%uint64(e.Dim)] += w
	}
	var n float64
	for _, x := range v {
		n += x * x
	}
	out := make([]float32, e.Dim)
	if n == 0 {
		return out
	}
	n = math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(x / n)
	}
	return out
}

// EncodeAll embeds every text.
func (e *Encoder) EncodeAll(texts []string) [][]float32 {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = e.Encode(t)
	}
	return out
}

// Words splits text into lower-case runs of letters and digits.
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Features returns the words of text followed by its bigrams ("w1 w2").
func Features(text string) []string {
	w := Words(text)
	f := make([]string, 0, 2*len(w))
	f = append(f, w...)
	for i := 1; i < len(w); i++ {
		f = append(f, w[i-1]+" "+w[i])
	}
	return f
}
