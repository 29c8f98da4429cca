package textenc

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// realTrainTexts reads the descriptions of the real train split, or skips.
func realTrainTexts(t *testing.T) []string {
	t.Helper()
	root := os.Getenv("ACTREPRO_DATA")
	if root == "" {
		t.Skip("ACTREPRO_DATA is not set: skipping the real Animal Kingdom encoder test (make test sets it to ../shared/data)")
	}
	dir := filepath.Join(root, "animalkingdom")
	f, err := os.Open(filepath.Join(dir, "summaries.csv"))
	if err != nil {
		t.Skipf("no summaries: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	summ := map[string]string{}
	for _, r := range recs[1:] {
		summ[r[0]] = r[1]
	}
	b, err := os.ReadFile(filepath.Join(dir, "train_light.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
		id, _, _ := strings.Cut(line, ";")
		out = append(out, summ[id])
	}
	return out
}

// TestRealVocabulary fits the encoder on the 24,004 real train descriptions.
// The vocabulary size 31,853 is scikit-learn 1.2.1's
// TfidfVectorizer(ngram_range=(1,2)) on the same texts
// (internal/tasks/baselines/testdata/explore_sklearn.py).
func TestRealVocabulary(t *testing.T) {
	texts := realTrainTexts(t)
	start := time.Now()
	e, err := Fit(texts, DefaultDim)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fit %s in %v; singular values %.3f .. %.3f", e, time.Since(start), e.Singular[0], e.Singular[len(e.Singular)-1])
	if got, want := e.VocabSize(), 31853; got != want {
		t.Errorf("vocabulary %d, scikit-learn's is %d", got, want)
	}
}
