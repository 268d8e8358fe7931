package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra/doc"
)

var updateMan = flag.Bool("update-man", false, "rewrite the man pages in scripts/man (go run ./scripts/genman does)")

// manDate is the date on the man pages. It is fixed, so a page changes only
// when its command does; move it forward with a release.
var manDate = time.Date(2026, time.November, 30, 0, 0, 0, 0, time.UTC)

// writeManPages writes a man page for dlab and one for each of its commands
// (dlab.1, dlab-workshop-check.1...) into dir. They are generated from the
// commands themselves, with their flags, usage lines and examples, so they
// cannot drift from what dlab does: the test below fails when the copies
// in scripts/man are not what they generate, and rewrites them for
// scripts/genman. It lives in a test file: dlab itself never writes them.
func writeManPages(dir string) error {
	// Test streams: no terminal, so nothing in the pages depends on the
	// terminal the generator ran on.
	ios, _, _, _ := iostreams.Test()
	root := newRootCmd(ios)
	root.DisableAutoGenTag = true
	return doc.GenManTree(root, &doc.GenManHeader{
		Section: "1",
		Date:    &manDate,
		Source:  "dlab",
		Manual:  "dlab manual",
	}, dir)
}

// keptMan is where the repository keeps the generated man pages.
const keptMan = "../../scripts/man"

// TestManPagesAreUpToDate fails when a command, a flag or a help text
// changed and the man pages in scripts/man were not generated again.
func TestManPagesAreUpToDate(t *testing.T) {
	fresh := t.TempDir()
	if err := writeManPages(fresh); err != nil {
		t.Fatal(err)
	}
	if *updateMan {
		old, _ := filepath.Glob(filepath.Join(keptMan, "*.1"))
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(keptMan, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	pages := func(dir string) []string {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.1"))
		var names []string
		for _, p := range paths {
			names = append(names, filepath.Base(p))
		}
		return names
	}
	want := pages(fresh)
	if len(want) == 0 || !slices.Contains(want, "dlab.1") {
		t.Fatalf("generated pages: %q, want dlab.1 among them", want)
	}
	for _, name := range want {
		b, err := os.ReadFile(filepath.Join(fresh, name))
		if err != nil {
			t.Fatal(err)
		}
		kept := filepath.Join(keptMan, name)
		if *updateMan {
			if err := os.WriteFile(kept, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		old, err := os.ReadFile(kept)
		if err != nil || !bytes.Equal(old, b) {
			t.Errorf("scripts/man/%s is out of date: run go run ./scripts/genman", name)
		}
	}
	for _, name := range pages(keptMan) {
		if !slices.Contains(want, name) {
			t.Errorf("scripts/man/%s is for a command dlab no longer has: run go run ./scripts/genman", name)
		}
	}
}
