package grade

import (
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// otherUser is a user that is not the one running the test, for files made
// as root and given away; the test is skipped when not root.
func otherUser(t *testing.T) int {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	for _, name := range []string{"student", "nobody"} {
		if u, err := user.Lookup(name); err == nil {
			uid, _ := strconv.Atoi(u.Uid)
			return uid
		}
	}
	t.Skip("no user student or nobody")
	return 0
}

// TestReadPIDFileRefusesHostileFiles: a PID file is whatever the directory's
// writers put there; each of these is refused with its reason, at once,
// without reading more than a PID file holds.
func TestReadPIDFileRefusesHostileFiles(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, path string)
		why  string
	}{
		{"a FIFO, which would block a reader forever", func(t *testing.T, path string) {
			if err := unix.Mkfifo(path, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "it is a named pipe (FIFO), not a regular file"},
		{"a 1 GiB sparse file", func(t *testing.T, path string) {
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			if err := os.Truncate(path, 1<<30); err != nil {
				t.Fatal(err)
			}
		}, "it is 1073741824 bytes, and a PID file holds a few digits"},
		{"a file of 65 digits", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(strings.Repeat("1", 65)), 0o600)
		}, "it is 65 bytes"},
		{"a directory", func(t *testing.T, path string) { os.Mkdir(path, 0o700) }, "it is a directory"},
		{"a character device like /dev/zero, made here", func(t *testing.T, path string) {
			if os.Geteuid() != 0 {
				t.Skip("mknod needs root")
			}
			if err := unix.Mknod(path, unix.S_IFCHR|0o600, int(unix.Mkdev(1, 5))); err != nil {
				t.Skipf("cannot make a device node here: %v", err)
			}
		}, "it is a character device, not a regular file"},
		{"my own link to a FIFO", func(t *testing.T, path string) {
			fifo := path + ".fifo"
			if err := unix.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			os.Symlink(fifo, path)
		}, "it is a named pipe (FIFO)"},
		{"another user's link to a PID file", func(t *testing.T, path string) {
			uid := otherUser(t)
			target := path + ".real"
			os.WriteFile(target, []byte("1\n"), 0o644)
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
			if err := os.Lchown(path, uid, uid); err != nil {
				t.Fatal(err)
			}
		}, "is a symbolic link of user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "d.pid")
			tt.make(t, path)
			done := make(chan error, 1)
			go func() { _, _, err := readPIDFile(path); done <- err }()
			select {
			case err := <-done:
				if !errors.Is(err, ErrPIDFileRefused) || !strings.Contains(err.Error(), tt.why) {
					t.Errorf("err = %v, want refused: %s", err, tt.why)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("readPIDFile blocked")
			}
		})
	}
}

func TestReadPIDFileReadsPIDFiles(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		content string
		pid     int
	}{
		{"123\n", 123},
		{"  42  ", 42},
		{"77\nsecond line\n", 77},
		{"not a pid", 0},
		{"-5", 0},
		{"", 0},
	}
	for i, tt := range tests {
		p := filepath.Join(dir, strconv.Itoa(i)+".pid")
		os.WriteFile(p, []byte(tt.content), 0o644)
		_, pid, err := readPIDFile(p)
		if err != nil || pid != tt.pid {
			t.Errorf("%q: pid %d, err %v; want %d", tt.content, pid, err, tt.pid)
		}
	}
	// The user's own link is followed.
	link := filepath.Join(dir, "link.pid")
	os.Symlink(filepath.Join(dir, "0.pid"), link)
	if _, pid, err := readPIDFile(link); err != nil || pid != 123 {
		t.Errorf("own link: pid %d, err %v", pid, err)
	}
	if _, _, err := readPIDFile(filepath.Join(dir, "none.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err %v", err)
	}
}

// TestPIDFileSearchIgnoresOtherUsersFiles: in a shared directory, another
// user's *.pid file naming the daemon, or a link, is not taken as its PID
// file; the user's own is.
func TestPIDFileSearchIgnoresOtherUsersFiles(t *testing.T) {
	uid := otherUser(t)
	dir := t.TempDir()
	me := os.Getpid()
	h := &harness{opts: Options{Command: []string{"/bin/true"}, Dir: dir}, started: time.Now()}
	live := []proc.Stat{{PID: me}}

	theirs := filepath.Join(dir, "theirs.pid")
	os.WriteFile(theirs, []byte(strconv.Itoa(me)), 0o644)
	os.Chown(theirs, uid, uid)
	link := filepath.Join(dir, "link.pid")
	os.Symlink(theirs, link)
	if pf := h.findPIDFile(nil, live); pf.Found && filepath.Dir(pf.Path) == dir {
		t.Errorf("took %s (%s)", pf.Path, pf.Source)
	}
	mine := filepath.Join(dir, "mine.pid")
	os.WriteFile(mine, []byte(strconv.Itoa(me)+"\n"), 0o644)
	if pf := h.findPIDFile(nil, live); !pf.Found || pf.Path != mine {
		t.Errorf("found %+v, want %s", pf, mine)
	}
}

// TestCheckWithAHostilePIDFile: --pidfile naming a FIFO, a huge sparse file
// or a device is refused with its reason; the daemon is still judged, and
// the file is left as it was.
func TestCheckWithAHostilePIDFile(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, path string)
		why  string
	}{
		{"a FIFO", func(t *testing.T, path string) { unix.Mkfifo(path, 0o600) }, "named pipe (FIFO)"},
		{"a 1 GiB sparse file", func(t *testing.T, path string) {
			os.WriteFile(path, nil, 0o600)
			os.Truncate(path, 1<<30)
		}, "1073741824 bytes"},
		{"a device like /dev/zero", func(t *testing.T, path string) {
			if os.Geteuid() != 0 {
				t.Skip("mknod needs root")
			}
			if err := unix.Mknod(path, unix.S_IFCHR|0o600, int(unix.Mkdev(1, 5))); err != nil {
				t.Skipf("cannot make a device node here: %v", err)
			}
		}, "character device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			hostile := filepath.Join(dir, "hostile.pid")
			tt.make(t, hostile)
			r := grade(t, Options{Command: []string{sample(t, "sysv-correct.sh"), filepath.Join(dir, "d.pid")}, PIDFile: hostile})
			expect(t, r, true, with(allPass, map[string]Status{"pidfile": Warn, "pidfile-removed": Skip}))
			if it, _ := r.Item("pidfile"); !strings.Contains(it.Observed, "dlab did not read it") || !strings.Contains(it.Observed, tt.why) {
				t.Errorf("pidfile says %q", it.Observed)
			}
			if _, err := os.Lstat(hostile); err != nil {
				t.Errorf("the PID file given is gone: %v", err)
			}
		})
	}
}
