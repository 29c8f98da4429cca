package data

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/atomicfile"
)

// EnvDataRoot is the environment variable holding the default data root.
const EnvDataRoot = "ACTREPRO_DATA"

// DataRoot returns explicit when non-empty, else $ACTREPRO_DATA (which may be
// empty: callers then skip real data or fall back to synthetic twins).
func DataRoot(explicit string) string {
	if explicit != "" {
		return explicit
	}
	return os.Getenv(EnvDataRoot)
}

// ParseError reports a malformed line of a data file.
type ParseError struct {
	File   string // path of the file
	Line   int    // 1-based line number (0 when the error concerns the whole file)
	Reason string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Reason)
}

func perr(file string, line int, format string, args ...any) error {
	return &ParseError{File: file, Line: line, Reason: fmt.Sprintf(format, args...)}
}

// Fingerprinter accumulates the hashes of the files a dataset reader reads;
// Sum is the dataset's fingerprint. The zero value is ready to use.
type Fingerprinter struct {
	parts []string
}

// Add records a file's name (base name only, so the fingerprint does not
// depend on where the data root is) and its content.
func (f *Fingerprinter) Add(path string, content []byte) {
	h := sha256.Sum256(content)
	f.parts = append(f.parts, filepath.Base(path)+"\x00"+hex.EncodeToString(h[:]))
}

// AddString records a named value (e.g. generator options of a synthetic twin).
func (f *Fingerprinter) AddString(name, value string) {
	h := sha256.Sum256([]byte(value))
	f.parts = append(f.parts, name+"\x00"+hex.EncodeToString(h[:]))
}

// Sum returns "sha256:" and the first 16 bytes of the hash of all parts,
// independent of the order in which files were added.
func (f *Fingerprinter) Sum() string {
	p := append([]string(nil), f.parts...)
	sort.Strings(p)
	h := sha256.Sum256([]byte(strings.Join(p, "\n")))
	return "sha256:" + hex.EncodeToString(h[:16])
}

// FileFingerprint is the fingerprint of one file's bytes.
func FileFingerprint(path string, content []byte) string {
	var f Fingerprinter
	f.Add(path, content)
	return f.Sum()
}

// readFile reads a whole data file, adding it to fp when fp is non-nil.
func readFile(path string, fp *Fingerprinter) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if fp != nil {
		fp.Add(path, b)
	}
	return b, nil
}

// lines splits content into lines, tolerating CRLF and a UTF-8 BOM, and
// calls fn with the 1-based line number of each line (blank lines included).
func lines(content []byte, fn func(n int, line string) error) error {
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	sc := bufio.NewScanner(bytes.NewReader(content))
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	n := 0
	for sc.Scan() {
		n++
		if err := fn(n, strings.TrimRight(sc.Text(), "\r")); err != nil {
			return err
		}
	}
	return sc.Err()
}

// WriteFileAtomic is writeFileAtomic for other packages (synthetic dataset
// writers registered from outside this package).
func WriteFileAtomic(path string, b []byte) error { return atomicfile.Write(path, b) }
