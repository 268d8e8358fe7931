// Package fakeproc writes small /proc trees for tests of what walks the
// process tree: each process has only a stat file, with its parent, state
// and start time, so a test can draw any family (a reused PID, a zombie, an
// adopted daemon) without starting a process.
package fakeproc

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"dlab/demos/core/proc"
)

// Tree writes a /proc tree in a temporary directory and returns a reader
// on it. parents maps each PID to its parent's; a process is sleeping
// ('S') unless states says otherwise, and starts at tick 1000+PID (after
// its parent, when the parent's PID is lower) unless starts says otherwise.
func Tree(t testing.TB, parents map[int]int, states map[int]byte, starts map[int]int) proc.FS {
	t.Helper()
	root := t.TempDir()
	for pid, ppid := range parents {
		state := byte('S')
		if s, ok := states[pid]; ok {
			state = s
		}
		start := 1000 + pid
		if s, ok := starts[pid]; ok {
			start = s
		}
		dir := filepath.Join(root, fmt.Sprint(pid))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		// Fields 1-22 of proc_pid_stat(5): pid (comm) state ppid pgrp
		// session tty_nr tpgid flags ... starttime, then two more.
		line := fmt.Sprintf("%d (p%d) %c %d %d %d 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 %d 0 0\n", pid, pid, state, ppid, pid, pid, start)
		if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return proc.FS{Root: root}
}
