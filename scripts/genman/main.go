// Command genman writes dlab's man pages into scripts/man, generated from
// its commands with cobra's doc package:
//
//	go run ./scripts/genman
//
// The commands are built in package main of cmd/dlab, which no other
// package can import; its test binary can, so genman runs the test that
// compares the kept pages, asking it to rewrite them. Read them with
// man -l scripts/man/dlab.1.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "genman: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	// The module's root, wherever genman is started from inside it.
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("cannot find the dlab module: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return fmt.Errorf("run it inside dlab's repository: go run ./scripts/genman")
	}
	cmd := exec.Command("go", "test", "-count=1", "-run", "^TestManPagesAreUpToDate$", "./cmd/dlab", "-update-man")
	cmd.Dir = filepath.Dir(gomod)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("generating the man pages: %w", err)
	}
	pages, _ := filepath.Glob(filepath.Join(cmd.Dir, "scripts", "man", "*.1"))
	fmt.Printf("wrote %d man pages in scripts/man\n", len(pages))
	return nil
}
