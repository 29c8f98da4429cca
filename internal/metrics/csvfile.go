package metrics

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Matrix is a numeric table read from a CSV file: one row per sample, one
// column per class.
type Matrix struct {
	Name   string      // file name, for messages
	Header []string    // column names when the first row was not numeric; else nil
	Rows   [][]float64 // values
	Lines  []int       // 1-based line of each row in the file
}

// Cols is the number of columns.
func (m *Matrix) Cols() int {
	if len(m.Rows) == 0 {
		return len(m.Header)
	}
	return len(m.Rows[0])
}

// ReadMatrixCSV reads a comma-separated numeric table. A first row with a
// field that is not a number is a header (so class names must not all be
// numbers); a leading UTF-8 byte-order mark is ignored. Blank lines and lines starting
// with '#' are skipped; spaces around fields are ignored. Every row must have
// the same number of columns. Errors name the file, line and column.
func ReadMatrixCSV(r io.Reader, name string) (*Matrix, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = false
	m := &Matrix{Name: name}
	first := true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d: %v", name, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		line, _ := cr.FieldPos(0)
		if first && len(rec) > 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff") // a UTF-8 byte-order mark (spreadsheet exports)
		}
		vals := make([]float64, len(rec))
		bad := -1
		for j, f := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				bad = j
				break
			}
			vals[j] = v
		}
		if first {
			first = false
			if bad >= 0 {
				m.Header = make([]string, len(rec))
				for j, f := range rec {
					m.Header[j] = strings.TrimSpace(f)
				}
				continue
			}
		}
		if bad >= 0 {
			return nil, fmt.Errorf("%s:%d: column %d: %q is not a number", name, line, bad+1, rec[bad])
		}
		if want := m.Cols(); (m.Header != nil || len(m.Rows) > 0) && len(rec) != want {
			return nil, fmt.Errorf("%s:%d: %d columns, want %d (as in line %d)", name, line, len(rec), want, m.firstLine())
		}
		m.Rows = append(m.Rows, vals)
		m.Lines = append(m.Lines, line)
	}
	if len(m.Rows) == 0 {
		return nil, fmt.Errorf("%s: no data rows", name)
	}
	return m, nil
}

func (m *Matrix) firstLine() int {
	if len(m.Lines) > 0 {
		return m.Lines[0]
	}
	return 1 // the header
}

// Labels interprets m as a 0/1 label matrix. Any other value is an error
// naming the file, line and column.
func (m *Matrix) Labels() ([][]bool, error) {
	out := make([][]bool, len(m.Rows))
	for i, row := range m.Rows {
		out[i] = make([]bool, len(row))
		for j, v := range row {
			switch v {
			case 0:
			case 1:
				out[i][j] = true
			default:
				return nil, fmt.Errorf("%s:%d: column %d: label %v is not 0 or 1", m.Name, m.Lines[i], j+1, v)
			}
		}
	}
	return out, nil
}

// Scores checks that every value of m is finite and returns the rows.
func (m *Matrix) Scores() ([][]float64, error) {
	for i, row := range m.Rows {
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s:%d: column %d: score %v is not a finite number", m.Name, m.Lines[i], j+1, v)
			}
		}
	}
	return m.Rows, nil
}

// ClassIndices interprets a one-column m as integer class indices in [0, k).
func (m *Matrix) ClassIndices(k int) ([]int, error) {
	if m.Cols() != 1 {
		return nil, fmt.Errorf("%s: %d columns, want 1 (a class index per row)", m.Name, m.Cols())
	}
	out := make([]int, len(m.Rows))
	for i, row := range m.Rows {
		v := row[0]
		if v != math.Trunc(v) || v < 0 || v >= float64(k) {
			return nil, fmt.Errorf("%s:%d: class index %v is not an integer in [0, %d)", m.Name, m.Lines[i], v, k)
		}
		out[i] = int(v)
	}
	return out, nil
}

// Column returns the single column of a one-column m, checked finite.
func (m *Matrix) Column() ([]float64, error) {
	if m.Cols() != 1 {
		return nil, fmt.Errorf("%s: %d columns, want 1 (one value per row)", m.Name, m.Cols())
	}
	out := make([]float64, len(m.Rows))
	for i, row := range m.Rows {
		if math.IsNaN(row[0]) || math.IsInf(row[0], 0) {
			return nil, fmt.Errorf("%s:%d: value %v is not a finite number", m.Name, m.Lines[i], row[0])
		}
		out[i] = row[0]
	}
	return out, nil
}
