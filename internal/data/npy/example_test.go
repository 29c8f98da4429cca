package npy_test

import (
	"bytes"
	"fmt"

	"github.com/actrepro/actrepro/internal/data/npy"
)

func ExampleReadBytes() {
	// A [T=2, C=3] float16 feature array, as a feature store keeps it.
	a, _ := npy.NewFloat32([]int{2, 3}, []float32{0.5, 1, 2, -1, 0, 3})
	a.Descr = "<f2"
	var b bytes.Buffer
	if err := npy.Write(&b, a); err != nil {
		fmt.Println(err)
		return
	}
	got, err := npy.ReadBytes(b.Bytes())
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, _ := got.Matrix32()
	fmt.Println(got.Descr, got.Shape, rows)
	// Output: <f2 [2 3] [[0.5 1 2] [-1 0 3]]
}
