package proc

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"dlab/demos/testkit/gosource"
)

// openers are the functions through which a file can open, list or
// resolve a path. A file that calls none of them can only name /proc paths,
// never read them: the evidence texts of a report ("/proc/42/stat field 7
// tty_nr") are words for the user, and may stay where they are written.
var openers = map[string]map[string]bool{
	"os":                    set("Open", "OpenFile", "ReadFile", "ReadDir", "Readlink", "Stat", "Lstat", "DirFS", "OpenRoot", "OpenInRoot"),
	"io/ioutil":             set("ReadFile", "ReadDir"),
	"io/fs":                 set("ReadFile", "ReadDir", "Stat", "Glob", "WalkDir"),
	"path/filepath":         set("Glob", "Walk", "WalkDir", "EvalSymlinks"),
	"os/exec":               set("Command", "CommandContext"),
	"syscall":               set("Open", "Openat", "Readlink", "Stat", "Lstat", "Exec"),
	"golang.org/x/sys/unix": set("Open", "Openat", "Openat2", "Readlink", "Readlinkat", "Stat", "Lstat", "Fstatat", "Statx", "Exec"),
	"debug/buildinfo":       set("ReadFile"),
	"debug/elf":             set("Open"),
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// opensPaths reports whether f calls one of the openers.
func opensPaths(f *ast.File) bool {
	local := map[string]string{} // the name a file gives an import -> its path
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		local[name] = p
	}
	opens := false
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return !opens
		}
		if id, ok := sel.X.(*ast.Ident); ok && openers[local[id.Name]][sel.Sel.Name] {
			opens = true
		}
		return !opens
	})
	return opens
}

// TestOnlyTheReaderOpensProc holds the architecture's rule: only
// demos/core/proc reads /proc, always under its FS root, so every read can
// be pointed at a fixture tree and every parser has fixtures and a fuzz
// target. A file outside proc that can open files must not spell a path
// under /proc; it calls a reader function (or proc.Source for evidence
// text, proc.DefaultRoot for a flag's default).
func TestOnlyTheReaderOpensProc(t *testing.T) {
	for _, f := range gosource.Files(t, parser.SkipObjectResolution) {
		if f.Dir == "demos/core/proc" {
			continue
		}
		for _, v := range procPaths(f.Fset, f.AST) {
			t.Errorf("%s:%s: only demos/core/proc reads /proc; call a reader function (proc.FS), or proc.Source for evidence text", f.Path, v)
		}
	}
}

// procPaths lists the string literals naming a path under /proc in a file
// that opens paths, as "LINE: LITERAL".
func procPaths(fset *token.FileSet, f *ast.File) []string {
	if !opensPaths(f) {
		return nil
	}
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err == nil && (s == "/proc" || strings.HasPrefix(s, "/proc/")) {
			found = append(found, fmt.Sprintf("%d: %q", fset.Position(lit.Pos()).Line, s))
		}
		return true
	})
	return found
}

func TestProcPathsCatchesReadsNotWords(t *testing.T) {
	for src, want := range map[string]int{
		`package x; import "os"; func f() { os.ReadFile("/proc/" + "1/stat") }`:                        1,
		`package x; import o "os"; var p = "/proc"; func f() { o.Open(p) }`:                            1,
		`package x; import "golang.org/x/sys/unix"; func f() { unix.Readlink("/proc/self/exe", nil) }`: 1,
		`package x; import "os/exec"; func f() { exec.Command("cat", "/proc/1/status") }`:              1,
		`package x; import "fmt"; var s = fmt.Sprintf("/proc/%d/stat field 7", 1)`:                     0,
		`package x; import "golang.org/x/sys/unix"; var s, sig = "/proc/1/status SigIgn", unix.SIGHUP`: 0,
		`package x; import "os"; func f() { os.ReadFile("/process/x"); _ = "/procfs" }`:                0,
	} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "x.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := procPaths(fset, f); len(got) != want {
			t.Errorf("%s: found %q, want %d", src, got, want)
		}
	}
}
