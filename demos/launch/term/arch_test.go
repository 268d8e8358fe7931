package term

import (
	"go/parser"
	"testing"

	"dlab/demos/testkit/gosource"
)

const creackPty = "github.com/creack/pty"

// TestOnlyTermOpensPseudoTerminals holds the architecture's rule: a
// pseudo-terminal is opened in one place, term.Open, which hands the
// master over non-blocking (so closing it, the hang-up the lessons show,
// ends a read at once) and close-on-exec (so no process a demo starts holds
// the other side by accident). creack/pty's master is neither.
func TestOnlyTermOpensPseudoTerminals(t *testing.T) {
	for _, f := range gosource.Files(t, parser.ImportsOnly) {
		for _, p := range f.Imports() {
			if p != creackPty || f.Dir == "demos/launch/term" {
				continue
			}
			t.Errorf("%s imports %s: open pseudo-terminals with term.Open (dlab/demos/launch/term)", f.Path, creackPty)
		}
	}
}
