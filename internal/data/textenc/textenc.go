package textenc

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"unicode"

	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// DefaultDim is the embedding width, CLIP ViT-B's 512.
const DefaultDim = 512

// Name identifies the encoder and its version in results' provenance.
const Name = "textenc-tfidf12-lsa-v1"

// Options configure FitOptions. Zero values take the defaults noted.
type Options struct {
	Dim        int    // output width (default DefaultDim)
	Oversample int    // extra sketch columns of the randomized SVD (default 10, scikit-learn's n_oversamples)
	PowerIters int    // power iterations (Fit uses 2; scikit-learn's TruncatedSVD uses 5)
	Seed       uint64 // seed of the Gaussian sketch (default 0)
}

func (o *Options) defaults() {
	if o.Dim <= 0 {
		o.Dim = DefaultDim
	}
	if o.Oversample <= 0 {
		o.Oversample = 10
	}
	if o.PowerIters < 0 {
		o.PowerIters = 0
	}
}

// Encoder embeds texts. Build it with Fit or FitOptions.
type Encoder struct {
	Dim   int
	opt   Options
	nDocs int
	vocab map[string]int
	idf   []float64
	// comp is the vocabulary × Dim matrix of right singular vectors (columns
	// beyond the corpus's rank are zero).
	comp *mat.Dense
	// Singular values of the fitting corpus's TF-IDF matrix, largest first.
	Singular []float64
}

// Fit fits the encoder on corpus with width dim (dim <= 0 means
// DefaultDim), 2 power iterations and seed 0. The last fit is memoised
// (keyed by a hash of corpus and options), so the points of one run that
// share a corpus fit it once, and kept on disk (see EnvCacheDir).
func Fit(corpus []string, dim int) (*Encoder, error) {
	return FitOptions(corpus, Options{Dim: dim, PowerIters: 2})
}

var memo struct {
	sync.Mutex
	key [32]byte
	enc *Encoder
}

func memoKey(corpus []string, o Options) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s %+v %d\n", Name, o, len(corpus))
	for _, d := range corpus {
		fmt.Fprintf(h, "%d:%s", len(d), d)
	}
	var k [32]byte
	copy(k[:], h.Sum(nil))
	return k
}

// FitOptions fits the vocabulary, idf and LSA projection on corpus. An
// empty corpus, or one without a single token, is an error.
func FitOptions(corpus []string, o Options) (*Encoder, error) {
	o.defaults()
	key := memoKey(corpus, o)
	memo.Lock()
	defer memo.Unlock()
	if memo.enc != nil && memo.key == key {
		return memo.enc, nil
	}
	if e := loadCached(key); e != nil {
		memo.key, memo.enc = key, e
		return e, nil
	}
	e, err := fit(corpus, o)
	if err == nil {
		memo.key, memo.enc = key, e
		storeCached(key, e)
	}
	return e, err
}

func fit(corpus []string, o Options) (*Encoder, error) {
	e := &Encoder{Dim: o.Dim, opt: o, nDocs: len(corpus), vocab: map[string]int{}}
	df := map[string]int{}
	for _, doc := range corpus {
		seen := map[string]bool{}
		for _, f := range Features(doc) {
			if !seen[f] {
				seen[f] = true
				df[f]++
			}
		}
	}
	if len(corpus) == 0 {
		return nil, errors.New("textenc: empty corpus")
	}
	if len(df) == 0 {
		return nil, errors.New("textenc: the corpus has no token of two or more letters/digits")
	}
	keys := make([]string, 0, len(df))
	for f := range df {
		keys = append(keys, f)
	}
	sort.Strings(keys) // vocabulary order as scikit-learn's: sorted features
	e.idf = make([]float64, len(keys))
	for j, f := range keys {
		e.vocab[f] = j
		e.idf[j] = math.Log(float64(1+e.nDocs)/float64(1+df[f])) + 1
	}
	rows := make([]sparseRow, len(corpus))
	for i, doc := range corpus {
		rows[i] = e.tfidf(doc)
	}
	e.comp, e.Singular = randomizedSVD(&csr{rows: rows, cols: len(keys)}, o)
	return e, nil
}

// String describes the encoder for provenance records.
func (e *Encoder) String() string {
	return fmt.Sprintf("%s dim=%d docs=%d vocab=%d oversample=%d power_iters=%d seed=%d", Name, e.Dim, e.nDocs, len(e.vocab), e.opt.Oversample, e.opt.PowerIters, e.opt.Seed)
}

// VocabSize is the number of (1,2)-gram features of the fitting corpus.
func (e *Encoder) VocabSize() int { return len(e.vocab) }

// IDF returns the smoothed inverse document frequency of a vocabulary
// feature, and false for a feature outside the vocabulary.
func (e *Encoder) IDF(feature string) (float64, bool) {
	j, ok := e.vocab[feature]
	if !ok {
		return 0, false
	}
	return e.idf[j], true
}

// sparseRow is one L2-normalised TF-IDF row: vocabulary indices (ascending)
// and their values.
type sparseRow struct {
	idx []int
	val []float64
}

// TFIDF returns the L2-normalised sublinear TF-IDF vector of text over the
// vocabulary as parallel index/value slices (indices ascending); features
// outside the vocabulary are dropped, as scikit-learn does.
func (e *Encoder) TFIDF(text string) ([]int, []float64) {
	r := e.tfidf(text)
	return r.idx, r.val
}

func (e *Encoder) tfidf(text string) sparseRow {
	tf := map[int]int{}
	for _, f := range Features(text) {
		if j, ok := e.vocab[f]; ok {
			tf[j]++
		}
	}
	r := sparseRow{idx: make([]int, 0, len(tf))}
	for j := range tf {
		r.idx = append(r.idx, j)
	}
	sort.Ints(r.idx)
	r.val = make([]float64, len(r.idx))
	var n float64
	for i, j := range r.idx {
		v := (1 + math.Log(float64(tf[j]))) * e.idf[j]
		r.val[i] = v
		n += v * v
	}
	if n > 0 {
		n = math.Sqrt(n)
		for i := range r.val {
			r.val[i] /= n
		}
	}
	return r
}

// Encode embeds text into an L2-normalised vector of e.Dim values (all zero
// when the text has no vocabulary feature).
func (e *Encoder) Encode(text string) []float32 {
	r := e.tfidf(text)
	v := make([]float64, e.Dim)
	for i, j := range r.idx {
		row := e.comp.RawRowView(j)
		w := r.val[i]
		for c, x := range row {
			v[c] += w * x
		}
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

// Words splits text into its tokens: lower-case maximal runs of letters,
// digits and '_' of at least two characters (scikit-learn's default
// token_pattern (?u)\b\w\w+\b).
func Words(text string) []string {
	f := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
	})
	out := f[:0]
	for _, w := range f {
		if len([]rune(w)) >= 2 {
			out = append(out, w)
		}
	}
	return out
}

// Features returns the tokens of text followed by its bigrams ("w1 w2"),
// scikit-learn's ngram_range=(1,2).
func Features(text string) []string {
	w := Words(text)
	f := make([]string, 0, 2*len(w))
	f = append(f, w...)
	for i := 1; i < len(w); i++ {
		f = append(f, w[i-1]+" "+w[i])
	}
	return f
}

// csr is a sparse row matrix.
type csr struct {
	rows []sparseRow
	cols int
}

// mulDense returns A·B for B of shape cols × l.
func (a *csr) mulDense(b *mat.Dense) *mat.Dense {
	_, l := b.Dims()
	out := mat.NewDense(len(a.rows), l, nil)
	for i, r := range a.rows {
		dst := out.RawRowView(i)
		for k, j := range r.idx {
			v := r.val[k]
			for c, x := range b.RawRowView(j) {
				dst[c] += v * x
			}
		}
	}
	return out
}

// tMulDense returns Aᵀ·B for B of shape len(rows) × l.
func (a *csr) tMulDense(b *mat.Dense) *mat.Dense {
	_, l := b.Dims()
	out := mat.NewDense(a.cols, l, nil)
	for i, r := range a.rows {
		src := b.RawRowView(i)
		for k, j := range r.idx {
			v := r.val[k]
			dst := out.RawRowView(j)
			for c, x := range src {
				dst[c] += v * x
			}
		}
	}
	return out
}

// thinQR overwrites y (rows >= cols) with the thin Q factor of its QR
// decomposition (LAPACK dgeqrf + dorgqr through gonum) and returns R.
func thinQR(y *mat.Dense) *mat.Dense {
	g := y.RawMatrix()
	tau := make([]float64, g.Cols)
	work := []float64{0}
	lapack64.Geqrf(g, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Geqrf(g, tau, work, len(work))
	r := mat.NewDense(g.Cols, g.Cols, nil)
	for i := 0; i < g.Cols; i++ {
		copy(r.RawRowView(i)[i:], g.Data[i*g.Stride+i:i*g.Stride+g.Cols])
	}
	work = []float64{0}
	lapack64.Orgqr(g, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Orgqr(g, tau, work, len(work))
	return r
}

// orthonormalize returns the thin Q factor of y, overwriting y.
func orthonormalize(y *mat.Dense) *mat.Dense {
	thinQR(y)
	return y
}

// randomizedSVD returns the vocabulary × o.Dim matrix of A's leading right
// singular vectors and the singular values (Halko et al. 2011, Alg. 4.4
// randomized subspace iteration + Alg. 5.1 direct SVD). The sketch width is
// l = min(Dim+Oversample, rows, cols); when l < Dim the missing components
// are zero columns.
func randomizedSVD(a *csr, o Options) (*mat.Dense, []float64) {
	n, v := len(a.rows), a.cols
	l := min(o.Dim+o.Oversample, n, v)
	rng := rand.New(rand.NewPCG(o.Seed, 0x15A_5EED))
	omega := mat.NewDense(v, l, nil)
	raw := omega.RawMatrix().Data
	for i := range raw {
		raw[i] = rng.NormFloat64()
	}
	q := orthonormalize(a.mulDense(omega)) // n × l, range of A
	for it := 0; it < o.PowerIters; it++ {
		z := orthonormalize(a.tMulDense(q)) // v × l
		q = orthonormalize(a.mulDense(z))
	}
	// B = Qᵀ A (l × v). With Bᵀ = Q₂ R (QR, Q₂ v × l) and R = U Σ Wᵀ (SVD),
	// B = W Σ (Q₂ U)ᵀ: the right singular vectors of B, hence of A's
	// approximation Q B, are the columns of Q₂ U.
	q2 := a.tMulDense(q)
	r := thinQR(q2)
	var svd mat.SVD
	if !svd.Factorize(r, mat.SVDFull) {
		panic("textenc: SVD of the projected matrix did not converge")
	}
	var u mat.Dense
	svd.UTo(&u)
	var vecs mat.Dense
	vecs.Mul(q2, &u) // v × l
	comp := mat.NewDense(v, o.Dim, nil)
	k := min(o.Dim, l)
	comp.Slice(0, v, 0, k).(*mat.Dense).Copy(vecs.Slice(0, v, 0, k))
	sv := svd.Values(nil)[:k]
	return comp, sv
}
