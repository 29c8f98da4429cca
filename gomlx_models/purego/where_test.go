package purego

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gopjrt/dtypes"
)

// TestWhereEqualsSimplego runs Where(x <= y, t, f) on purego and on simplego
// ("go:ops_sequential", simplego's executor) and requires bit-identical results (NaN
// payloads and signed zeros of t and f included), 1, 2 and 8 workers, constant and owned
// (in place) operands: full-shape operands, a scalar on either side or both, sizes split
// across goroutines and small ones (simplego's executor, which purego's must not count).
func TestWhereEqualsSimplego(t *testing.T) {
	pure := unfusedBackend(t)
	sg, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	big := []int{80, 16, 16, 16} // the LRCN dropout's shape
	odd := []int{3, 131, 97}     // above minParallelElems, chunks not a divisor
	cases := []struct {
		name       string
		cond, t, f []int
		fast       bool
	}{
		{"full", big, big, big, true},
		{"full odd", odd, odd, odd, true},
		{"scalar onFalse (dropout)", big, big, []int{}, true},
		{"scalar onTrue", odd, []int{}, odd, true},
		{"both scalars", odd, []int{}, []int{}, true},
		{"small", []int{5, 7}, []int{5, 7}, []int{5, 7}, false},
	}
	rng := rand.New(rand.NewPCG(41, 42))
	fn := func(b backends.Builder, o []backends.Op) (backends.Op, error) {
		c, err := b.LessOrEqual(o[0], o[1])
		if err != nil {
			return nil, err
		}
		return b.Where(c, o[2], o[3])
	}
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			xs := []*tensors.Tensor{specialTensor(rng, dtype, c.cond), specialTensor(rng, dtype, c.cond),
				specialTensor(rng, dtype, c.t), specialTensor(rng, dtype, c.f)}
			for _, owned := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/owned=%v", dtype, c.name, owned), func(t *testing.T) {
					want := runBuilderOps(t, sg, xs, owned, fn)
					for _, w := range elementwiseWorkers {
						withWorkers(w, func() {
							before := fastWhereCalls.Load()
							got := runBuilderOps(t, pure, xs, owned, fn)
							if ran := fastWhereCalls.Load() != before; ran != c.fast {
								t.Fatalf("purego's Where executor ran: %v, want %v", ran, c.fast)
							}
							assertSameBits(t, got, want)
						})
					}
				})
			}
		}
	}
}
