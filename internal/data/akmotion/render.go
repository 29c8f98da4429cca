package akmotion

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Plan is what one clip shows: its labels and the parameters its frames are
// rendered from. Exported so that tests and notebooks can check the planted
// motion (e.g. against measured optical flow).
type Plan struct {
	ID     string
	Labels []int // twin class ids, increasing
	Frames int
	W, H   int

	Motion      int     // KeepingStill, Walking, Running or Shaking
	X0, Y       float64 // the actor's centre in frame 0, pixels
	VX          float64 // horizontal velocity, px/frame (0 unless Walking or Running)
	ShakeAmp    float64 // Shaking: amplitude (px) ...
	ShakePeriod float64 // ... and period (frames) of x = X0 + A sin(2πt/P + φ)
	ShakePhase  float64
	Facing      float64 // +1 head on the right, -1 on the left; independent of VX
	LegPhase    float64 // gait phase at frame 0
	Species     int     // index into speciesLooks (colour scheme; not a label)

	Swimming, Eating, Wings bool
	// Interaction: a second, static animal at (OtherX, OtherY).
	Other          bool
	OtherX, OtherY float64
	OtherFacing    float64
	OtherSpecies   int
	Towards        bool // Attacking (true) or Retreating (false)

	Noise float64 // per-frame pixel noise (standard deviation, levels)
	Seed  uint64  // the clip's random stream (scene texture, noise)
}

// scale is the size unit: 1 at the default width of 96 pixels.
func (p *Plan) scale() float64 { return float64(p.W) / 96 }

// contact is the closest an attacker comes to the other animal (centre to
// centre), and margin how close to the frame edge a retreating animal
// goes.
func (p *Plan) contact() float64 { return 26 * p.scale() }
func (p *Plan) margin() float64  { return 14 * p.scale() }

// ActorX returns the actor's horizontal centre at frame t. Without an
// interaction the world wraps around (an animal leaving on one side comes
// back on the other); an attacker stops on reaching the other animal, a
// retreating animal on reaching the frame's margin.
func (p *Plan) ActorX(t int) float64 {
	ft := float64(t)
	switch p.Motion {
	case Shaking:
		return p.X0 + p.ShakeAmp*math.Sin(2*math.Pi*ft/p.ShakePeriod+p.ShakePhase)
	case Walking, Running:
		x := p.X0 + p.VX*ft
		if !p.Other {
			return x
		}
		if p.Towards {
			stop := p.OtherX - math.Copysign(p.contact(), p.VX)
			if (p.VX > 0 && x > stop) || (p.VX < 0 && x < stop) {
				return stop
			}
			return x
		}
		lo, hi := p.margin(), float64(p.W)-p.margin()
		return math.Max(lo, math.Min(hi, x))
	}
	return p.X0
}

// legPhase is the gait phase at frame t: it advances with the distance
// walked (stride 8 units), so legs are still when the animal is.
func (p *Plan) legPhase(t int) float64 {
	d := math.Abs(p.ActorX(t) - p.X0)
	if p.Motion == Shaking {
		d = 0
	}
	return p.LegPhase + 2*math.Pi*d/(8*p.scale())
}

// speciesLooks are body, spot and head colours of four looks, one per
// name of SpeciesNames; the look is random and carries no label.
var speciesLooks = [][3][3]float64{
	{{196, 120, 60}, {120, 60, 30}, {210, 140, 80}},    // russet: Fox
	{{150, 150, 150}, {70, 70, 70}, {170, 170, 160}},   // grey, dark spots: Hyena
	{{225, 200, 140}, {150, 110, 60}, {235, 215, 160}}, // sand: Meerkat
	{{90, 70, 55}, {40, 30, 25}, {110, 90, 70}},        // dark brown: Otter
}

// SpeciesNames name the four looks (Plan.Species) with real Animal Kingdom
// animal names (animals.csv; CheckClasses verifies them when the file is
// there). They are written to species_train.txt / species_val.txt as
// Animal-CLIP's species annotation is; the species carries no label.
var SpeciesNames = []string{"Fox", "Hyena", "Meerkat", "Otter"}

// canvas is a float RGB image.
type canvas struct {
	w, h int
	pix  []float64
}

func newCanvas(w, h int) *canvas { return &canvas{w: w, h: h, pix: make([]float64, w*h*3)} }

// blend paints colour c over pixel (x, y) with coverage a in [0, 1].
func (c *canvas) blend(x, y int, col [3]float64, a float64) {
	if a <= 0 || x < 0 || y < 0 || x >= c.w || y >= c.h {
		return
	}
	a = math.Min(a, 1)
	i := (y*c.w + x) * 3
	for k := 0; k < 3; k++ {
		c.pix[i+k] += a * (col[k] - c.pix[i+k])
	}
}

// cover turns a signed distance (pixels, negative inside) into an
// anti-aliased coverage.
func cover(sd float64) float64 { return math.Max(0, math.Min(1, 0.5-sd)) }

// ellipse paints an anti-aliased ellipse; clip(x, y) false hides a pixel.
func (c *canvas) ellipse(cx, cy, rx, ry float64, col [3]float64, clip func(x, y float64) bool) {
	for y := max(0, int(cy-ry-2)); y <= min(c.h-1, int(cy+ry+2)); y++ {
		for x := max(0, int(cx-rx-2)); x <= min(c.w-1, int(cx+rx+2)); x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			if clip != nil && !clip(fx, fy) {
				continue
			}
			dx, dy := (fx-cx)/rx, (fy-cy)/ry
			sd := (math.Sqrt(dx*dx+dy*dy) - 1) * math.Min(rx, ry)
			c.blend(x, y, col, cover(sd))
		}
	}
}

// segment paints an anti-aliased thick line from (x0, y0) to (x1, y1).
func (c *canvas) segment(x0, y0, x1, y1, width float64, col [3]float64, clip func(x, y float64) bool) {
	r := width / 2
	for y := max(0, int(math.Min(y0, y1)-r-2)); y <= min(c.h-1, int(math.Max(y0, y1)+r+2)); y++ {
		for x := max(0, int(math.Min(x0, x1)-r-2)); x <= min(c.w-1, int(math.Max(x0, x1)+r+2)); x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			if clip != nil && !clip(fx, fy) {
				continue
			}
			dx, dy := x1-x0, y1-y0
			l2 := dx*dx + dy*dy
			u := 0.0
			if l2 > 0 {
				u = math.Max(0, math.Min(1, ((fx-x0)*dx+(fy-y0)*dy)/l2))
			}
			px, py := x0+u*dx-fx, y0+u*dy-fy
			c.blend(x, y, col, cover(math.Sqrt(px*px+py*py)-r))
		}
	}
}

// triangle paints an anti-aliased triangle.
func (c *canvas) triangle(p [3][2]float64, col [3]float64, clip func(x, y float64) bool) {
	minX, maxX := math.Min(p[0][0], math.Min(p[1][0], p[2][0])), math.Max(p[0][0], math.Max(p[1][0], p[2][0]))
	minY, maxY := math.Min(p[0][1], math.Min(p[1][1], p[2][1])), math.Max(p[0][1], math.Max(p[1][1], p[2][1]))
	// Orientation so that inside distances are negative.
	area := (p[1][0]-p[0][0])*(p[2][1]-p[0][1]) - (p[1][1]-p[0][1])*(p[2][0]-p[0][0])
	sgn := 1.0
	if area < 0 {
		sgn = -1
	}
	for y := max(0, int(minY-2)); y <= min(c.h-1, int(maxY+2)); y++ {
		for x := max(0, int(minX-2)); x <= min(c.w-1, int(maxX+2)); x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			if clip != nil && !clip(fx, fy) {
				continue
			}
			sd := -math.MaxFloat64
			for k := 0; k < 3; k++ {
				a, b := p[k], p[(k+1)%3]
				ex, ey := b[0]-a[0], b[1]-a[1]
				l := math.Hypot(ex, ey)
				if l == 0 {
					continue
				}
				// Distance to the edge's line, positive outside.
				d := -sgn * (ex*(fy-a[1]) - ey*(fx-a[0])) / l
				sd = math.Max(sd, d)
			}
			c.blend(x, y, col, cover(sd))
		}
	}
}

// background paints the static scene: a land or water gradient with soft
// blotches and fine static texture (so that the background is textured,
// as real scenes are, and its flow is zero).
func background(c *canvas, r *rand.Rand, water bool, s float64) {
	var top, bot [3]float64
	if water {
		top = [3]float64{40 + 30*r.Float64(), 110 + 40*r.Float64(), 170 + 50*r.Float64()}
		bot = [3]float64{20 + 20*r.Float64(), 70 + 30*r.Float64(), 130 + 40*r.Float64()}
	} else {
		g := [][2][3]float64{
			{{110, 160, 80}, {70, 120, 50}},   // grass
			{{170, 150, 110}, {130, 105, 75}}, // dry ground
			{{120, 120, 110}, {90, 90, 85}},   // rock
		}[r.IntN(3)]
		for k := 0; k < 3; k++ {
			top[k] = g[0][k] + 20*(r.Float64()-0.5)
			bot[k] = g[1][k] + 20*(r.Float64()-0.5)
		}
	}
	for y := 0; y < c.h; y++ {
		a := float64(y) / float64(c.h)
		for x := 0; x < c.w; x++ {
			i := (y*c.w + x) * 3
			for k := 0; k < 3; k++ {
				c.pix[i+k] = top[k]*(1-a) + bot[k]*a
			}
		}
	}
	for b := 0; b < 10; b++ {
		cx, cy := float64(c.w)*r.Float64(), float64(c.h)*r.Float64()
		rx, ry := s*(4+10*r.Float64()), s*(3+6*r.Float64())
		col := [3]float64{}
		shade := 25 * (r.Float64() - 0.5)
		for k := 0; k < 3; k++ {
			col[k] = top[k]*0.5 + bot[k]*0.5 + shade
		}
		c.ellipse(cx, cy, rx, ry, col, nil)
	}
	if water { // static ripples: light wavy stripes
		f, ph := 0.5/s+0.2*r.Float64()/s, 2*math.Pi*r.Float64()
		for y := 0; y < c.h; y++ {
			for x := 0; x < c.w; x++ {
				v := math.Sin(f*float64(y) + 0.6*math.Sin(0.15*float64(x)/s) + ph)
				if v > 0.7 {
					c.blend(x, y, [3]float64{200, 230, 250}, (v-0.7)*1.5)
				}
			}
		}
	}
	// Texture at two scales, as ground, grass or water has: a grain of
	// random values on a 3-unit grid, bilinearly interpolated (the same for
	// the three channels, i.e. brightness), and a fine per-pixel noise. It
	// anchors the background's flow at zero.
	step := 3 * s
	gw, gh := int(float64(c.w)/step)+2, int(float64(c.h)/step)+2
	grain := make([]float64, gw*gh)
	for i := range grain {
		grain[i] = 28 * (r.Float64() - 0.5)
	}
	for y := 0; y < c.h; y++ {
		gy := float64(y) / step
		y0 := int(gy)
		fy := gy - float64(y0)
		for x := 0; x < c.w; x++ {
			gx := float64(x) / step
			x0 := int(gx)
			fx := gx - float64(x0)
			g := (grain[y0*gw+x0]*(1-fx)+grain[y0*gw+x0+1]*fx)*(1-fy) + (grain[(y0+1)*gw+x0]*(1-fx)+grain[(y0+1)*gw+x0+1]*fx)*fy
			i := (y*c.w + x) * 3
			for k := 0; k < 3; k++ {
				c.pix[i+k] += g + 6*(r.Float64()-0.5)
			}
		}
	}
}

// animal paints an animal-like shape centred at (x, y): an elliptic body
// with spots (texture that moves with it), a head on the facing side, four
// legs at gait phase ph, a tail, and the optional leaf and wings. When
// swimming, everything below the waterline is hidden.
func animal(c *canvas, x, y, s, facing, ph float64, look int, swimming, eating, wings bool) {
	body, spot, head := speciesLooks[look][0], speciesLooks[look][1], speciesLooks[look][2]
	rx, ry := 11*s, 6.5*s
	var clip func(px, py float64) bool
	if swimming {
		water := y + 0.2*ry
		clip = func(px, py float64) bool { return py < water }
	}
	if wings {
		wing := [3]float64{235, 225, 170}
		for _, side := range []float64{-1, 1} {
			c.triangle([3][2]float64{{x - 0.45*rx, y - 0.4*ry}, {x + 0.45*rx, y - 0.4*ry}, {x + side*0.9*rx, y - ry - 9*s}}, wing, clip)
		}
	}
	for k, off := range []float64{-0.6, -0.2, 0.2, 0.6} {
		a := 0.45 * math.Sin(ph+float64(k%2)*math.Pi)
		lx, ly := x+off*rx, y+0.6*ry
		c.segment(lx, ly, lx+7*s*math.Sin(a), ly+7*s*math.Cos(a), 1.8*s, spot, clip)
	}
	c.segment(x-facing*rx*0.9, y-0.2*ry, x-facing*(rx+6*s), y-ry, 1.5*s, spot, clip)
	c.ellipse(x, y, rx, ry, body, clip)
	for _, sp := range [][3]float64{{-0.5, -0.2, 1.6}, {0.05, 0.25, 1.3}, {0.45, -0.3, 1.2}, {-0.15, -0.45, 1.0}, {0.3, 0.4, 0.9}} {
		c.ellipse(x+facing*sp[0]*rx, y+sp[1]*ry, sp[2]*s, sp[2]*s, spot, clip)
	}
	hx, hy := x+facing*(rx+2.5*s), y-3.5*s
	c.ellipse(hx, hy, 4.5*s, 4*s, head, clip)
	c.ellipse(hx+facing*1.8*s, hy-1.2*s, 0.9*s, 0.9*s, [3]float64{20, 20, 20}, clip)
	if eating {
		c.ellipse(hx+facing*5*s, hy+2.5*s, 3.8*s, 2*s, [3]float64{60, 200, 60}, clip)
		c.segment(hx+facing*2*s, hy+2.5*s, hx+facing*8*s, hy+2.5*s, 0.7*s, [3]float64{30, 110, 30}, clip)
	}
}

// Render draws the clip's frames as packed RGB24 (H*W*3 bytes each).
func Render(p *Plan) [][]byte {
	r := rand.New(rand.NewPCG(p.Seed, 0xB6))
	s := p.scale()
	bg := newCanvas(p.W, p.H)
	background(bg, r, p.Swimming, s)
	if p.Other {
		animal(bg, p.OtherX, p.OtherY, s, p.OtherFacing, 0.7, p.OtherSpecies, false, false, false)
	}
	world := float64(p.W) + 2*16*s // wrap period: the frame plus a body length each side
	frames := make([][]byte, p.Frames)
	for t := 0; t < p.Frames; t++ {
		c := &canvas{w: p.W, h: p.H, pix: append([]float64(nil), bg.pix...)}
		x := p.ActorX(t)
		y := p.Y
		if p.Motion == Walking || p.Motion == Running {
			y -= 0.8 * s * math.Abs(math.Sin(p.legPhase(t))) // a bob with the gait
		}
		ph := p.legPhase(t)
		if p.Other {
			animal(c, x, y, s, p.Facing, ph, p.Species, p.Swimming, p.Eating, p.Wings)
		} else {
			// Wrap around: draw the copy that is on screen (two near an edge).
			xw := math.Mod(x+16*s, world)
			if xw < 0 {
				xw += world
			}
			xw -= 16 * s
			for _, xx := range []float64{xw, xw - world, xw + world} {
				if xx > -20*s && xx < float64(p.W)+20*s {
					animal(c, xx, y, s, p.Facing, ph, p.Species, p.Swimming, p.Eating, p.Wings)
				}
			}
		}
		f := make([]byte, p.W*p.H*3)
		for i, v := range c.pix {
			if p.Noise > 0 {
				v += p.Noise * r.NormFloat64()
			}
			f[i] = byte(math.Max(0, math.Min(255, math.Round(v))))
		}
		frames[t] = f
	}
	return frames
}

// newPlan draws the plan of one clip.
func newPlan(r *rand.Rand, id string, o Options) *Plan {
	p := &Plan{ID: id, W: o.Width, H: o.Height, Seed: r.Uint64()}
	s := p.scale()
	d := o.Difficulty
	p.Frames = o.MinFrames + r.IntN(o.MaxFrames-o.MinFrames+1)
	u := r.Float64()
	switch {
	case u < 0.3:
		p.Motion = KeepingStill
	case u < 0.6:
		p.Motion = Walking
	case u < 0.8:
		p.Motion = Running
	default:
		p.Motion = Shaking
	}
	p.Swimming = r.Float64() < 0.3
	p.Eating = r.Float64() < 0.3
	p.Wings = r.Float64() < 0.3
	p.Facing = float64(2*r.IntN(2) - 1)
	p.LegPhase = 2 * math.Pi * r.Float64()
	p.Species = r.IntN(len(speciesLooks))
	p.Y = float64(p.H) * (0.5 + 0.2*r.Float64())
	p.X0 = float64(p.W) * r.Float64()
	dir := float64(2*r.IntN(2) - 1)
	// Speeds: walking 0.5-0.9, running 2.0-3.0 units per frame; difficulty
	// brings them closer (running down to 1.1-2.1 at d = 1).
	switch p.Motion {
	case Walking:
		p.VX = dir * s * (0.5 + 0.4*r.Float64())
	case Running:
		p.VX = dir * s * (2.0 - 0.9*d + r.Float64())
	case Shaking:
		p.ShakeAmp = s * (1.5 + r.Float64()) * (1 - 0.4*d)
		p.ShakePeriod = 2.2 + 1.5*r.Float64()
		p.ShakePhase = 2 * math.Pi * r.Float64()
	}
	if (p.Motion == Walking || p.Motion == Running) && r.Float64() < 0.5 {
		p.Other = true
		p.Towards = r.IntN(2) == 0
		side := float64(2*r.IntN(2) - 1) // the other animal on the left (-1) or right (+1)
		W := float64(p.W)
		p.OtherX = W/2 + side*W*(0.3+0.08*r.Float64())
		p.OtherY = p.Y + s*4*(r.Float64()-0.5)
		p.OtherFacing = float64(2*r.IntN(2) - 1)
		p.OtherSpecies = r.IntN(len(speciesLooks))
		speed := math.Abs(p.VX)
		if p.Towards {
			p.VX = side * speed
			// Start far enough to close in during most of the clip.
			dist := math.Min(p.contact()+speed*float64(p.Frames)*0.8+4*s, W*0.6+p.contact())
			p.X0 = p.OtherX - side*dist
		} else {
			p.VX = -side * speed
			p.X0 = p.OtherX - side*(p.contact()+2*s*r.Float64())
		}
	}
	p.Noise = 1.5 + 6*d
	labels := []int{p.Motion}
	if p.Swimming {
		labels = append(labels, Swimming)
	}
	if p.Eating {
		labels = append(labels, Eating)
	}
	if p.Wings {
		labels = append(labels, SpreadingWings)
	}
	if p.Other {
		if p.Towards {
			labels = append(labels, Attacking)
		} else {
			labels = append(labels, Retreating)
		}
	}
	sort.Ints(labels)
	p.Labels = labels
	return p
}
