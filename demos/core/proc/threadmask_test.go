package proc_test

import (
	"os"
	"path/filepath"
	"testing"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// A signal stays pending only while every thread blocks it: the main
// thread's SigBlk alone (here blocking SIGHUP and SIGINT) says too much.
func TestBlockedByEveryThreadIsTheIntersection(t *testing.T) {
	root := t.TempDir()
	masks := map[string]string{
		"7": "0000000000000003", // SIGHUP, SIGINT: the main thread
		"8": "0000000000000002", // SIGINT
		"9": "0000000000000006", // SIGINT, SIGQUIT
	}
	for tid, mask := range masks {
		dir := filepath.Join(root, "7", "task", tid)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		status := "Name:\tp\nTgid:\t7\nPid:\t" + tid + "\nSigBlk:\t" + mask + "\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n"
		if err := os.WriteFile(filepath.Join(dir, "status"), []byte(status), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := proc.FS{Root: root}.BlockedByEveryThread(7)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Has(unix.SIGINT) || got.Has(unix.SIGHUP) || got.Has(unix.SIGQUIT) {
		t.Errorf("BlockedByEveryThread = %v, want SIGINT only", got.Names())
	}
	if _, err := (proc.FS{Root: root}).BlockedByEveryThread(8); err == nil {
		t.Error("no error for a process that is not there")
	}
}

// This test process: Go blocks nothing on its threads for long, so some
// thread takes every signal; the answer is the empty set, whatever the main
// thread's mask is at this instant.
func TestBlockedByEveryThreadOfALiveGoProcess(t *testing.T) {
	got, err := proc.Live().BlockedByEveryThread(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if got.Has(unix.SIGHUP) || got.Has(unix.SIGTERM) {
		t.Errorf("BlockedByEveryThread(self) = %v, want neither SIGHUP nor SIGTERM", got.Names())
	}
}
