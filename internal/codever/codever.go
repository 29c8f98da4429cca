// Package codever fingerprints the code behind a result: the Go source of
// a package and of every package of this module it imports, directly or
// not, plus go.mod. The harness folds a task's fingerprint into every
// point's hash, so a changed task, model, trainer or reader never reuses a
// record made by other code.
//
// Comments and layout do not count: the Go files are hashed as token
// streams (go/scanner), so editing a doc comment or running gofmt keeps
// the fingerprint, while any change to the code itself (or a //go:
// directive, or an assembly file) changes it. _test.go files do not count.
package codever

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/parser"
	"go/scanner"
	"go/token"
	"io/fs"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	actrepro "github.com/actrepro/actrepro"
)

// Module is this module's path (go.mod).
const Module = "github.com/actrepro/actrepro"

// Len is the number of hex digits of a fingerprint.
const Len = 16

// Fingerprint hashes package pkg (an import path of module) and the
// packages of module it imports, transitively, as found in fsys (a tree
// rooted at the module root: go.mod at the top, package pkg in directory
// strings.TrimPrefix(pkg, module+"/")). It also returns the directories
// it hashed, sorted. An imported package of module with no Go file in fsys
// is an error: its code would silently be left out.
func Fingerprint(fsys fs.FS, module, pkg string) (string, []string, error) {
	dirOf := func(imp string) (string, bool) {
		if imp == module {
			return ".", true
		}
		if rest, ok := strings.CutPrefix(imp, module+"/"); ok {
			return rest, true
		}
		return "", false
	}
	start, ok := dirOf(pkg)
	if !ok {
		return "", nil, fmt.Errorf("codever: package %q is not in module %s", pkg, module)
	}
	files := map[string][]string{} // dir -> non-test source files
	seen := map[string]bool{start: true}
	queue := []string{start}
	for len(queue) > 0 {
		dir := queue[0]
		queue = queue[1:]
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			return "", nil, fmt.Errorf("codever: package %s: %w (is its directory covered by the patterns of sources.go?)", path.Join(module, dir), err)
		}
		for _, e := range entries {
			n := e.Name()
			if e.IsDir() || strings.HasSuffix(n, "_test.go") || !(strings.HasSuffix(n, ".go") || strings.HasSuffix(n, ".s")) {
				continue
			}
			p := path.Join(dir, n)
			files[dir] = append(files[dir], p)
			if !strings.HasSuffix(n, ".go") {
				continue
			}
			src, err := fs.ReadFile(fsys, p)
			if err != nil {
				return "", nil, fmt.Errorf("codever: %w", err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), p, src, parser.ImportsOnly)
			if err != nil {
				return "", nil, fmt.Errorf("codever: %w", err)
			}
			for _, is := range f.Imports {
				imp, _ := strconv.Unquote(is.Path.Value)
				if d, ok := dirOf(imp); ok && !seen[d] {
					seen[d] = true
					queue = append(queue, d)
				}
			}
		}
		if !hasGo(files[dir]) {
			return "", nil, fmt.Errorf("codever: package %s has no Go source in the embedded tree (is its directory covered by the patterns of sources.go?)", path.Join(module, dir))
		}
	}
	h := sha256.New()
	if mod, err := fs.ReadFile(fsys, "go.mod"); err == nil {
		fmt.Fprintf(h, "go.mod %d\n", len(mod))
		h.Write(mod)
	}
	dirs := make([]string, 0, len(files))
	for d := range files {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		names := files[d]
		sort.Strings(names)
		for _, p := range names {
			if err := hashFile(h, fsys, p); err != nil {
				return "", nil, err
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:Len], dirs, nil
}

func hasGo(files []string) bool {
	for _, f := range files {
		if strings.HasSuffix(f, ".go") {
			return true
		}
	}
	return false
}

// hashFile writes the file's name and content to h: an assembly file as
// bytes, a Go file as its tokens (comments other than //go: directives
// left out, automatic and explicit semicolons alike).
func hashFile(h interface{ Write([]byte) (int, error) }, fsys fs.FS, p string) error {
	src, err := fs.ReadFile(fsys, p)
	if err != nil {
		return fmt.Errorf("codever: %w", err)
	}
	if !strings.HasSuffix(p, ".go") {
		fmt.Fprintf(h, "file %s %d\n", p, len(src))
		h.Write(src)
		return nil
	}
	fmt.Fprintf(h, "file %s\n", p)
	fset := token.NewFileSet()
	file := fset.AddFile(p, -1, len(src))
	var s scanner.Scanner
	var scanErr error
	s.Init(file, src, func(pos token.Position, msg string) {
		if scanErr == nil {
			scanErr = fmt.Errorf("codever: %s: %s", pos, msg)
		}
	}, scanner.ScanComments)
	var b strings.Builder
	semi := false // a semicolon not yet written: dropped before ) and }, as gofmt's one-line blocks have none
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.COMMENT && !strings.HasPrefix(lit, "//go:") {
			continue
		}
		if tok == token.SEMICOLON {
			semi = true
			continue
		}
		if semi && tok != token.RBRACE && tok != token.RPAREN {
			b.WriteString(";\n")
		}
		semi = false
		switch {
		case tok == token.COMMENT:
			b.WriteString(strings.TrimSpace(lit))
		case tok.IsLiteral():
			b.WriteString(lit)
		default:
			b.WriteString(tok.String())
		}
		b.WriteByte('\n')
	}
	if scanErr != nil {
		return scanErr
	}
	h.Write([]byte(b.String()))
	return nil
}

var cache sync.Map // import path -> result

type result struct {
	fp  string
	err error
}

// Of is the fingerprint of package pkg of this module, from the sources
// embedded in the binary (computed once per package).
func Of(pkg string) (string, error) {
	if r, ok := cache.Load(pkg); ok {
		return r.(result).fp, r.(result).err
	}
	fp, _, err := Fingerprint(actrepro.Sources, Module, pkg)
	cache.Store(pkg, result{fp, err})
	return fp, err
}

// Version is the code version of a task: its own Version() string when it
// has one (a name a reader can recognise, e.g. "artemis-2"), then "+src."
// and the fingerprint of the package that defines the task's type. A task
// defined outside this module (nothing here can read its source) gets
// "+src.external".
func Version(task any) (string, error) {
	v := ""
	if vt, ok := task.(interface{ Version() string }); ok {
		v = vt.Version()
	}
	t := reflect.TypeOf(task)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.PkgPath() == "" {
		return "", fmt.Errorf("codever: cannot tell the package of task %T", task)
	}
	pkg := strings.TrimSuffix(t.PkgPath(), "_test") // a task defined in an external test package
	if pkg != Module && !strings.HasPrefix(pkg, Module+"/") {
		return v + "+src.external", nil
	}
	fp, err := Of(pkg)
	if err != nil {
		return "", err
	}
	return v + "+src." + fp, nil
}
