package codever

import (
	"strings"
	"testing"
	"testing/fstest"

	actrepro "github.com/actrepro/actrepro"
)

const mod = "example.com/m"

// tree is a small module: task imports model and util; model imports
// util; other is not imported by task.
func tree() fstest.MapFS {
	return fstest.MapFS{
		"go.mod":               {Data: []byte("module example.com/m\n\ngo 1.24\n")},
		"task/task.go":         {Data: []byte("package task\n\nimport (\n\t\"fmt\"\n\t\"example.com/m/model\"\n)\n\n// Run runs.\nfunc Run() { fmt.Println(model.F()) }\n")},
		"task/task_test.go":    {Data: []byte("package task\n\nfunc helper() int { return 1 }\n")},
		"model/model.go":       {Data: []byte("package model\n\nimport \"example.com/m/util\"\n\nfunc F() int { return util.G() + 1 }\n")},
		"model/kernel_amd64.s": {Data: []byte("TEXT ·f(SB),4,$0\n\tRET\n")},
		"util/util.go":         {Data: []byte("package util\n\nfunc G() int { return 2 }\n")},
		"other/other.go":       {Data: []byte("package other\n\nfunc H() int { return 3 }\n")},
	}
}

func TestFingerprintChanges(t *testing.T) {
	base, dirs, err := Fingerprint(tree(), mod, mod+"/task")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(dirs, ","); got != "model,task,util" {
		t.Errorf("hashed packages %s, want model,task,util", got)
	}
	if len(base) != Len {
		t.Errorf("fingerprint %q has %d digits, want %d", base, len(base), Len)
	}
	cases := []struct {
		name, file, content string
		changes             bool
	}{
		{"task code", "task/task.go", "package task\n\nimport (\n\t\"fmt\"\n\t\"example.com/m/model\"\n)\n\n// Run runs.\nfunc Run() { fmt.Println(model.F() + 1) }\n", true},
		{"model code (imported)", "model/model.go", "package model\n\nimport \"example.com/m/util\"\n\nfunc F() int { return util.G() + 2 }\n", true},
		{"util code (imported through model)", "util/util.go", "package util\n\nfunc G() int { return 20 }\n", true},
		{"assembly", "model/kernel_amd64.s", "TEXT ·f(SB),4,$0\n\tNOP\n\tRET\n", true},
		{"go.mod", "go.mod", "module example.com/m\n\ngo 1.25\n", true},
		{"new file in an imported package", "util/more.go", "package util\n\nvar X = 1\n", true},
		{"build directive", "util/util.go", "//go:build linux\n\npackage util\n\nfunc G() int { return 2 }\n", true},
		{"a comment only", "util/util.go", "// Package util is util.\npackage util\n\n// G is two.\nfunc G() int { return 2 } // two\n", false},
		{"layout only", "util/util.go", "package util\nfunc G() int {\n\treturn 2\n}\n", false},
		{"a test file", "task/task_test.go", "package task\n\nfunc helper() int { return 2 }\n", false},
		{"a package task does not import", "other/other.go", "package other\n\nfunc H() int { return 4 }\n", false},
	}
	for _, c := range cases {
		fsys := tree()
		fsys[c.file] = &fstest.MapFile{Data: []byte(c.content)}
		got, _, err := Fingerprint(fsys, mod, mod+"/task")
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if (got != base) != c.changes {
			t.Errorf("%s: fingerprint %s -> %s, want changed=%v", c.name, base, got, c.changes)
		}
	}
}

func TestFingerprintErrors(t *testing.T) {
	fsys := tree()
	delete(fsys, "util/util.go") // model imports util, whose source is missing
	cases := []struct {
		name string
		fsys fstest.MapFS
		pkg  string
		want string
	}{
		{"missing imported package", fsys, mod + "/task", "example.com/m/util"},
		{"outside the module", tree(), "example.com/other/task", "not in module"},
		{"syntax error", fstest.MapFS{"go.mod": {}, "task/task.go": {Data: []byte("package task\nimport \"x\n")}}, mod + "/task", "task/task.go"},
	}
	for _, c := range cases {
		_, _, err := Fingerprint(c.fsys, mod, c.pkg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %q", c.name, err, c.want)
		}
	}
}

// Every task package of this module, and everything it imports, must be
// covered by the embed patterns of sources.go.
func TestEmbeddedSourcesCoverTasks(t *testing.T) {
	for _, pkg := range []string{"internal/tasks/artemis", "internal/tasks/baselines", "internal/tasks/demo",
		"internal/tasks/ucf50", "internal/harness", "internal/codever"} {
		fp, dirs, err := Fingerprint(actrepro.Sources, Module, Module+"/"+pkg)
		if err != nil {
			t.Errorf("%s: %v", pkg, err)
			continue
		}
		t.Logf("%s: %s over %d packages", pkg, fp, len(dirs))
	}
	fp, _, err := Fingerprint(actrepro.Sources, Module, Module+"/internal/tasks/artemis")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Of(Module + "/internal/tasks/artemis"); err != nil || got != fp {
		t.Errorf("Of = %q, %v; want %q", got, err, fp)
	}
}

type versioned struct{}

func (versioned) Version() string { return "v-3" }

type plain struct{}

func TestVersion(t *testing.T) {
	own, err := Of(Module + "/internal/codever")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		task any
		want string
	}{
		{"explicit version and fingerprint", versioned{}, "v-3+src." + own},
		{"pointer", &versioned{}, "v-3+src." + own},
		{"no explicit version", plain{}, "+src." + own},
		{"outside the module", strings.Builder{}, "+src.external"},
	}
	for _, c := range cases {
		got, err := Version(c.task)
		if err != nil || got != c.want {
			t.Errorf("%s: Version = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	if _, err := Version(nil); err == nil {
		t.Error("Version(nil) gave no error")
	}
}
