package textenc_test

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/data/textenc"
)

func dot(a, b []float32) (s float32) {
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func ExampleEncoder_Encode() {
	enc := textenc.Fit([]string{"the heron stands in the water", "the cat sleeps"}, 512)
	q := enc.Encode("A heron standing in water")
	fmt.Printf("dim %d\n", len(q))
	// Cosine similarities (vectors are unit length): shared words count,
	// "standing" and "stands" do not match (lexical, not semantic).
	fmt.Printf("heron text: %.3f\n", dot(q, enc.Encode("the heron stands in the water")))
	fmt.Printf("cat text:   %.3f\n", dot(q, enc.Encode("the cat sleeps")))
	// Output:
	// dim 512
	// heron text: 0.229
	// cat text:   0.000
}
