package proc

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// The reader's own process has names of its own under /proc: "self" is the
// calling process and "thread-self" the calling thread (Linux 3.17+). They
// stay right where getpid() would not: in a PID namespace whose /proc was
// mounted outside it, the PIDs in the tree are not the ones getpid returns.

func (p FS) selfPath(name string) string { return filepath.Join(p.root(), "self", name) }

// SelfFDNums lists the file descriptors open in the calling process
// (/proc/self/fd) in ascending order. The directory's own fd, open while it
// is read, is listed too; it is closed by the time this returns.
func (p FS) SelfFDNums() ([]int, error) {
	nums, err := numbered(p.selfPath("fd"))
	if err != nil {
		return nil, fmt.Errorf("cannot list this process's open files: %w", err)
	}
	return nums, nil
}

// SelfCgroup reads /proc/self/cgroup: the calling process's cgroups.
func (p FS) SelfCgroup() ([]Cgroup, error) {
	path := p.selfPath("cgroup")
	b, err := readAll(path, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot read this process's cgroup: %w", err)
	}
	cgs, err := ParseCgroup(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cgs, nil
}

// SelfMounts reads /proc/self/mountinfo: the mounts the calling process
// sees (its mount namespace).
func (p FS) SelfMounts() ([]Mount, error) {
	path := p.selfPath("mountinfo")
	b, err := readAll(path, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot read the mounts: %w", err)
	}
	ms, err := ParseMountInfo(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ms, nil
}

// ThreadSelfStatus reads /proc/thread-self/status: the calling thread's
// status, whose SigBlk is that thread's own signal mask (each thread has
// one; the process's status shows its main thread's). Lock the goroutine
// to its thread (runtime.LockOSThread) around the read for it to mean
// anything.
func (p FS) ThreadSelfStatus() (Status, error) {
	path := filepath.Join(p.root(), "thread-self", "status")
	b, err := readAll(path, nil)
	if err != nil {
		return Status{}, fmt.Errorf("cannot read this thread's status: %w", err)
	}
	s, err := ParseStatus(b)
	if err != nil {
		return Status{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Mount is one line of /proc/PID/mountinfo (proc(5)):
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
type Mount struct {
	Root         string // field 4: the directory of the filesystem that is mounted here
	MountPoint   string // field 5: where, relative to the process's root
	Options      string // field 6: per-mount options
	FSType       string // after " - ": "cgroup", "cgroup2", "proc" ...
	Source       string
	SuperOptions string // per-filesystem options: a cgroup v1 mount names its controllers here
}

// HasSuperOption reports whether opt is one of the comma-separated
// per-filesystem options ("pids" on a cgroup v1 pids hierarchy).
func (m Mount) HasSuperOption(opt string) bool {
	for _, o := range strings.Split(m.SuperOptions, ",") {
		if o == opt {
			return true
		}
	}
	return false
}

// ParseMountInfo parses /proc/PID/mountinfo. Paths are kept as the kernel
// escapes them (a space is "\040"), and unescaped here.
func ParseMountInfo(b []byte) ([]Mount, error) {
	var ms []Mount
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		// Optional fields (shared:N, master:N) end at a lone "-".
		pre, post, ok := bytes.Cut(line, []byte(" - "))
		if !ok {
			return nil, fmt.Errorf("no \" - \" separator in mountinfo line %q", clip(line))
		}
		f, g := bytes.Fields(pre), bytes.Fields(post)
		if len(f) < 6 || len(g) < 3 {
			return nil, fmt.Errorf("too few fields in mountinfo line %q", clip(line))
		}
		ms = append(ms, Mount{
			Root: unescapeOctal(string(f[3])), MountPoint: unescapeOctal(string(f[4])), Options: string(f[5]),
			FSType: string(g[0]), Source: unescapeOctal(string(g[1])), SuperOptions: string(g[2]),
		})
	}
	return ms, nil
}

// unescapeOctal undoes the kernel's escaping of space, tab, newline and
// backslash in mountinfo paths ("\040").
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
