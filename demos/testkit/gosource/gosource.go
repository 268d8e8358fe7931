// Package gosource reads dlab's own Go source, for the tests that hold the
// architecture's rules: only demos/core/proc opens /proc, only
// demos/launch/term opens a pseudo-terminal.
package gosource

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// File is one Go file of the module, parsed.
type File struct {
	Path string // from the module root, with slashes: "demos/core/proc/stat.go"
	Dir  string // its package's directory, the same way: "demos/core/proc"
	Fset *token.FileSet
	AST  *ast.File
}

// Imports lists the import paths of the file.
func (f File) Imports() []string {
	var paths []string
	for _, imp := range f.AST.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		paths = append(paths, p)
	}
	return paths
}

// Files parses every Go file of the module that is not a test (tests may
// do what the program may not, to check it), skipping testdata, vendor and
// hidden directories; mode is parser.ImportsOnly when imports are enough.
// It fails t when it finds fewer than 50: the walk is then not seeing the
// module.
func Files(t testing.TB, mode parser.Mode) []File {
	t.Helper()
	root := Root(t)
	fset := token.NewFileSet()
	var files []File
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, mode)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		files = append(files, File{Path: rel, Dir: filepath.ToSlash(filepath.Dir(rel)), Fset: fset, AST: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("found only %d Go files under %s: the walk is not seeing the module", len(files), root)
	}
	return files
}

// Root is the module's root: the nearest directory above the test's
// working directory (its package's) that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package under test")
		}
		dir = parent
	}
}
