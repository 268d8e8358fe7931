// Package proc reads the kernel's view of processes from a /proc tree.
//
// Everything hangs off an FS that carries the mount point, so tests point it
// at a fixture tree in testdata/ and the live system is just FS{Root: "/proc"}.
// Parsers are pure functions over the bytes of one file; the FS methods only
// read files and hand the bytes to them.
//
// Why not github.com/prometheus/procfs: its status type has no SigIgn,
// SigCgt, SigBlk, Umask or NoNewPrivs, which dlab explains; and reading the
// stat of 2,000 processes took it 36.5 ms against 21.5 ms here (2 cores,
// go test -bench in a scratch module), because it scans all 52 fields with
// fmt.Fscan where ParseStat walks to the dozen dlab needs.
package proc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
)

// ErrGone means the process exited (or never existed) while it was being read.
// On a live system that is normal, not a failure of dlab.
var ErrGone = errors.New("no such process")

// ErrPermission means the kernel refused to show this part of the process:
// another user's fd/, cwd, exe and environ need ptrace access (root, or the
// same user on a system without Yama restrictions).
var ErrPermission = fs.ErrPermission

// DefaultRoot is where Linux mounts proc(5).
const DefaultRoot = "/proc"

// FS is a /proc tree. The zero value reads DefaultRoot, never paths
// relative to the working directory; New checks that a root exists.
type FS struct {
	Root string
}

// Live is the /proc of this machine.
func Live() FS { return FS{Root: DefaultRoot} }

// New returns a reader of the /proc tree at root, after checking that root
// is a directory: without the check, every process would read as gone
// ("no process 42") when it is the tree that is missing.
func New(root string) (FS, error) {
	if root == "" {
		return FS{}, errors.New("no /proc root given: use /proc for this machine's processes")
	}
	st, err := os.Stat(root)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return FS{}, fmt.Errorf("%w at %s: the directory does not exist", ErrNoRoot, root)
		}
		return FS{}, fmt.Errorf("cannot read the /proc tree at %s: %w", root, err)
	}
	if !st.IsDir() {
		return FS{}, fmt.Errorf("%w at %s: it is not a directory", ErrNoRoot, root)
	}
	return FS{Root: root}, nil
}

// ErrNoRoot means the /proc tree asked for is not there.
var ErrNoRoot = errors.New("no /proc tree")

// root is the tree's mount point, DefaultRoot for the zero value.
func (p FS) root() string {
	if p.Root == "" {
		return DefaultRoot
	}
	return p.Root
}

// Path is the path of a file under /proc/PID, for error messages, evidence
// sources and the few readers (debug/buildinfo) that want a path.
func (p FS) Path(pid int, name string) string {
	return filepath.Join(p.root(), strconv.Itoa(pid), name)
}

// Source names /proc/PID/name as a user would type it to check the
// evidence ("/proc/42/stat"), whatever tree was read: for the Source and
// evidence texts of a report, which must not depend on a fixture's path.
// Use Path to open the file.
func Source(pid int, name string) string {
	return DefaultRoot + "/" + strconv.Itoa(pid) + "/" + name
}

// path is kept for the callers inside the package.
func (p FS) path(pid int, name string) string { return p.Path(pid, name) }

// ReadFile returns the contents of /proc/PID/name with errors mapped onto
// ErrGone and ErrPermission, so callers can use errors.Is whatever the root is.
func (p FS) ReadFile(pid int, name string) ([]byte, error) {
	b, err := readAll(p.path(pid, name), nil)
	if err != nil {
		return nil, classify(pid, err)
	}
	return b, nil
}

func (p FS) read(pid int, name string) ([]byte, error) { return p.ReadFile(pid, name) }

func classify(pid int, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ESRCH):
		return fmt.Errorf("process %d: %w", pid, ErrGone)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES):
		return fmt.Errorf("process %d: %w", pid, ErrPermission)
	}
	return err
}

// Exists reports whether /proc holds a directory for pid.
func (p FS) Exists(pid int) bool {
	_, err := os.Stat(filepath.Join(p.root(), strconv.Itoa(pid)))
	return err == nil
}

// PIDs lists the processes (thread group leaders) in ascending order.
func (p FS) PIDs() ([]int, error) {
	pids, err := numbered(p.root())
	if err != nil {
		return nil, fmt.Errorf("cannot list processes in %s: %w", p.root(), err)
	}
	return pids, nil
}

// numbered lists the entries of dir named by a number, in ascending order:
// the processes in /proc, the threads in task/, the descriptors in fd/.
// The other names (self, meminfo) are passed over.
func numbered(dir string) ([]int, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, err
	}
	nums := make([]int, 0, len(names))
	for _, n := range names {
		if n == "" || n[0] < '0' || n[0] > '9' {
			continue
		}
		if num, ok := atoi([]byte(n)); ok {
			nums = append(nums, num)
		}
	}
	sort.Ints(nums)
	return nums, nil
}

// Stat reads /proc/PID/stat.
func (p FS) Stat(pid int) (Stat, error) {
	var buf [statBufSize]byte
	b, err := readAll(p.path(pid, "stat"), buf[:0])
	if err != nil {
		return Stat{}, classify(pid, err)
	}
	s, err := ParseStat(b)
	if err != nil {
		return Stat{}, fmt.Errorf("%s: %w", p.path(pid, "stat"), err)
	}
	return s, nil
}

// Status reads /proc/PID/status.
func (p FS) Status(pid int) (Status, error) {
	b, err := p.read(pid, "status")
	if err != nil {
		return Status{}, err
	}
	s, err := ParseStatus(b)
	if err != nil {
		return Status{}, fmt.Errorf("%s: %w", p.path(pid, "status"), err)
	}
	return s, nil
}

// Cmdline reads /proc/PID/cmdline: the argument vector, empty for kernel
// threads and zombies.
func (p FS) Cmdline(pid int) ([]string, error) {
	b, err := p.read(pid, "cmdline")
	if err != nil {
		return nil, err
	}
	return ParseCmdline(b), nil
}

// Cgroup reads /proc/PID/cgroup.
func (p FS) Cgroup(pid int) ([]Cgroup, error) {
	b, err := p.read(pid, "cgroup")
	if err != nil {
		return nil, err
	}
	cgs, err := ParseCgroup(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.path(pid, "cgroup"), err)
	}
	return cgs, nil
}

// Link reads a symbolic link under /proc/PID, such as "cwd", "exe" or "fd/0".
func (p FS) Link(pid int, name string) (string, error) {
	t, err := os.Readlink(p.path(pid, name))
	if err != nil {
		return "", classify(pid, err)
	}
	return t, nil
}

// Environ reads /proc/PID/environ: the environment the process was started
// with (a later setenv does not show), NUL-separated "NAME=value" entries.
// Reading another user's needs ptrace access; a zombie's is empty.
func (p FS) Environ(pid int) ([]string, error) {
	b, err := p.read(pid, "environ")
	if err != nil {
		return nil, err
	}
	return ParseCmdline(b), nil
}
