// Package lifeline ties every hidden process dlab starts to the dlab that
// started it: when that dlab is gone (it exited, or was killed with SIGKILL
// and had no chance to stop anything), each of them ends itself.
//
// The anchor is the dlab process itself, named by PID and start time in the
// environment variable DLAB_LIFELINE. A role opens a pidfd on it
// (pidfd_open(2)); the kernel makes a pidfd readable when its process exits,
// so the role learns of the death as an event, not by polling.
//
// Why not PR_SET_PDEATHSIG: it fires when the parent *thread* exits (a Go
// runtime thread may be the one that forked), and only for the direct
// parent. Most of dlab's processes are grandchildren whose parent dies on
// purpose in the lesson (the first child of a SysV daemon, the shell of a
// nohup job); the lifeline must hold to dlab across those deaths, and across
// nohup(1), setsid(1) and tmux, which pass the environment on but no file
// descriptor. And why not a pipe whose end of file the child watches: a SysV
// daemon closes every inherited descriptor (daemon(7) step 1), tmux does too.
package lifeline

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// Env is the variable that carries the lifeline: "PID:STARTTIME" of the
// dlab process every demo process belongs to.
const Env = "DLAB_LIFELINE"

// Anchor is the dlab process a lifeline is tied to.
type Anchor struct {
	PID       int
	StartTime uint64 // clock ticks after boot, /proc/PID/stat field 22
}

// IsZero reports whether there is no anchor.
func (a Anchor) IsZero() bool { return a.PID <= 0 }

func (a Anchor) String() string { return fmt.Sprintf("%d:%d", a.PID, a.StartTime) }

// Parse reads "PID:STARTTIME".
func Parse(s string) (Anchor, error) {
	p, t, ok := strings.Cut(s, ":")
	pid, err1 := strconv.Atoi(p)
	start, err2 := strconv.ParseUint(t, 10, 64)
	if !ok || err1 != nil || err2 != nil || pid <= 0 || start == 0 {
		return Anchor{}, fmt.Errorf("bad lifeline %q: want PID:STARTTIME", s)
	}
	return Anchor{PID: pid, StartTime: start}, nil
}

var (
	selfOnce sync.Once
	self     Anchor
)

// Self is this process as an anchor.
func Self() Anchor {
	selfOnce.Do(func() {
		self.PID = os.Getpid()
		if st, err := proc.Live().Stat(self.PID); err == nil {
			self.StartTime = st.StartTime
		}
	})
	return self
}

// Inherited is the anchor this process was started with, if any.
func Inherited() (Anchor, bool) {
	v := os.Getenv(Env)
	if v == "" {
		return Anchor{}, false
	}
	a, err := Parse(v)
	return a, err == nil
}

// inRole is set by Watch: this process is a hidden role, not the dlab the
// user started, and never an anchor itself.
var inRole bool

// Current is the dlab process that this process's demo processes belong
// to: the inherited anchor in a hidden role (none in a role started to
// outlive dlab), else this process.
func Current() (Anchor, bool) {
	if a, ok := Inherited(); ok {
		return a, true
	}
	if inRole {
		return Anchor{}, false
	}
	return Self(), true
}

// Attach gives cmd the lifeline: its process, and whatever it starts with
// the environment it inherits, ends when Current() is gone. In a role
// without a lifeline it passes none on: what a detached demo starts is
// detached too. Call it after setting cmd.Env, if you set it.
func Attach(cmd *exec.Cmd) {
	env := without(envOf(cmd))
	if a, ok := Current(); ok {
		env = append(env, Env+"="+a.String())
	}
	cmd.Env = env
}

// Cut removes the lifeline from cmd: for a process left running on purpose
// (dlab demo daemon, a detached spectrum demo), which must outlive dlab.
func Cut(cmd *exec.Cmd) {
	cmd.Env = without(envOf(cmd))
}

// Clear removes an inherited lifeline from this process's own environment:
// a dlab started from inside a demo is the anchor of its own demos.
func Clear() { os.Unsetenv(Env) }

func envOf(cmd *exec.Cmd) []string {
	if cmd.Env != nil {
		return cmd.Env
	}
	return os.Environ()
}

func without(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, Env+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// Grace is how long a process whose lifeline broke has to end on SIGTERM
// (its own clean exit: a daemon removes its PID file) before it kills itself.
const Grace = 2 * time.Second

// Watch is called first thing by a hidden role: it ends this process when
// the inherited anchor is gone (see Hold). Without a lifeline, the role was
// started to outlive dlab and nothing is watched.
func Watch() {
	inRole = true
	if a, ok := Inherited(); ok {
		// In a goroutine of its own: the role's main goroutine must not
		// block in a system call before the role starts, or the runtime may
		// move it off the main thread, whose signal mask /proc/PID/status
		// shows (the SysV daemon locks itself to that thread first thing).
		go Hold(a)
	}
}

// Hold ends this process when a is gone: it sends itself SIGTERM, so that
// each role ends as it would on `dlab demo stop`, and SIGKILL after Grace.
// If a is already gone, that happens at once. The pidfd it holds is
// close-on-exec and opened by this process, so daemon(7) step 1 (close what
// was inherited) leaves it alone.
//
// The wait goes through Go's netpoller, as package pidfd's does: no thread
// sits blocked in poll(2). A role that lowers RLIMIT_NPROC or joins a small
// pids cgroup before it executes a student's program (the grader's) must
// not need one more thread for this.
func Hold(a Anchor) {
	if a.IsZero() {
		return
	}
	fd, err := unix.PidfdOpen(a.PID, unix.PIDFD_NONBLOCK)
	if err != nil {
		go end()
		return
	}
	// A PID is not reused while its process (even a zombie) holds it: if
	// the start time still matches once the pidfd is open, the pidfd holds
	// the anchor.
	if st, err := proc.Live().Stat(a.PID); err != nil || st.StartTime != a.StartTime || st.State == 'Z' {
		unix.Close(fd)
		go end()
		return
	}
	f := os.NewFile(uintptr(fd), "lifeline")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return
	}
	go func() {
		// Read returns once the function reports the pidfd readable: the
		// kernel makes it so when the anchor exits.
		err := rc.Read(func(fd uintptr) bool {
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			n, _ := unix.Poll(fds, 0)
			return n > 0
		})
		f.Close()
		if err == nil {
			end()
		}
	}()
}

func end() {
	unix.Kill(os.Getpid(), unix.SIGTERM)
	time.Sleep(Grace)
	unix.Kill(os.Getpid(), unix.SIGKILL)
}
