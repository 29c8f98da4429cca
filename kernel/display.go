package kernel

import (
	"fmt"
	"io"
	"os"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// Output is where text-mode output goes (outside GoNB); nil means the
// current os.Stdout.
var Output io.Writer

func out() io.Writer {
	if Output != nil {
		return Output
	}
	return os.Stdout
}

// InNotebook reports whether the program runs as a GoNB cell, where output
// is rich (HTML, SVG) instead of text.
func InNotebook() bool { return gonbui.IsNotebook }

// showRich displays html in a notebook, with plain as its text/plain
// alternative (what terminals and text exports see); outside a notebook it
// prints text.
func showRich(html, plain, text string) {
	if InNotebook() {
		gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
			protocol.MIMETextHTML:  html,
			protocol.MIMETextPlain: plain,
		}})
		// The display travels through a pipe to GoNB; without a Sync a cell
		// that ends right after it can report idle before GoNB forwards it,
		// and the output is lost (seen once in the conformance suite).
		gonbui.Sync()
		return
	}
	fmt.Fprint(out(), text)
}

// updateRich replaces the content of the transient output block id (created
// on first use) in a notebook. It does nothing outside a notebook.
func updateRich(id, html string) {
	if InNotebook() {
		gonbui.UpdateHtml(id, html)
	}
}

// ShowHTML displays raw HTML in a notebook, or prints text in a terminal.
func ShowHTML(html, text string) { showRich(html, text, text) }

// ShowMarkdown displays Markdown (rendered in a notebook, as is in a
// terminal).
func ShowMarkdown(md string) {
	if InNotebook() {
		gonbui.DisplayMarkdown(md)
		gonbui.Sync() // see showRich
		return
	}
	fmt.Fprintln(out(), md)
}
