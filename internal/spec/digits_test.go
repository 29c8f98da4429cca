package spec

import "testing"

// An explicit digits = 0 (e.g. parameter counts, epochs) is kept; an unset
// digits defaults to 2.
func TestColumnDigits(t *testing.T) {
	src := `
[experiment]
id = "x"
paper = "P"
table = "T"
title = "t"
task = "demo"
[data]
dataset = "d"
source = "synthetic"
[model]
[train]
[scale.smoke]
[scale.full]
[sweep]
model.hidden = [0, 1]
[table]
columns = [{ measured = "a", digits = 0 }, { measured = "b" }, { measured = "c", digits = 4 }]
`
	s, err := Parse("digits.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{0, 2, 4} {
		if got := s.Tables[0].Columns[i].Digits; got != want {
			t.Errorf("column %d: digits %d, want %d", i, got, want)
		}
	}
}
