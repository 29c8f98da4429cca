package flow

import (
	"errors"
	"fmt"
	"math"
)

// Field is a dense flow field: pixel (x, y) of the first frame moves to
// (x+U, y+V) in the second; x grows rightwards, y downwards, in pixels.
// U and V are row-major, W*H each.
type Field struct {
	W, H int
	U, V []float32
}

// NewField returns a zero field of size w x h.
func NewField(w, h int) *Field {
	return &Field{W: w, H: h, U: make([]float32, w*h), V: make([]float32, w*h)}
}

// Gray is a single-channel image, row-major, values in [0, 255].
type Gray struct {
	W, H int
	Pix  []float32
}

// GrayFromRGB converts packed RGB24 (H*W*3 bytes, as data.Video.Frame
// returns) to luma with the ITU-R BT.601 weights.
func GrayFromRGB(rgb []uint8, w, h int) (*Gray, error) {
	if w <= 0 || h <= 0 || len(rgb) != w*h*3 {
		return nil, fmt.Errorf("flow: %d bytes is not a %dx%d RGB image", len(rgb), w, h)
	}
	g := &Gray{W: w, H: h, Pix: make([]float32, w*h)}
	for i := range g.Pix {
		g.Pix[i] = 0.299*float32(rgb[3*i]) + 0.587*float32(rgb[3*i+1]) + 0.114*float32(rgb[3*i+2])
	}
	return g, nil
}

// Options tune the solver. Zero fields take the defaults of DefaultOptions.
type Options struct {
	// Alpha weighs smoothness against brightness constancy (Horn–Schunck's
	// α, for intensities in [0, 255]); larger gives smoother flow.
	Alpha float64
	// Levels is the maximum number of pyramid levels (halving each time);
	// the pyramid also stops before a side would fall under MinSize.
	Levels  int
	MinSize int
	// Warps is the number of warping (re-linearisation) steps per level.
	Warps int
	// Iterations is the number of SOR sweeps per warp.
	Iterations int
	// Omega is the SOR over-relaxation factor, in (0, 2).
	Omega float64
	// Sigma is the standard deviation in pixels of the Gaussian that
	// smooths both frames before anything else (negative: none).
	Sigma float64
	// Median is the side of the median filter applied to the flow after
	// each warp (1: none; 3 or 5 are usual).
	Median int
	// Robust is the ε of the Charbonnier data penalty, in intensity levels
	// (negative: the quadratic penalty of the original Horn–Schunck).
	Robust float64
}

// reweightEvery is the number of SOR sweeps between updates of the robust
// data weights.
const reweightEvery = 5

// DefaultOptions are the settings the tests validate (see flow_test.go for
// the end-point errors they reach) and the benchmark times.
func DefaultOptions() Options {
	return Options{Alpha: 6, Levels: 5, MinSize: 12, Warps: 2, Iterations: 20, Omega: 1.8, Sigma: 0.8, Median: 3, Robust: 2}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Alpha == 0 {
		o.Alpha = d.Alpha
	}
	if o.Levels == 0 {
		o.Levels = d.Levels
	}
	if o.MinSize == 0 {
		o.MinSize = d.MinSize
	}
	if o.Warps == 0 {
		o.Warps = d.Warps
	}
	if o.Iterations == 0 {
		o.Iterations = d.Iterations
	}
	if o.Omega == 0 {
		o.Omega = d.Omega
	}
	if o.Sigma == 0 {
		o.Sigma = d.Sigma
	}
	if o.Median == 0 {
		o.Median = d.Median
	}
	if o.Robust == 0 {
		o.Robust = d.Robust
	}
	return o
}

func (o Options) validate() error {
	switch {
	case o.Alpha <= 0 || math.IsNaN(o.Alpha):
		return fmt.Errorf("flow: Alpha=%g must be positive", o.Alpha)
	case o.Levels < 1 || o.MinSize < 2 || o.Warps < 1 || o.Iterations < 1:
		return fmt.Errorf("flow: Levels=%d MinSize=%d Warps=%d Iterations=%d must be positive (MinSize >= 2)", o.Levels, o.MinSize, o.Warps, o.Iterations)
	case o.Omega <= 0 || o.Omega >= 2:
		return fmt.Errorf("flow: Omega=%g outside (0, 2)", o.Omega)
	case o.Median < 1 || math.IsNaN(o.Sigma):
		return fmt.Errorf("flow: Median=%d must be positive and Sigma=%g a number", o.Median, o.Sigma)
	}
	return nil
}

// Compute returns the flow from a to b (same size) by pyramidal
// Horn–Schunck with warping. Zero fields of o take DefaultOptions. The
// result depends only on the inputs (single-threaded, no randomness).
func Compute(a, b *Gray, o Options) (*Field, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	if a == nil || b == nil || a.W != b.W || a.H != b.H || a.W < 1 || a.H < 1 || len(a.Pix) != a.W*a.H || len(b.Pix) != b.W*b.H {
		return nil, errors.New("flow: the two frames must be non-empty images of the same size")
	}
	pa := pyramid(smooth(a, o.Sigma), o.Levels, o.MinSize)
	pb := pyramid(smooth(b, o.Sigma), o.Levels, o.MinSize)
	var f *Field
	for l := len(pa) - 1; l >= 0; l-- {
		ia, ib := pa[l], pb[l]
		if f == nil {
			f = NewField(ia.W, ia.H)
		} else {
			f = upsample(f, ia.W, ia.H)
		}
		for w := 0; w < o.Warps; w++ {
			solveWarp(ia, ib, f, o)
			if o.Median > 1 {
				medianFilter(f.U, f.W, f.H, o.Median)
				medianFilter(f.V, f.W, f.H, o.Median)
			}
		}
	}
	return f, nil
}

// ComputeRGB is Compute on two packed RGB24 frames of size w x h.
func ComputeRGB(a, b []uint8, w, h int, o Options) (*Field, error) {
	ga, err := GrayFromRGB(a, w, h)
	if err != nil {
		return nil, err
	}
	gb, err := GrayFromRGB(b, w, h)
	if err != nil {
		return nil, err
	}
	return Compute(ga, gb, o)
}

// solveWarp warps b towards a by the current flow f, linearises brightness
// constancy around it, and runs SOR sweeps of the Horn–Schunck
// Euler–Lagrange equations for the total flow (U, V):
//
//	Ix (Ix U + Iy V + r0) + α² (n U - ΣU_nb) = 0
//	Iy (Ix U + Iy V + r0) + α² (n V - ΣV_nb) = 0
//
// with r0 = It - Ix u0 - Iy v0, n the number of 4-neighbours, solved for
// (U, V) jointly at each pixel (a 2x2 system). Pixels warped from outside b
// get no data term.
func solveWarp(a, b *Gray, f *Field, o Options) {
	w, h := a.W, a.H
	n := w * h
	bw := make([]float32, n)
	valid := make([]bool, n)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			sx, sy := float64(x)+float64(f.U[i]), float64(y)+float64(f.V[i])
			valid[i] = sx >= 0 && sx <= float64(w-1) && sy >= 0 && sy <= float64(h-1)
			bw[i] = bilinear(b.Pix, w, h, sx, sy)
		}
	}
	// Derivatives of the average of a and warped b (a symmetric estimate),
	// with the 5-point central difference (1, -8, 0, 8, -1)/12.
	avg := make([]float32, n)
	for i := range avg {
		avg[i] = 0.5 * (a.Pix[i] + bw[i])
	}
	ix, iy := derivX(avg, w, h), derivY(avg, w, h)
	a2 := float32(o.Alpha * o.Alpha)
	// The linearised residual is r = Ix U + Iy V + r0 with
	// r0 = It - Ix u0 - Iy v0. The data term is Charbonnier,
	// eps*sqrt(r² + eps²), minimised by iteratively reweighted least squares:
	// every reweightEvery sweeps each pixel's squared residual is weighted by
	// eps/sqrt(r² + eps²) (1 for small residuals, so Alpha keeps its
	// Horn–Schunck meaning; small where brightness constancy fails, at
	// occlusions and sharp edges). Robust < 0 keeps the quadratic term.
	gx := ix
	gy := iy
	r0 := make([]float32, n)
	for i := 0; i < n; i++ {
		if !valid[i] {
			gx[i], gy[i] = 0, 0
			continue
		}
		r0[i] = bw[i] - a.Pix[i] - gx[i]*f.U[i] - gy[i]*f.V[i]
	}
	// Per pixel, the 2x2 system's inverse (c11 c12; c12 c22) / det and the
	// data terms tx = wd Ix r0, ty = wd Iy r0.
	c11 := make([]float32, n)
	c12 := make([]float32, n)
	c22 := make([]float32, n)
	tx := make([]float32, n)
	ty := make([]float32, n)
	eps := float32(o.Robust)
	reweight := func() {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				i := y*w + x
				nb := float32(0)
				if x > 0 {
					nb++
				}
				if x < w-1 {
					nb++
				}
				if y > 0 {
					nb++
				}
				if y < h-1 {
					nb++
				}
				wd := float32(1)
				if eps > 0 {
					r := gx[i]*f.U[i] + gy[i]*f.V[i] + r0[i]
					wd = eps / float32(math.Sqrt(float64(r*r+eps*eps)))
				}
				an := a2 * nb
				d11, d22, d12 := wd*gx[i]*gx[i]+an, wd*gy[i]*gy[i]+an, wd*gx[i]*gy[i]
				det := d11*d22 - d12*d12
				if det == 0 { // a 1x1 image: no neighbour, no gradient
					c11[i], c12[i], c22[i] = 0, 0, 0
				} else {
					c11[i], c12[i], c22[i] = d22/det, d12/det, d11/det
				}
				tx[i], ty[i] = wd*gx[i]*r0[i], wd*gy[i]*r0[i]
			}
		}
	}
	om := float32(o.Omega)
	U, V := f.U, f.V
	// update relaxes pixel i given the sums of its neighbours' flows.
	update := func(i int, su, sv float32) {
		b1 := a2*su - tx[i]
		b2 := a2*sv - ty[i]
		nu := c11[i]*b1 - c12[i]*b2
		nv := c22[i]*b2 - c12[i]*b1
		U[i] += om * (nu - U[i])
		V[i] += om * (nv - V[i])
	}
	border := func(x, y int) {
		i := y*w + x
		var su, sv float32
		if x > 0 {
			su += U[i-1]
			sv += V[i-1]
		}
		if x < w-1 {
			su += U[i+1]
			sv += V[i+1]
		}
		if y > 0 {
			su += U[i-w]
			sv += V[i-w]
		}
		if y < h-1 {
			su += U[i+w]
			sv += V[i+w]
		}
		update(i, su, sv)
	}
	for it := 0; it < o.Iterations; it++ {
		if it%reweightEvery == 0 && (it == 0 || eps > 0) {
			reweight()
		}
		for y := 0; y < h; y++ {
			if y == 0 || y == h-1 || w < 3 {
				for x := 0; x < w; x++ {
					border(x, y)
				}
				continue
			}
			border(0, y)
			for i := y*w + 1; i < y*w+w-1; i++ { // interior: four neighbours
				update(i, U[i-1]+U[i+1]+U[i-w]+U[i+w], V[i-1]+V[i+1]+V[i-w]+V[i+w])
			}
			border(w-1, y)
		}
	}
}

// bilinear samples p (w x h) at (x, y), clamping to the border.
func bilinear(p []float32, w, h int, x, y float64) float32 {
	x = math.Max(0, math.Min(float64(w-1), x))
	y = math.Max(0, math.Min(float64(h-1), y))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	fx, fy := float32(x-float64(x0)), float32(y-float64(y0))
	top := p[y0*w+x0]*(1-fx) + p[y0*w+x1]*fx
	bot := p[y1*w+x0]*(1-fx) + p[y1*w+x1]*fx
	return top*(1-fy) + bot*fy
}

func clampi(v, lo, hi int) int { return max(lo, min(hi, v)) }

func derivX(p []float32, w, h int) []float32 {
	d := make([]float32, len(p))
	for y := 0; y < h; y++ {
		r := p[y*w : (y+1)*w]
		for x := 0; x < w; x++ {
			d[y*w+x] = (r[clampi(x-2, 0, w-1)] - 8*r[clampi(x-1, 0, w-1)] + 8*r[clampi(x+1, 0, w-1)] - r[clampi(x+2, 0, w-1)]) / 12
		}
	}
	return d
}

func derivY(p []float32, w, h int) []float32 {
	d := make([]float32, len(p))
	for y := 0; y < h; y++ {
		ym2, ym1, yp1, yp2 := clampi(y-2, 0, h-1)*w, clampi(y-1, 0, h-1)*w, clampi(y+1, 0, h-1)*w, clampi(y+2, 0, h-1)*w
		for x := 0; x < w; x++ {
			d[y*w+x] = (p[ym2+x] - 8*p[ym1+x] + 8*p[yp1+x] - p[yp2+x]) / 12
		}
	}
	return d
}

// gaussKernel returns a normalised 1-D Gaussian of standard deviation s.
func gaussKernel(s float64) []float32 {
	r := int(math.Ceil(3 * s))
	k := make([]float32, 2*r+1)
	var sum float64
	for i := -r; i <= r; i++ {
		v := math.Exp(-float64(i*i) / (2 * s * s))
		k[i+r] = float32(v)
		sum += v
	}
	for i := range k {
		k[i] /= float32(sum)
	}
	return k
}

// convolve applies the separable kernel k along x then y, clamping at borders.
func convolve(p []float32, w, h int, k []float32) []float32 {
	r := len(k) / 2
	tmp := make([]float32, len(p))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var s float32
			for j, kv := range k {
				s += kv * p[y*w+clampi(x+j-r, 0, w-1)]
			}
			tmp[y*w+x] = s
		}
	}
	out := make([]float32, len(p))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var s float32
			for j, kv := range k {
				s += kv * tmp[clampi(y+j-r, 0, h-1)*w+x]
			}
			out[y*w+x] = s
		}
	}
	return out
}

func smooth(g *Gray, sigma float64) *Gray {
	if sigma <= 0 {
		return g
	}
	return &Gray{W: g.W, H: g.H, Pix: convolve(g.Pix, g.W, g.H, gaussKernel(sigma))}
}

// pyramid returns g and successive half-size versions (binomial 1-4-6-4-1
// low-pass, then every other pixel), finest first.
func pyramid(g *Gray, levels, minSize int) []*Gray {
	out := []*Gray{g}
	binom := []float32{1.0 / 16, 4.0 / 16, 6.0 / 16, 4.0 / 16, 1.0 / 16}
	for len(out) < levels {
		c := out[len(out)-1]
		w, h := (c.W+1)/2, (c.H+1)/2
		if w < minSize || h < minSize {
			break
		}
		blur := convolve(c.Pix, c.W, c.H, binom)
		n := &Gray{W: w, H: h, Pix: make([]float32, w*h)}
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				n.Pix[y*w+x] = blur[min(2*y, c.H-1)*c.W+min(2*x, c.W-1)]
			}
		}
		out = append(out, n)
	}
	return out
}

// upsample resizes a coarse flow to w x h (bilinear, pixel centres
// aligned) and scales the vectors by the size ratios.
func upsample(f *Field, w, h int) *Field {
	o := NewField(w, h)
	rx, ry := float64(f.W)/float64(w), float64(f.H)/float64(h)
	for y := 0; y < h; y++ {
		sy := (float64(y)+0.5)*ry - 0.5
		for x := 0; x < w; x++ {
			sx := (float64(x)+0.5)*rx - 0.5
			i := y*w + x
			o.U[i] = bilinear(f.U, f.W, f.H, sx, sy) / float32(rx)
			o.V[i] = bilinear(f.V, f.W, f.H, sx, sy) / float32(ry)
		}
	}
	return o
}

// medianFilter replaces p by its k x k median (window clipped at borders;
// an even count takes the upper median). The interior of a 3 x 3 filter
// uses a sorting network.
func medianFilter(p []float32, w, h, k int) {
	r := k / 2
	src := append([]float32(nil), p...)
	buf := make([]float32, 0, k*k)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if k == 3 && x > 0 && x < w-1 && y > 0 && y < h-1 {
				i := y*w + x
				p[i] = median9(src[i-w-1], src[i-w], src[i-w+1], src[i-1], src[i], src[i+1], src[i+w-1], src[i+w], src[i+w+1])
				continue
			}
			buf = buf[:0]
			for yy := max(0, y-r); yy <= min(h-1, y+r); yy++ {
				buf = append(buf, src[yy*w+max(0, x-r):yy*w+min(w-1, x+r)+1]...)
			}
			p[y*w+x] = selectKth(buf, len(buf)/2)
		}
	}
}

// median9 is the median of nine values by the 19-exchange network of
// Paeth (Graphics Gems, 1990), as used by many 3 x 3 median filters.
func median9(p0, p1, p2, p3, p4, p5, p6, p7, p8 float32) float32 {
	s := func(a, b *float32) {
		if *a > *b {
			*a, *b = *b, *a
		}
	}
	s(&p1, &p2)
	s(&p4, &p5)
	s(&p7, &p8)
	s(&p0, &p1)
	s(&p3, &p4)
	s(&p6, &p7)
	s(&p1, &p2)
	s(&p4, &p5)
	s(&p7, &p8)
	s(&p0, &p3)
	s(&p5, &p8)
	s(&p4, &p7)
	s(&p3, &p6)
	s(&p1, &p4)
	s(&p2, &p5)
	s(&p4, &p7)
	s(&p4, &p2)
	s(&p6, &p4)
	s(&p4, &p2)
	return p4
}

// selectKth returns the k-th smallest element of a (reordering a):
// insertion sort, the fastest for the 9 or 25 values of a median window.
func selectKth(a []float32, k int) float32 {
	for i := 1; i < len(a); i++ {
		v := a[i]
		j := i - 1
		for j >= 0 && a[j] > v {
			a[j+1] = a[j]
			j--
		}
		a[j+1] = v
	}
	return a[k]
}

// EPE returns the mean end-point error |est - truth| over the pixels at
// least margin pixels from the border.
func EPE(est, truth *Field, margin int) (float64, error) {
	if est.W != truth.W || est.H != truth.H {
		return 0, fmt.Errorf("flow: EPE of a %dx%d field against a %dx%d one", est.W, est.H, truth.W, truth.H)
	}
	var s float64
	n := 0
	for y := margin; y < est.H-margin; y++ {
		for x := margin; x < est.W-margin; x++ {
			i := y*est.W + x
			du, dv := float64(est.U[i]-truth.U[i]), float64(est.V[i]-truth.V[i])
			s += math.Sqrt(du*du + dv*dv)
			n++
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("flow: margin %d leaves no pixel of a %dx%d field", margin, est.W, est.H)
	}
	return s / float64(n), nil
}
