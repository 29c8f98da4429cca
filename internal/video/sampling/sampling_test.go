package sampling

import (
	"reflect"
	"sort"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
)

// The expected indices are hand calculations: "evenly" is the centre of
// each of k equal segments, floor((j+0.5)*n/k); e.g. T=40, M=4 gives main
// windows [0,10) [10,20) [20,30) [30,40), and P=4 frames evenly in [10,20)
// are 10+floor(1.25, 3.75, 6.25, 8.75) = 11, 13, 16, 18.
func TestIndices(t *testing.T) {
	cases := []struct {
		name string
		t    int
		c    Config
		i    int
		want []int
	}{
		{"dense window 1", 40, Config{Dense, 4, 4}, 1, []int{11, 13, 16, 18}},
		{"dense window 3", 40, Config{Dense, 4, 4}, 3, []int{31, 33, 36, 38}},
		{"dense defaults M=4 P=8", 40, Config{Scheme: Dense}, 0, []int{0, 1, 3, 4, 5, 6, 8, 9}},
		// main [10,20): 12, 17; context [0,10)+[20,40) (30 frames): items 7 and 22 = frames 7, 32.
		{"semi-dense window 1", 40, Config{SemiDense, 4, 4}, 1, []int{7, 12, 17, 32}},
		// main [0,10): 2, 7; context [10,40): items 7 and 22 = frames 17, 32.
		{"semi-dense window 0", 40, Config{SemiDense, 4, 4}, 0, []int{2, 7, 17, 32}},
		// P odd: the main window gets ceil(P/2) = 2; the context [0,30) one frame, item 15.
		{"semi-dense P odd", 40, Config{SemiDense, 4, 3}, 3, []int{15, 32, 37}},
		// M = 1: no complement, semi-dense is dense over the whole video.
		{"semi-dense M=1", 8, Config{SemiDense, 1, 4}, 0, []int{1, 3, 5, 7}},
		// Uneven split: T=10, M=3 gives [0,3) [3,6) [6,10).
		{"dense uneven last window", 10, Config{Dense, 3, 2}, 2, []int{7, 9}},
		// T < M: window 0 is frame 0, repeated.
		{"dense short video", 3, Config{Dense, 4, 2}, 0, []int{0, 0}},
		{"dense short video last", 3, Config{Dense, 4, 2}, 3, []int{2, 2}},
		// Fewer frames than P: frames repeat.
		{"dense repeat", 40, Config{Dense, 20, 4}, 5, []int{10, 10, 11, 11}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Indices(tc.t, tc.c, tc.i, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Indices(T=%d, %+v, i=%d) = %v, want %v", tc.t, tc.c, tc.i, got, tc.want)
			}
		})
	}
}

func TestMainWindowsPartition(t *testing.T) {
	for T := 1; T <= 60; T++ {
		for m := 1; m <= 7; m++ {
			if T < m {
				continue
			}
			next := 0
			for i := 0; i < m; i++ {
				lo, hi := MainWindow(T, m, i)
				if lo != next || hi <= lo {
					t.Fatalf("T=%d M=%d window %d = [%d,%d), want it to start at %d and be non-empty", T, m, i, lo, hi, next)
				}
				next = hi
			}
			if next != T {
				t.Fatalf("T=%d M=%d: windows end at %d", T, m, next)
			}
		}
	}
}

// Each scheme's frames fall where the paper puts them, for many lengths.
func TestSchemeRegions(t *testing.T) {
	r := NewRand(1, 0)
	for T := 8; T <= 80; T += 3 {
		for _, m := range []int{2, 3, 4} {
			for _, p := range []int{2, 4, 8} {
				for i := 0; i < m; i++ {
					lo, hi := MainWindow(T, m, i)
					in := func(f int) bool { return f >= lo && f < hi }
					d, _ := Indices(T, Config{Dense, m, p}, i, nil)
					for _, f := range d {
						if !in(f) {
							t.Fatalf("dense T=%d M=%d P=%d i=%d: frame %d outside main [%d,%d)", T, m, p, i, f, lo, hi)
						}
					}
					s, _ := Indices(T, Config{SemiDense, m, p}, i, nil)
					nIn := 0
					for _, f := range s {
						if in(f) {
							nIn++
						}
					}
					if nIn != (p+1)/2 {
						t.Fatalf("semi-dense T=%d M=%d P=%d i=%d: %v has %d frames in main [%d,%d), want %d", T, m, p, i, s, nIn, lo, hi, (p+1)/2)
					}
					sp, _ := Indices(T, Config{Sparse, m, p}, i, r)
					for j, f := range sp {
						if f < j*T/p || f >= max((j+1)*T/p, j*T/p+1) {
							t.Fatalf("sparse T=%d P=%d: frame %d (#%d) outside segment %d", T, p, f, j, j)
						}
					}
					if len(d) != p || len(s) != p || len(sp) != p {
						t.Fatalf("want %d frames each, got %d %d %d", p, len(d), len(s), len(sp))
					}
				}
			}
		}
	}
}

func TestSparseSeededAndDiverse(t *testing.T) {
	c := Config{Sparse, 4, 8}
	a, err := All(64, c, NewRand(7, 3))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := All(64, c, NewRand(7, 3))
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different selections:\n%v\n%v", a, b)
	}
	for i := 1; i < len(a); i++ {
		if reflect.DeepEqual(a[i], a[0]) {
			t.Errorf("classifiers 0 and %d see the same frames %v", i, a[0])
		}
	}
	o, _ := All(64, c, NewRand(7, 4))
	if reflect.DeepEqual(a, o) {
		t.Errorf("another stream gave the same selections")
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name string
		t    int
		c    Config
		i    int
	}{
		{"unknown scheme", 10, Config{"uniform", 4, 4}, 0},
		{"no frames", 0, Config{Dense, 4, 4}, 0},
		{"classifier out of range", 10, Config{Dense, 4, 4}, 4},
		{"negative P", 10, Config{Dense, 4, -1}, 0},
		{"sparse without source", 10, Config{Sparse, 4, 4}, 0},
	}
	for _, tc := range cases {
		if _, err := Indices(tc.t, tc.c, tc.i, nil); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	for _, s := range []string{"semidense", "semi_dense", "semi-dense"} {
		if got, err := ParseScheme(s); err != nil || got != SemiDense {
			t.Errorf("ParseScheme(%q) = %q, %v", s, got, err)
		}
	}
}

// Dense agrees with the frozen data.WindowIndices (same windows, same
// "evenly" rule); semi-dense does not, by design: data.WindowIndices draws
// the context half over the whole video, this package over the complement
// of the main window, as the paper says.
func TestAgainstDataWindowIndices(t *testing.T) {
	differ := 0
	for T := 4; T <= 60; T++ {
		for _, m := range []int{1, 2, 4} {
			for i := 0; i < m; i++ {
				got, _ := Indices(T, Config{Dense, m, 8}, i, nil)
				want, err := data.WindowIndices(T, m, i, 8, data.SchemeDense, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("dense T=%d M=%d i=%d: %v, data.WindowIndices %v", T, m, i, got, want)
				}
				s, _ := Indices(T, Config{SemiDense, m, 8}, i, nil)
				ws, _ := data.WindowIndices(T, m, i, 8, data.SchemeSemiDense, nil)
				sort.Ints(ws)
				if !reflect.DeepEqual(s, ws) {
					differ++
				}
			}
		}
	}
	if differ == 0 {
		t.Error("semi-dense never differs from data.WindowIndices: the complement rule is not in effect")
	}
}
