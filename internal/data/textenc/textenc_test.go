package textenc

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

const normTol = 1e-5 // float32 rounding of an L2-normalised vector

func TestWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"The CAT, runs!", "[the cat runs]"},
		{"a heron_2 is in 3d water", "[heron_2 is in 3d water]"}, // one-character tokens dropped (\w\w+)
		{"Él corrió", "[él corrió]"},
	}
	for _, tc := range tests {
		if got := fmt.Sprint(Words(tc.in)); got != tc.want {
			t.Errorf("Words(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if got := fmt.Sprint(Features("a cat runs fast")); got != "[cat runs fast cat runs runs fast]" {
		t.Errorf("Features: %s", got)
	}
}

func TestEncode(t *testing.T) {
	corpus := []string{"The cat is running.", "A bird is flying over water.", "The cat sleeps.", "Birds fly over the water."}
	e, err := Fit(corpus, 3)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, a, b string
		same       bool
	}{
		{"identical texts", "the cat runs", "the cat runs", true},
		{"case and punctuation ignored", "The CAT, runs!", "the cat runs", true},
		{"different texts", "the cat sleeps", "a bird is flying", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			va, vb := e.Encode(tc.a), e.Encode(tc.b)
			eq := fmt.Sprint(va) == fmt.Sprint(vb)
			if eq != tc.same {
				t.Errorf("Encode(%q)==Encode(%q) is %v, want %v", tc.a, tc.b, eq, tc.same)
			}
			var n float64
			for _, x := range va {
				n += float64(x) * float64(x)
			}
			if math.Abs(n-1) > normTol {
				t.Errorf("norm² %v, want 1", n)
			}
		})
	}
	if v := e.Encode("!!! unknown words"); v[0] != 0 || len(v) != 3 {
		t.Errorf("text without vocabulary features: got %v", v)
	}
	if _, err := FitOptions(nil, Options{}); err == nil {
		t.Error("empty corpus accepted")
	}
	if _, err := FitOptions([]string{"a b c"}, Options{}); err == nil {
		t.Error("corpus without tokens accepted")
	}
}

func TestIDFAndTFIDF(t *testing.T) {
	e, err := Fit([]string{"aa bb", "aa cc", "aa"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	// hand calculation: N=3, df(aa)=3 -> ln(4/4)+1 = 1; df(bb)=1 -> ln(4/2)+1.
	if got, _ := e.IDF("aa"); math.Abs(got-1) > 1e-12 {
		t.Errorf("IDF(aa)=%v want 1", got)
	}
	if got, _ := e.IDF("bb"); math.Abs(got-(math.Log(2)+1)) > 1e-12 {
		t.Errorf("IDF(bb)=%v want %v", got, math.Log(2)+1)
	}
	if _, ok := e.IDF("zz"); ok {
		t.Error("IDF of an unknown feature reported as known")
	}
	// "aa aa bb": tf(aa)=2 -> (1+ln 2)·1, tf(bb)=1 -> ln 2+1, tf("aa aa")
	// unknown, tf("aa bb")=1 -> idf ln 2+1; then L2-normalised.
	idx, val := e.TFIDF("aa aa bb")
	raw := []float64{1 + math.Log(2), math.Log(2) + 1, math.Log(2) + 1} // aa, "aa bb", bb in sorted order
	var n float64
	for _, x := range raw {
		n += x * x
	}
	if len(idx) != 3 {
		t.Fatalf("TFIDF indices %v", idx)
	}
	for i := range raw {
		if math.Abs(val[i]-raw[i]/math.Sqrt(n)) > 1e-12 {
			t.Errorf("TFIDF value %d = %v, want %v", i, val[i], raw[i]/math.Sqrt(n))
		}
	}
}

// TestRandomizedSVD compares the randomized SVD with gonum's exact SVD of
// the dense TF-IDF matrix of a small corpus whose rank the sketch covers:
// singular values and the projector on the leading subspace must agree.
func TestRandomizedSVD(t *testing.T) {
	const tol = 1e-9 // exact in exact arithmetic when l >= rank; float64 rounding
	var corpus []string
	words := []string{"cat", "dog", "bird", "runs", "flies", "eats", "water", "grass", "tree", "sleeps"}
	for i := 0; i < 40; i++ {
		corpus = append(corpus, fmt.Sprintf("%s %s %s %s", words[i%10], words[(i*3+1)%10], words[(i*7+2)%10], words[(i/3)%10]))
	}
	const k = 5
	e, err := FitOptions(corpus, Options{Dim: k, Oversample: 200, PowerIters: 2, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	v := e.VocabSize()
	a := mat.NewDense(len(corpus), v, nil)
	for i, doc := range corpus {
		idx, val := e.TFIDF(doc)
		for j, c := range idx {
			a.Set(i, c, val[j])
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		t.Fatal("exact SVD failed")
	}
	want := svd.Values(nil)
	for i := 0; i < k; i++ {
		if math.Abs(e.Singular[i]-want[i]) > tol*want[0] {
			t.Errorf("singular value %d: %v, exact %v", i, e.Singular[i], want[i])
		}
	}
	if want[k-1]-want[k] < 1e-6 {
		t.Fatalf("test corpus has no gap after %d values: %v", k, want[:k+1])
	}
	var vt mat.Dense
	svd.VTo(&vt)
	exact := vt.Slice(0, v, 0, k)
	var p1, p2 mat.Dense
	p1.Mul(e.comp, e.comp.T())
	p2.Mul(exact, exact.T())
	p1.Sub(&p1, &p2)
	if d := mat.Norm(&p1, 2); d > 1e-7 {
		t.Errorf("projector on the leading %d right singular vectors differs by %v (spectral norm)", k, d)
	}
}

func TestDeterministic(t *testing.T) {
	corpus := []string{"the cat runs", "the bird flies over water", "cats and birds", "water birds fly", "dogs run"}
	o := Options{Dim: 3, PowerIters: 2}
	o.defaults()
	a, _ := fit(corpus, o) // bypasses the memo
	b, _ := fit(corpus, o)
	if fmt.Sprint(a.Encode("a cat flies")) != fmt.Sprint(b.Encode("a cat flies")) {
		t.Error("same corpus, different embeddings")
	}
}

// TestDiskCache: an encoder stored and loaded again embeds identically.
func TestDiskCache(t *testing.T) {
	t.Setenv(EnvCacheDir, t.TempDir())
	corpus := []string{"the cat runs", "the bird flies over water", "cats and birds", "water birds fly", "dogs run"}
	o := Options{Dim: 3, PowerIters: 2}
	o.defaults()
	key := memoKey(corpus, o)
	e, err := fit(corpus, o)
	if err != nil {
		t.Fatal(err)
	}
	if loadCached(key) != nil {
		t.Fatal("empty cache returned an encoder")
	}
	storeCached(key, e)
	c := loadCached(key)
	if c == nil {
		t.Fatal("stored encoder not found")
	}
	for _, s := range []string{"a cat flies", "water dogs"} {
		if fmt.Sprint(c.Encode(s)) != fmt.Sprint(e.Encode(s)) {
			t.Errorf("%q: cached %v, fitted %v", s, c.Encode(s), e.Encode(s))
		}
	}
	if c.String() != e.String() {
		t.Errorf("description %q vs %q", c.String(), e.String())
	}
}
