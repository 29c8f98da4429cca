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
	corpus := []string{"the heron stands in the water", "a heron fishes in the water", "the cat sleeps", "the cat sleeps on the sofa"}
	enc, err := textenc.Fit(corpus, 2) // LSA to 2 dimensions, fitted on corpus
	if err != nil {
		panic(err)
	}
	q := enc.Encode("A heron standing in water")
	fmt.Printf("dim %d\n", len(q))
	// Cosine similarities (vectors are unit length): the heron texts share
	// a direction, the cat texts another.
	fmt.Printf("heron text: %.3f\n", dot(q, enc.Encode("a heron fishes in the water")))
	fmt.Printf("cat text:   %.3f\n", dot(q, enc.Encode("the cat sleeps")))
	// Output:
	// dim 2
	// heron text: 0.997
	// cat text:   0.000
}
