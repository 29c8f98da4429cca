package kernel

import (
	"fmt"
	"html"
	"strings"

	"github.com/actrepro/actrepro/plots"
)

// ShowFigure displays f inline as SVG in a notebook (inside HTML, so the
// figure survives conversion of the notebook to HTML); in a terminal it
// prints a line naming the figure (save it with SaveFigure to look at it).
func ShowFigure(f *plots.Figure) error {
	svg, err := f.SVG()
	if err != nil {
		return err
	}
	title := f.Plot.Title.Text
	showRich(fmt.Sprintf(`<div class="actrepro-figure">%s</div>`, inlineSVG(svg)),
		"figure: "+title, fmt.Sprintf("[figure %q: %d bytes of SVG; save it with kernel.SaveFigure]\n", title, len(svg)))
	return nil
}

// inlineSVG drops what precedes the <svg> element (the XML declaration and
// a generator comment), which has no place inside HTML.
func inlineSVG(svg []byte) string {
	s := string(svg)
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	return s
}

// SaveFigure writes f as SVG, PNG and PDF to path (without extension;
// relative paths are under the checkout root, e.g.
// "results/demo-quickstart/smoke/figures/loss") and returns the files
// written. Writes are atomic.
func SaveFigure(f *plots.Figure, path string) ([]string, error) {
	abs, err := resolve(path)
	if err != nil {
		return nil, err
	}
	paths, err := f.Save(abs)
	if err != nil {
		return paths, err
	}
	if InNotebook() {
		names := ""
		for _, p := range paths {
			names += fmt.Sprintf(" <code>%s</code>", html.EscapeString(p))
		}
		showRich(`<div style="font-size:0.85em;color:#555">saved`+names+`</div>`, fmt.Sprint("saved ", paths), "")
	}
	return paths, nil
}
