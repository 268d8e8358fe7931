package proc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FD is one open file descriptor and what it points to, as the kernel names
// it: "/dev/pts/3", "/dev/null", "pipe:[123]", "socket:[456]".
type FD struct {
	Num    int
	Target string
	// Err is set when the fd is listed but its link could not be read; it
	// matches ErrPermission when the kernel refused the readlink (ptrace
	// access mode checks, an LSM; root in a container can meet this for
	// PID 1). Target is then "", and the fd is open: never report it as
	// closed.
	Err error
}

// Readable reports whether the fd's target was read.
func (fd FD) Readable() bool { return fd.Err == nil }

// IsTerminalDevice reports whether an fd target is a terminal: a
// pseudo-terminal (/dev/pts/N), a virtual console or serial line
// (/dev/ttyN, /dev/ttySN), the process's own controlling terminal
// (/dev/tty) or the system console.
func IsTerminalDevice(target string) bool {
	return strings.HasPrefix(target, "/dev/pts/") || strings.HasPrefix(target, "/dev/tty") || target == "/dev/console"
}

// FDs lists the open file descriptors of pid in ascending order. An fd
// closed between the listing and its readlink is left out (it is no longer
// open); one whose readlink is refused is kept, with Err set.
func (p FS) FDs(pid int) ([]FD, error) {
	dir := p.path(pid, "fd")
	nums, err := numbered(dir)
	if err != nil {
		return nil, classify(pid, err)
	}
	fds := make([]FD, 0, len(nums))
	for _, num := range nums {
		t, err := os.Readlink(filepath.Join(dir, strconv.Itoa(num)))
		if err != nil {
			err = fdError(pid, num, err)
			if errors.Is(err, ErrGone) {
				continue
			}
			fds = append(fds, FD{Num: num, Err: err})
			continue
		}
		fds = append(fds, FD{Num: num, Target: t})
	}
	return fds, nil
}

// FDTarget reads the link /proc/PID/fd/NUM. The error matches ErrGone when
// the fd is not open (or the process is gone: FS.Exists tells which) and
// ErrPermission when the kernel refused to show it; only ErrGone means
// "closed".
func (p FS) FDTarget(pid, num int) (string, error) {
	t, err := os.Readlink(p.path(pid, "fd/"+strconv.Itoa(num)))
	if err != nil {
		return "", fdError(pid, num, err)
	}
	return t, nil
}

func fdError(pid, num int, err error) error {
	err = classify(pid, err)
	switch {
	case errors.Is(err, ErrGone):
		return fmt.Errorf("fd %d of process %d is not open: %w", num, pid, ErrGone)
	case errors.Is(err, ErrPermission):
		return fmt.Errorf("fd %d of process %d: reading its link was refused: %w", num, pid, ErrPermission)
	}
	return fmt.Errorf("fd %d of process %d: %w", num, pid, err)
}

// deletedSuffix is what the kernel appends to a link target (exe, fd,
// map_files) whose file has been unlinked: d_path() in fs/d_path.c.
const deletedSuffix = " (deleted)"

// Exe is the executable a process runs, from /proc/PID/exe.
type Exe struct {
	Path string // without the " (deleted)" mark
	// Deleted: the file was removed or replaced after the process started
	// it (an upgrade installed a new binary; the process still runs the old
	// one, which it can't be restarted into).
	Deleted bool
}

// ParseExeLink splits an exe (or fd) link target into the path and the
// kernel's " (deleted)" mark. A file really named "x (deleted)" reads the
// same: FS.Exe checks the live file to tell them apart.
func ParseExeLink(target string) Exe {
	if p, ok := strings.CutSuffix(target, deletedSuffix); ok && p != "" {
		return Exe{Path: p, Deleted: true}
	}
	return Exe{Path: target}
}

// Exe reads /proc/PID/exe. The " (deleted)" mark is trusted unless a file
// with the whole name (mark included) exists and is the very file the
// process runs, which only a live system can show.
func (p FS) Exe(pid int) (Exe, error) {
	t, err := p.Link(pid, "exe")
	if err != nil {
		return Exe{}, err
	}
	e := ParseExeLink(t)
	if e.Deleted {
		named, err1 := os.Stat(t)
		running, err2 := os.Stat(p.path(pid, "exe"))
		if err1 == nil && err2 == nil && os.SameFile(named, running) {
			return Exe{Path: t}, nil
		}
	}
	return e, nil
}
