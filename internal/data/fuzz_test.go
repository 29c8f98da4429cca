package data

import (
	"errors"
	"testing"
)

// FuzzParseAKSplit: any input either parses into clips with in-range
// labels or fails with a *ParseError; it never panics.
func FuzzParseAKSplit(f *testing.F) {
	f.Add([]byte("video_id;labels\nA;1,2\nB;0\n"), 3)
	f.Add([]byte("video_id;labels\r\nA;\"1, 2\"\r\n"), 3)
	f.Add([]byte("\xef\xbb\xbfvideo_id;labels\nA;-1\n"), 0)
	f.Fuzz(func(t *testing.T, b []byte, k int) {
		clips, err := ParseAKSplit("fuzz.csv", b, k)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		for _, c := range clips {
			for _, l := range c.Labels {
				if l < 0 || (k > 0 && l >= k) {
					t.Fatalf("label %d out of range for k=%d", l, k)
				}
			}
		}
	})
}
