package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"dlab/cmd/dlab/iostreams"
)

// writeHandout runs dlab lesson alpha --format markdown -o path.
func writeHandout(t *testing.T, path string) error {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	o := lessonOpts(ios)
	o.Name, o.NoDemos, o.Format, o.Output = "alpha", true, "markdown", path
	return runLesson(context.Background(), o)
}

func noTempLeft(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".dlab-lesson-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestOutputNewFileHonoursTheUmask(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o077, 0o600}, {0o002, 0o664}} {
		old := syscall.Umask(tt.umask)
		path := filepath.Join(dir, "h.md")
		os.Remove(path)
		err := writeHandout(t, path)
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != tt.want {
			t.Errorf("umask %03o: mode %v, want %v", tt.umask, fi.Mode().Perm(), tt.want)
		}
	}
	noTempLeft(t, dir)
}

func TestOutputReplacesARegularFileKeepingItsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "h.md")
	if err := os.WriteFile(path, []byte("old text that is longer than nothing\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o640)
	if err := writeHandout(t, path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "# Alpha title") || strings.Contains(string(b), "old text") {
		t.Errorf("the file holds:\n%s", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", fi.Mode().Perm())
	}
	noTempLeft(t, dir)
}

func TestOutputWritesThroughASymlink(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target.md"), filepath.Join(dir, "link.md")
	os.WriteFile(target, []byte("old\n"), 0o644)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := writeHandout(t, link); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced: %v %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), "# Alpha title") {
		t.Errorf("the target holds:\n%s", b)
	}
	noTempLeft(t, dir)
}

func TestOutputWritesThroughAFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo) // blocks until dlab opens it to write
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := writeHandout(t, fifo); err != nil {
		t.Fatal(err)
	}
	if s := <-got; !strings.Contains(s, "# Alpha title") {
		t.Errorf("the reader got:\n%s", s)
	}
	if fi, _ := os.Lstat(fifo); fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", fi.Mode())
	}
	noTempLeft(t, dir)
}

// TestOutputWritesThroughADeviceNode makes its own null device in a
// temporary directory (mknod needs root): the machine's /dev/null is never
// the target of a test.
func TestOutputWritesThroughADeviceNode(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mknod needs root")
	}
	dir := t.TempDir()
	null := filepath.Join(dir, "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, int(mkdev(1, 3))); err != nil {
		t.Skipf("mknod: %v (a container without CAP_MKNOD)", err)
	}
	if err := writeHandout(t, null); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(null)
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("the device node was replaced: %v %v", fi.Mode(), err)
	}
	noTempLeft(t, dir)
}

func mkdev(major, minor uint32) uint64 {
	return uint64(major)<<8 | uint64(minor)
}

func TestOutputRefusesADirectoryNamingIt(t *testing.T) {
	dir := t.TempDir()
	err := writeHandout(t, dir)
	if err == nil || !strings.Contains(err.Error(), "cannot write the lesson to "+dir+": it is a directory") {
		t.Errorf("error %v", err)
	}
	err = writeHandout(t, filepath.Join(dir, "no", "x.md"))
	if err == nil || !strings.Contains(err.Error(), "no directory "+filepath.Join(dir, "no")) {
		t.Errorf("error %v", err)
	}
	noTempLeft(t, dir)
}

func TestOutputDashIsStandardOutput(t *testing.T) {
	ios, _, out, errOut := iostreams.Test()
	o := lessonOpts(ios)
	o.Name, o.NoDemos, o.Format, o.Output = "alpha", true, "markdown", "-"
	if err := runLesson(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "# Alpha title") || errOut.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
	if _, err := os.Stat("-"); err == nil {
		t.Error("a file called - was written")
	}
}

// TestOutputToDevStdoutAsAUser writes to /dev/stdout from a child process
// whose stdout is a pipe this test reads. Only as an ordinary user: as
// root, a bug here would replace the machine's /dev/stdout.
func TestOutputToDevStdoutAsAUser(t *testing.T) {
	if os.Getenv("DLAB_TEST_DEV_STDOUT") == "1" {
		if err := writeHandout(t, "/dev/stdout"); err != nil {
			t.Fatal(err)
		}
		return
	}
	if os.Geteuid() == 0 {
		t.Skip("never aimed at the machine's /dev/stdout as root")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestOutputToDevStdoutAsAUser$")
	cmd.Env = append(os.Environ(), "DLAB_TEST_DEV_STDOUT=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.Contains(string(out), "# Alpha title") {
		t.Errorf("stdout:\n%s", out)
	}
}
