package main

import (
	"time"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra/doc"
)

// manDate is the date on the man pages. It is fixed, so a page changes only
// when its command does (and the test comparing them stays deterministic);
// move it forward with a release.
var manDate = time.Date(2026, time.November, 30, 0, 0, 0, 0, time.UTC)

// writeManPages writes a man page for dlab and one for each of its commands
// (dlab.1, dlab-workshop-check.1...) into dir. They are generated from the
// commands themselves, with their flags, usage lines and examples, so they
// cannot drift from what dlab does: scripts/genman keeps the copies in
// scripts/man up to date and a test fails when they are not.
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
