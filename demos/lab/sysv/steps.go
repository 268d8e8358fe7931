package sysv

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// closeInheritedFDs is daemon(7) step 1: close every file descriptor but 0,
// 1, 2 and those in keep. A descriptor inherited across exec is exactly one
// without the close-on-exec flag (one with it would have been closed by the
// exec); everything Go opens has the flag. So the descriptors to close are
// the ones without it, and the Go runtime's own (its epoll instance, the
// directory being read here) are left alone. Go doesn't do this for us: an
// fd that dlab inherited from a shell, or that a test opened without
// O_CLOEXEC, passes through os/exec to every child.
func closeInheritedFDs(keep ...int) error {
	fds, err := proc.Live().SelfFDNums()
	if err != nil {
		return fmt.Errorf("step 1, close inherited file descriptors: %w", err)
	}
	for _, fd := range fds {
		if fd <= 2 || contains(keep, fd) {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			continue // gone already (the directory read above), or not inherited
		}
		unix.Close(fd)
	}
	return nil
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// safePath is the PATH a daemon gets (step 4): not the user's, which may
// name directories the user can write to.
const safePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// sanitizedEnv is daemon(7) step 4: the environment the daemon gets. PATH is
// reset; only the locale and time zone (for its log) and dlab's own DLAB_*
// variables (the test suite's leak-check marker among them) are kept, and
// GORACE, which only a race-enabled test binary reads.
// Everything else of the user's session (HOME, DISPLAY, SSH_AUTH_SOCK,
// XDG_*, LD_PRELOAD ...) stays behind.
//
// GODEBUG=containermaxprocs=0 is added: otherwise the Go runtime keeps the
// cgroup's CPU quota files open to follow changes of the CPU limit, and
// they would show among the daemon's open files, which the lesson reads.
func sanitizedEnv(env []string) []string {
	out := []string{"PATH=" + safePath, "GODEBUG=containermaxprocs=0"}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if k == "LANG" || k == "TZ" || strings.HasPrefix(k, "LC_") || strings.HasPrefix(k, "DLAB_") || k == "GORACE" {
			out = append(out, kv)
		}
	}
	return out
}

// nullStdio is daemon(7) step 9: /dev/null on 0, 1 and 2. Whatever they were
// (the terminal dlab was started from, a pipe to a test), the daemon keeps
// no hold on them: a terminal can close, a pipe's reader sees EOF.
func nullStdio() error {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("step 9, /dev/null on 0, 1, 2: %w", err)
	}
	defer null.Close()
	for fd := 0; fd <= 2; fd++ {
		if err := unix.Dup3(int(null.Fd()), fd, 0); err != nil {
			return fmt.Errorf("step 9, /dev/null on fd %d: %w", fd, err)
		}
	}
	return nil
}

// pidFile is daemon(7) step 12: the PID file, written race-free. It is
// locked with flock(2) and the daemon keeps it open, so the lock lives
// exactly as long as the daemon: a second instance finds it locked and
// refuses to start, and a file left by a daemon that was killed holds no
// lock, so it is simply taken over. (With O_EXCL alone, a stale file would
// need a check that its PID is dead, which races with a reused PID.)
type pidFile struct {
	f    *os.File
	dir  *os.File // to remove the file after privileges are dropped
	name string
}

func writePIDFile(dir *os.File, name string) (*pidFile, error) {
	fd, err := unix.Openat(int(dir.Fd()), name, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, fmt.Errorf("step 12, PID file: %w", err)
	}
	f := os.NewFile(uintptr(fd), name)
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		other, _ := os.ReadFile(dir.Name() + "/" + name)
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("step 12, PID file: another demo daemon runs in %s as PID %s", dir.Name(), strings.TrimSpace(string(other)))
		}
		return nil, fmt.Errorf("step 12, PID file: %w", err)
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("step 12, PID file: %w", err)
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("step 12, PID file: %w", err)
	}
	return &pidFile{f: f, dir: dir, name: name}, nil
}

// remove deletes the PID file on a clean exit, through the directory opened
// before privileges were dropped.
func (p *pidFile) remove() error {
	return unix.Unlinkat(int(p.dir.Fd()), p.name, 0)
}

// unprivileged is the user a daemon started by root runs as (step 13).
type unprivileged struct {
	Name     string
	UID, GID int
}

func nobody() unprivileged {
	u := unprivileged{Name: "nobody", UID: 65534, GID: 65534}
	if pw, err := user.Lookup("nobody"); err == nil {
		u.UID, _ = strconv.Atoi(pw.Uid)
		u.GID, _ = strconv.Atoi(pw.Gid)
	}
	return u
}

// dropPrivileges is daemon(7) step 13, for a daemon started by root: give its
// directory to the unprivileged user (so it can still remove its PID file
// there), then drop supplementary groups, the group and the user, in that
// order (after setuid, setgid would no longer be allowed). Everything it
// needs later as root (the log, the PID file, the directory, a socket) is
// already open. The syscall package's Setuid applies to every thread of the
// process, not just the calling one.
func dropPrivileges(dir string, to unprivileged) error {
	if err := os.Chown(dir, to.UID, to.GID); err != nil {
		return fmt.Errorf("step 13, give %s to %s: %w", dir, to.Name, err)
	}
	if err := syscall.Setgroups(nil); err != nil {
		return fmt.Errorf("step 13, drop supplementary groups: %w", err)
	}
	if err := syscall.Setgid(to.GID); err != nil {
		return fmt.Errorf("step 13, setgid(%d): %w", to.GID, err)
	}
	if err := syscall.Setuid(to.UID); err != nil {
		return fmt.Errorf("step 13, setuid(%d): %w", to.UID, err)
	}
	return nil
}

// findReaper says who this process was reparented to (step 8).
func findReaper() Reaper {
	ppid := os.Getppid()
	r := Reaper{PID: ppid, Init: ppid == 1}
	if st, err := proc.Live().Stat(ppid); err == nil {
		r.Comm = st.Comm
	}
	return r
}
