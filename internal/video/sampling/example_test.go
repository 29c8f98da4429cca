package sampling_test

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/video/sampling"
)

func ExampleAll() {
	// A 48-frame clip, M=4 classifiers of P=4 frames.
	for _, s := range sampling.Schemes[:2] {
		idx, _ := sampling.All(48, sampling.Config{Scheme: s, M: 4, P: 4}, nil)
		fmt.Println(s, idx)
	}
	idx, _ := sampling.All(48, sampling.Config{Scheme: sampling.Sparse, M: 4, P: 4}, sampling.NewRand(1, 0))
	fmt.Println(sampling.Sparse, len(idx), "selections of", len(idx[0]), "frames, one in each quarter of the clip")
	// Output:
	// dense [[1 4 7 10] [13 16 19 22] [25 28 31 34] [37 40 43 46]]
	// semi-dense [[3 9 21 39] [9 15 21 39] [9 27 33 39] [9 27 39 45]]
	// sparse 4 selections of 4 frames, one in each quarter of the clip
}
