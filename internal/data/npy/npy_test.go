package npy

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// npyBytes builds a .npy file by hand the way numpy.save (format 1.0)
// lays it out: magic, version, uint16 header length, dict header padded
// with spaces to a 64-byte boundary and ended by '\n', then the raw data.
func npyBytes(header string, data []byte) []byte {
	total := 10 + len(header) + 1
	header += strings.Repeat(" ", (64-total%64)%64) + "\n"
	var b bytes.Buffer
	b.Write([]byte("\x93NUMPY\x01\x00"))
	binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	b.Write(data)
	return b.Bytes()
}

func le32(vals ...float32) []byte {
	b := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

func TestReadBytes(t *testing.T) {
	be := make([]byte, 16)
	for i, v := range []float64{1.5, -2} {
		binary.BigEndian.PutUint64(be[8*i:], math.Float64bits(v))
	}
	tests := []struct {
		name  string
		in    []byte
		shape []int
		want  []float32
	}{
		{"f4 2x3", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", le32(1, 2, 3, 4, 5, 6)), []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}},
		// Fortran order: memory holds columns; C order of [[1,2,3],[4,5,6]] back.
		{"f4 fortran", npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", le32(1, 4, 2, 5, 3, 6)), []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}},
		// binary16 bits: 0x3c00 = 1.0, 0xc000 = -2.0, 0x3555 = 0.333251953125 (IEEE 754 half)
		{"f2", npyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", []byte{0x00, 0x3c, 0x00, 0xc0, 0x55, 0x35}), []int{3}, []float32{1, -2, 0.333251953125}},
		{"big-endian f8", npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", be), []int{2}, []float32{1.5, -2}},
		{"i1 signed", npyBytes("{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }", []byte{0xff, 0x07}), []int{2}, []float32{-1, 7}},
		{"scalar", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", le32(7)), []int{}, []float32{7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ReadBytes(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Shape) != len(tc.shape) {
				t.Fatalf("shape %v want %v", a.Shape, tc.shape)
			}
			for i := range tc.want {
				if a.Data[i] != tc.want[i] {
					t.Fatalf("data %v want %v", a.Data, tc.want)
				}
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"magic", "hello world", "bad magic"},
		{"short data", string(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", le32(1))), "needs 16 data bytes"},
		{"object dtype", string(npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", nil)), "unsupported dtype"},
		{"huge shape", string(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999, 99999999), }", nil)), "more than"},
		{"no shape", string(npyBytes("{'descr': '<f4', 'fortran_order': False}", nil)), "no 'shape'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadBytes([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	const halfTol = 1e-3 // binary16 keeps 11 significant bits
	vals := []float32{0, 1, -1.5, 3.14159, 65504, 1e-5, -0.0001}
	for _, descr := range []string{"<f4", "<f2", "<f8"} {
		a := &Array{Shape: []int{7}, Descr: descr, Data: vals}
		var b bytes.Buffer
		if err := Write(&b, a); err != nil {
			t.Fatal(err)
		}
		if (b.Len()-len(vals)*map[string]int{"<f4": 4, "<f2": 2, "<f8": 8}[descr])%64 != 0 {
			t.Errorf("%s: data does not start on a 64-byte boundary", descr)
		}
		got, err := ReadBytes(b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			d := math.Abs(float64(got.Data[i] - v))
			if descr == "<f2" {
				if d > halfTol*math.Max(1, math.Abs(float64(v))) {
					t.Errorf("%s[%d]=%v want %v", descr, i, got.Data[i], v)
				}
			} else if d != 0 {
				t.Errorf("%s[%d]=%v want %v", descr, i, got.Data[i], v)
			}
		}
	}
}

func TestNPZ(t *testing.T) {
	dir := t.TempDir()
	a, _ := FromMatrix([][]float32{{1, 2}, {3, 4}, {5, 6}})
	b, _ := NewFloat32([]int{2}, []float32{7, 8})
	p := filepath.Join(dir, "emb.npz")
	if err := WriteNPZ(p, map[string]*Array{"text": a, "image": b}); err != nil {
		t.Fatal(err)
	}
	m, err := ReadNPZ(p)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := m["text"].Matrix32()
	if err != nil || len(rows) != 3 || rows[2][1] != 6 || m["image"].Data[1] != 8 {
		t.Fatalf("got %v %v (%v)", rows, m["image"], err)
	}
	if m["text"].Fingerprint() != a.Fingerprint() {
		t.Errorf("fingerprint of the read array differs from the written one")
	}
}

func FuzzReadBytes(f *testing.F) {
	f.Add(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", le32(1, 2, 3, 4, 5, 6)))
	f.Add(npyBytes("{'descr': '>f2', 'fortran_order': True, 'shape': (1, 2, 1), }", []byte{1, 2, 3, 4}))
	f.Add([]byte("\x93NUMPY\x02\x00\xff\xff\xff\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadBytes(b)
		if err != nil {
			return
		}
		n := 1
		for _, d := range a.Shape {
			n *= d
		}
		if n != len(a.Data) {
			t.Fatalf("shape %v but %d values", a.Shape, len(a.Data))
		}
	})
}

func FuzzReadNPZ(f *testing.F) {
	dir := f.TempDir()
	a, _ := NewFloat32([]int{2}, []float32{1, 2})
	p := filepath.Join(dir, "x.npz")
	if err := WriteNPZ(p, map[string]*Array{"a": a}); err != nil {
		f.Fatal(err)
	}
	seed, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ReadNPZBytes(b) // must not panic
	})
}
