package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/actrepro/actrepro/internal/atomicfile"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Default figure size, a single column of a two-column paper at 2x.
const (
	DefaultWidth  = 6 * vg.Inch
	DefaultHeight = 4 * vg.Inch
)

// Formats are the file formats Save writes, in order.
var Formats = []string{"svg", "png", "pdf"}

// Figure is a drawn figure, ready to save or to show inline.
type Figure struct {
	Plot          *plot.Plot
	Width, Height vg.Length
	// LegendRight draws the legend in a column right of the data area
	// (the axes shrink to make room) instead of inside it, for legends too
	// long to sit in a corner. Curves sets it for more than
	// legendInsideMax series.
	LegendRight bool
}

func newFigure(title, xLabel, yLabel string) *Figure {
	p := plot.New()
	p.Title.Text = wrap(title, titleWidth)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.Top = true
	return &Figure{Plot: p, Width: DefaultWidth, Height: DefaultHeight}
}

// titleWidth is the number of characters after which a title wraps.
const titleWidth = 64

// wrap breaks s into lines of at most width characters at spaces (a longer
// word stays whole).
func wrap(s string, width int) string {
	words := strings.Fields(s)
	var lines []string
	line := ""
	for _, w := range words {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// Render returns the figure encoded in format ("svg", "png" or "pdf").
func (f *Figure) Render(format string) ([]byte, error) {
	if f == nil || f.Plot == nil {
		return nil, fmt.Errorf("plots: render of a nil figure")
	}
	c, err := draw.NewFormattedCanvas(f.Width, f.Height, format)
	if err != nil {
		return nil, fmt.Errorf("plots: render %q: %w", format, err)
	}
	f.draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plots: render %q: %w", format, err)
	}
	if format == "svg" {
		return svgFontFallback(buf.Bytes()), nil
	}
	return buf.Bytes(), nil
}

// legendGap is the space between the data area and a LegendRight legend.
const legendGap = vg.Length(8)

// draw draws the plot on dc. With LegendRight the title is centred over
// the whole figure, the axes get the width left of a column as wide as the
// legend, and the legend is drawn in that column, top-aligned with the
// data area.
func (f *Figure) draw(dc draw.Canvas) {
	if !f.LegendRight {
		f.Plot.Draw(dc)
		return
	}
	p := f.Plot
	legend, title := p.Legend, p.Title.Text
	defer func() { p.Legend, p.Title.Text = legend, title }()
	body := dc
	if title != "" {
		descent := p.Title.TextStyle.FontExtents().Descent
		dc.FillText(p.Title.TextStyle, vg.Point{X: dc.Center().X, Y: dc.Max.Y + descent}, title)
		body.Max.Y -= p.Title.TextStyle.Rectangle(title).Size().Y + p.Title.Padding
	}
	p.Title.Text = ""
	p.Legend = plot.NewLegend() // no entries: the plot draws none
	inner, lc := legendRightLayout(p, &legend, body)
	p.Draw(inner)
	legend.Top, legend.Left, legend.XOffs, legend.YOffs = true, true, 0, 0
	legend.Draw(lc)
}

// legendRightLayout splits body (the figure less its title) into the
// canvas of the axes and the column of the legend l.
func legendRightLayout(p *plot.Plot, l *plot.Legend, body draw.Canvas) (inner, column draw.Canvas) {
	width := l.Rectangle(body).Size().X
	inner = draw.Crop(body, 0, -(width + legendGap), 0, 0)
	data := p.DataCanvas(inner)
	column = body
	column.Min = vg.Point{X: inner.Max.X + legendGap, Y: data.Min.Y}
	column.Max.Y = data.Max.Y
	return inner, column
}

// svgFontFallback lets a viewer without Liberation Serif (gonum/plot's
// font, named but not embedded in its SVG) use a metric-compatible font
// (Times New Roman, Tinos) before its generic serif, whose wider glyphs
// would push titles and legends out of the figure.
func svgFontFallback(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("font-family:Liberation Serif;"), []byte("font-family:'Liberation Serif','Times New Roman',Tinos,Times,serif;"))
}

// SVG returns the figure as SVG (fonts referenced, not embedded).
func (f *Figure) SVG() ([]byte, error) { return f.Render("svg") }

// PNG returns the figure as PNG.
func (f *Figure) PNG() ([]byte, error) { return f.Render("png") }

// SaveAs writes the figure to path in the format named by its extension,
// atomically (a temp file in the same directory, then rename).
func (f *Figure) SaveAs(path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format == "" {
		return fmt.Errorf("plots: %s: no extension to choose a format from", path)
	}
	b, err := f.Render(format)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return WriteFileAtomic(path, b)
}

// Save writes the figure as base.svg, base.png and base.pdf (base is a path
// without extension; its directory is created) and returns the paths written.
func (f *Figure) Save(base string) ([]string, error) {
	if dir := filepath.Dir(base); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("plots: %w", err)
		}
	}
	var paths []string
	for _, ext := range Formats {
		p := base + "." + ext
		if err := f.SaveAs(p); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// Palette is the colour cycle of series (Okabe-Ito, readable by colour-blind
// readers and in greyscale print).
var Palette = []color.Color{
	color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}, // blue
	color.RGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, // orange
	color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}, // bluish green
	color.RGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, // reddish purple
	color.RGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, // sky blue
	color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}, // vermillion
	color.RGBA{R: 0xF0, G: 0xE4, B: 0x42, A: 0xFF}, // yellow
	color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}, // black
}

// Color returns the i-th colour of Palette, cycling.
func Color(i int) color.Color { return Palette[((i%len(Palette))+len(Palette))%len(Palette)] }

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// checkFinite returns an error naming what and index i if a value is not finite.
func checkFinite(what string, vs []float64) error {
	for i, v := range vs {
		if !finite(v) {
			return fmt.Errorf("plots: %s[%d] = %v is not a finite number", what, i, v)
		}
	}
	return nil
}

// legendEntryHeight is about the height a legend line takes (12 pt text
// plus spacing); legendMarginPts the plot's margins around the data area.
const (
	legendEntryHeight = vg.Length(14)
	legendMarginPts   = vg.Length(60)
)

// legendHeadroom makes room for a top legend of entries lines above the
// data instead of over it: a figure with more than 4 entries grows taller,
// and the y axis is extended by the share of the data area the legend
// takes. Call it after adding every plotter (plot.Add has set the axis
// ranges from the data by then).
func legendHeadroom(f *Figure, entries int) {
	if entries > 4 {
		f.Height += vg.Length(entries-4) * legendEntryHeight
	}
	legend := vg.Length(entries)*legendEntryHeight + 6
	area := f.Height - legendMarginPts
	frac := float64(legend / max(area-legend, 40))
	y := &f.Plot.Y
	span := y.Max - y.Min
	if span <= 0 || !finite(span) {
		span = 1
	}
	y.Max += span * frac
}

// WriteFileAtomic writes b to path through a temp file in the same directory
// and a rename, so readers never see a half-written file.
func WriteFileAtomic(path string, b []byte) error {
	if err := atomicfile.Write(path, b); err != nil {
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	return nil
}
