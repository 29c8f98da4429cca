package report

import (
	"encoding/base64"
	"strings"

	"codeberg.org/go-fonts/liberation/liberationserifregular"
)

// The figures are drawn by gonum/plot in its default font, Liberation
// Serif, which SVG names but does not embed: a browser without it lays
// the text out in a wider font, so titles and legends run out of the
// figure. The page embeds the font (the same TTF gonum/plot measures
// text with) once, as a data URI, when an inlined figure uses it.
const liberationSerif = "Liberation Serif"

// fontFaceCSS returns the @font-face rules the page's figures need.
func (p *Page) fontFaceCSS() string {
	if !p.usesFont(liberationSerif) {
		return ""
	}
	return "@font-face{font-family:\"" + liberationSerif + "\";font-style:normal;font-weight:400;src:url(data:font/ttf;base64," +
		base64.StdEncoding.EncodeToString(liberationserifregular.TTF) + ") format(\"truetype\")}\n"
}

func (p *Page) usesFont(family string) bool {
	uses := func(figs []*Figure) bool {
		for _, f := range figs {
			if strings.Contains(f.SVG, "font-family:"+family) || strings.Contains(f.SVG, "font-family:'"+family+"'") {
				return true
			}
		}
		return false
	}
	for _, pp := range p.Papers {
		for _, e := range pp.Experiments {
			for _, s := range e.Scales {
				if uses(s.Figures) {
					return true
				}
			}
		}
	}
	return uses(p.Other)
}
