package data_test

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/data"
)

func ExampleSynthAK() {
	track, err := data.SynthAK(data.SynthAKOptions{Seed: 1, NTrain: 200, NVal: 50, K: 140, T: 4, D: 8, E: 16, Difficulty: 0.5})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(track.Source, track.K(), track.Train.Len(), track.Val.Len())
	fmt.Println("video tokens per clip:", len(track.Train.Video[0]), "= T*D")
	fmt.Println("description width:", len(track.Train.Desc[0]))
	// Output:
	// synthetic 140 200 50
	// video tokens per clip: 32 = T*D
	// description width: 16
}

func ExampleSegments() {
	// Animal Kingdom's thresholds on train positives: head > 500, middle 100..500, tail < 100.
	fmt.Println(data.Segments([]int{7659, 500, 100, 99, 1}))
	// Output: [head middle middle tail tail]
}

func ExampleUniformIndices() {
	// "uniform 16" sampling of a 64-frame clip: the centre of each of 16 segments.
	fmt.Println(data.UniformIndices(64, 16))
	// 20 consecutive frames from frame 50 of a 60-frame clip, shifted to fit.
	fmt.Println(data.ConsecutiveIndices(60, 20, 50))
	// Output:
	// [2 6 10 14 18 22 26 30 34 38 42 46 50 54 58 62]
	// [40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59]
}
