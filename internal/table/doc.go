// Package table renders a paper's table from result records: for each row
// of the paper (keyed by sweep-axis values) the reported value, the
// measured value (mean, and spread when several runs share a row) and
// their difference, under a banner that states the data source and scale
// so that a number measured on synthetic data can never be mistaken for a
// reproduction of the paper's. Output formats: Markdown, CSV and LaTeX.
//
// Rows the paper prints twice, rows the paper lacks and rows not yet run
// are flagged, never guessed.
package table
