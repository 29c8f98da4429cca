package data

import (
	"strings"
	"testing"
)

// TestHoldOutFold: "fold<i>" splits the train clips into (outside fold i,
// fold i) in train order; "val" and "" keep the official split; anything
// else is an error naming the option.
func TestHoldOutFold(t *testing.T) {
	ak := &AnimalKingdom{
		Train: []AKClip{{ID: "A"}, {ID: "B"}, {ID: "C"}, {ID: "D"}},
		Folds: [][]AKClip{{{ID: "C"}, {ID: "A"}}, {{ID: "B"}}, {{ID: "D"}}, {{ID: "Z"}}},
	}
	tests := []struct {
		eval, train, held, err string
		ok                     bool
	}{
		{eval: "", ok: false},
		{eval: "val", ok: false},
		{eval: "fold0", train: "BD", held: "AC", ok: true},
		{eval: "fold1", train: "ACD", held: "B", ok: true},
		{eval: "fold3", err: "shares no clip"},
		{eval: "fold4", err: "needs 4_light.csv"},
		{eval: "fold5", err: "Eval"},
		{eval: "fold01", err: "Eval"},
		{eval: "test", err: "Eval"},
	}
	ids := func(cs []AKClip) string {
		var b strings.Builder
		for _, c := range cs {
			b.WriteString(c.ID)
		}
		return b.String()
	}
	for _, tc := range tests {
		tr, held, ok, err := holdOutFold(ak, tc.eval)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.eval, err, tc.err)
			}
			continue
		}
		if err != nil || ok != tc.ok || ids(tr) != tc.train || ids(held) != tc.held {
			t.Errorf("%q: train %s held %s ok %v err %v; want %s %s %v", tc.eval, ids(tr), ids(held), ok, err, tc.train, tc.held, tc.ok)
		}
	}
}
