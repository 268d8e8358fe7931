// Package pidfd holds a process by a pidfd (pidfd_open(2), Linux 5.3+), so
// that a signal or a wait reaches that process and never a later one that
// reused its PID, and so that a process that is not our child (a daemon after
// its double fork, a job of another shell) can still be waited for.
//
// Waiting is an event, not a poll: a pidfd becomes readable when the process
// exits, and the Go netpoller wakes the waiter then.
package pidfd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// Process is a handle on one live process.
type Process struct {
	PID       int
	StartTime uint64 // clock ticks after boot, as /proc/PID/stat field 22 says

	f      *os.File
	exited chan struct{} // closed when the process has exited
}

// Open takes hold of process pid, which must still be the process that
// started at startTime (0: whichever process has the PID now). A PID that
// now names another process gives an error wrapping proc.ErrGone.
func Open(pid int, startTime uint64) (*Process, error) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return nil, fmt.Errorf("process %d: %w", pid, proc.ErrGone)
		}
		return nil, fmt.Errorf("cannot hold process %d by a pidfd (Linux 5.3 or newer is needed): %w", pid, err)
	}
	// The pidfd names whatever had the PID when it was opened. If the start
	// time still matches now, that was our process: a PID is not reused
	// while its process (even as a zombie) holds it.
	st, err := proc.Live().Stat(pid)
	if err == nil && startTime != 0 && st.StartTime != startTime {
		err = fmt.Errorf("process %d started at tick %d, not %d: the PID was reused: %w", pid, st.StartTime, startTime, proc.ErrGone)
	}
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	p := &Process{PID: pid, StartTime: st.StartTime, f: os.NewFile(uintptr(fd), "pidfd:"+strconv.Itoa(pid)), exited: make(chan struct{})}
	go p.watch()
	return p, nil
}

// watch closes p.exited when the pidfd becomes readable, which the kernel
// makes it when the process exits. It ends early, silently, on Close.
func (p *Process) watch() {
	rc, err := p.f.SyscallConn()
	if err != nil {
		return
	}
	err = rc.Read(func(fd uintptr) bool {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, _ := unix.Poll(fds, 0)
		return n > 0
	})
	if err == nil {
		close(p.exited)
	}
}

// Signal sends sig through the pidfd. A process that has exited gives an
// error wrapping proc.ErrGone.
func (p *Process) Signal(sig unix.Signal) error {
	rc, err := p.f.SyscallConn()
	if err != nil {
		return fmt.Errorf("process %d: %w", p.PID, proc.ErrGone)
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.PidfdSendSignal(int(fd), sig, nil, 0) }); err != nil {
		return fmt.Errorf("process %d: %w", p.PID, proc.ErrGone)
	}
	switch {
	case errors.Is(serr, unix.ESRCH):
		return fmt.Errorf("cannot send %s to process %d: %w", proc.SignalName(sig), p.PID, proc.ErrGone)
	case errors.Is(serr, unix.EPERM):
		return fmt.Errorf("cannot send %s to process %d: %w", proc.SignalName(sig), p.PID, proc.ErrPermission)
	case serr != nil:
		return fmt.Errorf("cannot send %s to process %d: %w", proc.SignalName(sig), p.PID, serr)
	}
	return nil
}

// Exited is closed once the process has exited (it may still be a zombie
// waiting for its parent).
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Alive reports whether the process has not exited yet.
func (p *Process) Alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// Wait returns when the process has exited, or with ctx's error.
func (p *Process) Wait(ctx context.Context) error {
	select {
	case <-p.exited:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("process %d still running: %w", p.PID, ctx.Err())
	}
}

// Exit is how a process ended, as its parent would learn from wait(2).
type Exit struct {
	Status unix.WaitStatus `json:"status"`
	Known  bool            `json:"known"`  // false when neither source below could be read
	Source string          `json:"source"` // where the status was read
}

// Signal is the signal that killed the process, or 0.
func (e Exit) Signal() unix.Signal {
	if e.Known && e.Status.Signaled() {
		return e.Status.Signal()
	}
	return 0
}

// String says it as a shell would: "killed by SIGINT", "exited with status 0".
func (e Exit) String() string {
	switch {
	case !e.Known:
		return "ended (its exit status went to its parent only)"
	case e.Status.Signaled():
		s := "killed by " + proc.SignalName(e.Status.Signal())
		if e.Status.CoreDump() {
			s += " (core dumped)"
		}
		return s
	default:
		return "exited with status " + strconv.Itoa(e.Status.ExitStatus())
	}
}

// ExitStatus waits for the process to exit and reads how it ended, also when
// it is not our child. Two sources, because the status only reaches the
// parent through wait(2): while the process is a zombie, field 52 of its
// /proc/PID/stat holds it; once the parent (or PID 1, or a subreaper) has
// reaped it, Linux 6.15+ keeps it for pidfd holders (PIDFD_INFO_EXIT).
// Between the two there is a moment where neither answers yet, so it retries
// until ctx ends.
func (p *Process) ExitStatus(ctx context.Context) (Exit, error) {
	if err := p.Wait(ctx); err != nil {
		return Exit{}, err
	}
	for delay := 100 * time.Microsecond; ; delay *= 2 {
		if e, ok := p.exitFromPidfd(); ok {
			return e, nil
		}
		if e, ok := p.exitFromZombie(); ok {
			return e, nil
		}
		select {
		case <-ctx.Done():
			return Exit{}, nil
		case <-time.After(min(delay, 20*time.Millisecond)):
		}
	}
}

func (p *Process) exitFromPidfd() (Exit, bool) {
	rc, err := p.f.SyscallConn()
	if err != nil {
		return Exit{}, false
	}
	info := unix.PidfdInfo{Mask: unix.PIDFD_INFO_EXIT}
	var ierr error
	if rc.Control(func(fd uintptr) { ierr = unix.IoctlPidfdInfo(int(fd), &info) }) != nil || ierr != nil {
		return Exit{}, false
	}
	if info.Mask&unix.PIDFD_INFO_EXIT == 0 {
		return Exit{}, false
	}
	return Exit{Status: unix.WaitStatus(info.Exit_code), Known: true, Source: "pidfd (PIDFD_INFO_EXIT)"}, true
}

func (p *Process) exitFromZombie() (Exit, bool) {
	fs := proc.Live()
	b, err := fs.ReadFile(p.PID, "stat")
	if err != nil {
		return Exit{}, false
	}
	st, err := proc.ParseStat(b)
	if err != nil || st.StartTime != p.StartTime || st.State != 'Z' {
		return Exit{}, false
	}
	code, err := proc.ParseExitCode(b)
	if err != nil {
		return Exit{}, false
	}
	return Exit{Status: unix.WaitStatus(code), Known: true, Source: fs.Path(p.PID, "stat") + " field 52 exit_code (zombie)"}, true
}

// Stop ends the process: SIGTERM, then SIGKILL if it is still running after
// timeout. It returns once the process has exited.
func (p *Process) Stop(timeout time.Duration) error {
	if !p.Alive() {
		return nil
	}
	if err := p.Signal(unix.SIGTERM); err != nil && !errors.Is(err, proc.ErrGone) {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if p.Wait(ctx) == nil {
		return nil
	}
	if err := p.Signal(unix.SIGKILL); err != nil && !errors.Is(err, proc.ErrGone) {
		return err
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	return p.Wait(ctx2)
}

// Close releases the pidfd. The process is not affected.
func (p *Process) Close() error {
	return p.f.Close()
}
