package npy

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/actrepro/actrepro/internal/atomicfile"
)

// MaxElements bounds the element count a header may announce (2^31), so a
// corrupt header cannot make the reader allocate without limit.
const MaxElements = 1 << 31

var magic = []byte("\x93NUMPY")

// Array is an n-dimensional numeric array in C (row-major) order.
type Array struct {
	Shape []int
	// Descr is the dtype of the file ("<f4", "<f2", "<f8", "<i8", "|u1"...);
	// values are held as float32 whatever it is. Write accepts "<f4" (default
	// when empty), "<f2" and "<f8".
	Descr string
	Data  []float32
	sum   [32]byte // sha256 of the bytes read, for Fingerprint
}

// NewFloat32 returns a float32 array of the given shape over data.
func NewFloat32(shape []int, data []float32) (*Array, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return nil, fmt.Errorf("npy: negative dimension in shape %v", shape)
		}
		n *= d
	}
	if n != len(data) {
		return nil, fmt.Errorf("npy: shape %v holds %d values, data has %d", shape, n, len(data))
	}
	return &Array{Shape: append([]int(nil), shape...), Descr: "<f4", Data: data}, nil
}

// FromMatrix packs equal-length rows into a [len(rows), len(rows[0])] array.
func FromMatrix(rows [][]float32) (*Array, error) {
	if len(rows) == 0 {
		return NewFloat32([]int{0, 0}, nil)
	}
	c := len(rows[0])
	data := make([]float32, 0, len(rows)*c)
	for i, r := range rows {
		if len(r) != c {
			return nil, fmt.Errorf("npy: row %d has %d values, row 0 has %d", i, len(r), c)
		}
		data = append(data, r...)
	}
	return NewFloat32([]int{len(rows), c}, data)
}

// Matrix32 returns a 2-D array as rows (views into Data).
func (a *Array) Matrix32() ([][]float32, error) {
	if len(a.Shape) != 2 {
		return nil, fmt.Errorf("npy: want a 2-D array, shape is %v", a.Shape)
	}
	rows := make([][]float32, a.Shape[0])
	c := a.Shape[1]
	for i := range rows {
		rows[i] = a.Data[i*c : (i+1)*c : (i+1)*c]
	}
	return rows, nil
}

// Fingerprint is "sha256:" and the first 16 bytes of the hash of the bytes
// the array was read from (of its .npy encoding for arrays built in memory).
func (a *Array) Fingerprint() string {
	if a.sum == ([32]byte{}) {
		var b bytes.Buffer
		if err := Write(&b, a); err == nil {
			a.sum = sha256.Sum256(b.Bytes())
		}
	}
	return "sha256:" + hex.EncodeToString(a.sum[:16])
}

// ReadFile reads a .npy file.
func ReadFile(path string) (*Array, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	a, err := ReadBytes(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// Read reads one .npy array from r.
func Read(r io.Reader) (*Array, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return ReadBytes(b)
}

type header struct {
	descr   string
	fortran bool
	shape   []int
}

// ReadBytes decodes a whole .npy file held in b.
func ReadBytes(b []byte) (*Array, error) {
	if len(b) < 10 || !bytes.Equal(b[:6], magic) {
		return nil, errors.New("npy: not a .npy file (bad magic)")
	}
	major := b[6]
	var hlen, off int
	switch major {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, errors.New("npy: truncated header")
		}
		hl := binary.LittleEndian.Uint32(b[8:12])
		if hl > uint32(len(b)) {
			return nil, errors.New("npy: header length beyond end of file")
		}
		hlen, off = int(hl), 12
	default:
		return nil, fmt.Errorf("npy: unsupported format version %d.%d", b[6], b[7])
	}
	if off+hlen > len(b) {
		return nil, errors.New("npy: header length beyond end of file")
	}
	h, err := parseHeader(string(b[off : off+hlen]))
	if err != nil {
		return nil, err
	}
	order, kind, size, err := parseDescr(h.descr)
	if err != nil {
		return nil, err
	}
	n := 1
	for _, d := range h.shape {
		if d < 0 {
			return nil, fmt.Errorf("npy: negative dimension in shape %v", h.shape)
		}
		if d > 0 && n > MaxElements/d {
			return nil, fmt.Errorf("npy: shape %v has more than %d elements", h.shape, MaxElements)
		}
		n *= d
	}
	body := b[off+hlen:]
	if len(body) < n*size {
		return nil, fmt.Errorf("npy: shape %v of %s needs %d data bytes, file has %d", h.shape, h.descr, n*size, len(body))
	}
	data := make([]float32, n)
	for i := 0; i < n; i++ {
		data[i] = decode(body[i*size:(i+1)*size], order, kind, size)
	}
	if h.fortran && len(h.shape) > 1 {
		data = fortranToC(data, h.shape)
	}
	a := &Array{Shape: h.shape, Descr: h.descr, Data: data}
	a.sum = sha256.Sum256(b)
	return a, nil
}

func parseHeader(s string) (header, error) {
	var h header
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		return h, fmt.Errorf("npy: header is not a dict: %.60q", s)
	}
	get := func(key string) (string, bool) {
		i := strings.Index(s, "'"+key+"'")
		if i < 0 {
			i = strings.Index(s, `"`+key+`"`)
		}
		if i < 0 {
			return "", false
		}
		rest := s[i+len(key)+2:]
		j := strings.Index(rest, ":")
		if j < 0 {
			return "", false
		}
		return strings.TrimSpace(rest[j+1:]), true
	}
	v, ok := get("descr")
	if !ok || len(v) < 2 || (v[0] != '\'' && v[0] != '"') {
		return h, errors.New("npy: header has no 'descr' string")
	}
	end := strings.IndexByte(v[1:], v[0])
	if end < 0 {
		return h, errors.New("npy: unterminated 'descr'")
	}
	h.descr = v[1 : 1+end]
	v, ok = get("fortran_order")
	switch {
	case !ok:
		return h, errors.New("npy: header has no 'fortran_order'")
	case strings.HasPrefix(v, "True"):
		h.fortran = true
	case strings.HasPrefix(v, "False"):
	default:
		return h, fmt.Errorf("npy: bad fortran_order %.20q", v)
	}
	v, ok = get("shape")
	if !ok || !strings.HasPrefix(v, "(") {
		return h, errors.New("npy: header has no 'shape' tuple")
	}
	end = strings.IndexByte(v, ')')
	if end < 0 {
		return h, errors.New("npy: unterminated 'shape'")
	}
	h.shape = []int{}
	for _, f := range strings.Split(v[1:end], ",") {
		f = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f), "L"))
		if f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil {
			return h, fmt.Errorf("npy: bad dimension %q in shape", f)
		}
		h.shape = append(h.shape, d)
	}
	return h, nil
}

// parseDescr splits "<f4" into byte order, kind and item size.
func parseDescr(d string) (binary.ByteOrder, byte, int, error) {
	if len(d) < 3 {
		return nil, 0, 0, fmt.Errorf("npy: unsupported dtype %q", d)
	}
	var order binary.ByteOrder
	switch d[0] {
	case '<', '|', '=':
		order = binary.LittleEndian
	case '>':
		order = binary.BigEndian
	default:
		return nil, 0, 0, fmt.Errorf("npy: unsupported dtype %q", d)
	}
	size, err := strconv.Atoi(d[2:])
	if err != nil {
		return nil, 0, 0, fmt.Errorf("npy: unsupported dtype %q", d)
	}
	kind := d[1]
	ok := false
	switch kind {
	case 'f':
		ok = size == 2 || size == 4 || size == 8
	case 'i', 'u':
		ok = size == 1 || size == 2 || size == 4 || size == 8
	case 'b':
		ok = size == 1
	}
	if !ok {
		return nil, 0, 0, fmt.Errorf("npy: unsupported dtype %q (numeric dtypes only)", d)
	}
	return order, kind, size, nil
}

func decode(b []byte, order binary.ByteOrder, kind byte, size int) float32 {
	var u uint64
	switch size {
	case 1:
		u = uint64(b[0])
	case 2:
		u = uint64(order.Uint16(b))
	case 4:
		u = uint64(order.Uint32(b))
	case 8:
		u = order.Uint64(b)
	}
	switch kind {
	case 'f':
		switch size {
		case 2:
			return halfToFloat32(uint16(u))
		case 4:
			return math.Float32frombits(uint32(u))
		default:
			return float32(math.Float64frombits(u))
		}
	case 'i':
		shift := 64 - 8*uint(size)
		return float32(int64(u<<shift) >> shift)
	case 'b':
		if u != 0 {
			return 1
		}
		return 0
	default:
		return float32(u)
	}
}

// halfToFloat32 converts IEEE 754 binary16 bits to float32.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac * 2^-24
		f := float32(frac) * float32(1.0/(1<<24))
		if sign != 0 {
			return -f
		}
		return f
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	default:
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	}
}

// float32ToHalf converts to binary16 with round-to-nearest-even.
func float32ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23&0xff) - 127 + 15
	frac := b & 0x7fffff
	switch {
	case b&0x7fffffff > 0x7f800000: // NaN
		return sign | 0x7e00
	case exp >= 0x1f:
		return sign | 0x7c00
	case exp <= 0:
		if exp < -10 {
			return sign
		}
		frac |= 0x800000
		shift := uint32(14 - exp)
		h := frac >> shift
		rem := frac & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && h&1 == 1) {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(exp)<<10 | frac>>13
	rem := frac & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++
	}
	return sign | uint16(h)
}

func fortranToC(data []float32, shape []int) []float32 {
	out := make([]float32, len(data))
	nd := len(shape)
	idx := make([]int, nd)
	for f := range data {
		// f is the Fortran linear index of idx (first axis fastest).
		c := 0
		for k := 0; k < nd; k++ {
			c = c*shape[k] + idx[k]
		}
		out[c] = data[f]
		for k := 0; k < nd; k++ {
			idx[k]++
			if idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out
}

// Write encodes a as a version 1.0 .npy (2.0 if the header needs it).
func Write(w io.Writer, a *Array) error {
	descr := a.Descr
	if descr == "" {
		descr = "<f4"
	}
	size := map[string]int{"<f4": 4, "<f2": 2, "<f8": 8}[descr]
	if size == 0 {
		return fmt.Errorf("npy: Write supports <f4, <f2 and <f8, not %q", descr)
	}
	n := 1
	dims := make([]string, len(a.Shape))
	for i, d := range a.Shape {
		n *= d
		dims[i] = strconv.Itoa(d)
	}
	if n != len(a.Data) {
		return fmt.Errorf("npy: shape %v holds %d values, data has %d", a.Shape, n, len(a.Data))
	}
	shape := strings.Join(dims, ", ")
	if len(dims) == 1 {
		shape += ","
	}
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, shape)
	// pad so that the data starts on a 64-byte boundary; header ends in '\n'
	pre := 10
	version := byte(1)
	if len(hdr)+1+pre > 65535 {
		pre, version = 12, 2
	}
	total := pre + len(hdr) + 1
	pad := (64 - total%64) % 64
	hdr += strings.Repeat(" ", pad) + "\n"
	var buf bytes.Buffer
	buf.Write(magic)
	buf.WriteByte(version)
	buf.WriteByte(0)
	if version == 1 {
		binary.Write(&buf, binary.LittleEndian, uint16(len(hdr)))
	} else {
		binary.Write(&buf, binary.LittleEndian, uint32(len(hdr)))
	}
	buf.WriteString(hdr)
	body := make([]byte, n*size)
	for i, v := range a.Data {
		switch size {
		case 4:
			binary.LittleEndian.PutUint32(body[4*i:], math.Float32bits(v))
		case 2:
			binary.LittleEndian.PutUint16(body[2*i:], float32ToHalf(v))
		case 8:
			binary.LittleEndian.PutUint64(body[8*i:], math.Float64bits(float64(v)))
		}
	}
	buf.Write(body)
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteFile writes a .npy atomically (temporary file, then rename).
func WriteFile(path string, a *Array) error {
	var b bytes.Buffer
	if err := Write(&b, a); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.Write(path, b.Bytes())
}

// ReadNPZ reads every array of a .npz archive, keyed by name without ".npy".
func ReadNPZ(path string) (map[string]*Array, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := ReadNPZBytes(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ReadNPZBytes decodes a .npz archive held in b.
func ReadNPZBytes(b []byte) (map[string]*Array, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("npz: %w", err)
	}
	out := map[string]*Array{}
	for _, f := range zr.File {
		if f.UncompressedSize64 > MaxElements {
			return nil, fmt.Errorf("npz: member %s too large", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("npz: member %s: %w", f.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, MaxElements))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("npz: member %s: %w", f.Name, err)
		}
		a, err := ReadBytes(data)
		if err != nil {
			return nil, fmt.Errorf("npz: member %s: %w", f.Name, err)
		}
		out[strings.TrimSuffix(f.Name, ".npy")] = a
	}
	return out, nil
}

// WriteNPZ writes arrays as an uncompressed .npz (numpy.savez) atomically,
// members in name order so that the same arrays give the same bytes.
func WriteNPZ(path string, arrays map[string]*Array) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(arrays))
	for n := range arrays {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		// fixed zero modification time: same arrays, same bytes
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n + ".npy", Method: zip.Store})
		if err != nil {
			return err
		}
		if err := Write(w, arrays[n]); err != nil {
			return fmt.Errorf("%s: member %s: %w", path, n, err)
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes())
}
