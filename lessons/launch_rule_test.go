package lessons_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// lessons/ maps names to demos and renders what they saw; it starts no
// process and handles no signal itself. Everything that does goes through
// the launch toolkit under demos/launch and the demos under demos/lab,
// which have the tests, the lifelines and the registry.
var launching = map[string]string{
	"os/exec":               "start processes through demos/launch (reexec, tool) or a demo under demos/lab",
	"os/signal":             "handle signals in a demo under demos/lab",
	"github.com/creack/pty": "open terminals in a demo under demos/lab",
	"golang.org/x/sys/unix": "make system calls in demos/launch or demos/lab",
}

func TestLessonsLaunchNothing(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		// Tests may start what they check (a TestMain dispatching roles).
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if why, bad := launching[p]; bad {
				t.Errorf("lessons/%s imports %s: lessons launch nothing; %s", path, p, why)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
