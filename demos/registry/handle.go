package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"dlab/demos/proc"

	"golang.org/x/sys/unix"
)

// Handle is a process held by a pidfd (pidfd_open(2), Linux 5.3+). A pidfd
// names one process, not a number: a signal sent through it can never reach
// a later process that got the same PID, and it becomes readable when the
// process exits, so its end is an event to wait for rather than a state to
// poll. It works for any process the caller may signal, not only children.
type Handle struct {
	PID       int
	StartTime uint64
	f         *os.File
}

// Open holds the process pid if it still has startTime (0 accepts any). The
// pidfd is opened first and the start time checked after, so the check is
// about the very process the pidfd holds. Errors wrap proc.ErrGone when the
// process has ended and ErrReused when its PID now names another process.
func Open(pid int, startTime uint64) (*Handle, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("process %d: %w", pid, proc.ErrGone)
	}
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if errors.Is(err, unix.ESRCH) {
		return nil, fmt.Errorf("process %d: %w", pid, proc.ErrGone)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot hold process %d: %w", pid, err)
	}
	// A non-blocking fd joins Go's poller, so Wait can block on it with a
	// deadline instead of sleeping in a loop.
	h := &Handle{PID: pid, f: os.NewFile(uintptr(fd), fmt.Sprintf("pidfd:%d", pid))}
	st, err := proc.Live().Stat(pid)
	if err != nil || st.State == 'Z' || st.State == 'X' {
		h.Close()
		return nil, fmt.Errorf("process %d: %w", pid, proc.ErrGone)
	}
	if startTime != 0 && st.StartTime != startTime {
		h.Close()
		return nil, fmt.Errorf("process %d started at tick %d, not %d: %w", pid, st.StartTime, startTime, ErrReused)
	}
	h.StartTime = st.StartTime
	return h, nil
}

// Signal sends sig through the pidfd. A process that has already exited
// gives an error wrapping proc.ErrGone; one that belongs to another user,
// proc.ErrPermission.
func (h *Handle) Signal(sig syscall.Signal) error {
	rc, err := h.f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.PidfdSendSignal(int(fd), sig, nil, 0)
	}); err != nil {
		return err
	}
	switch {
	case serr == nil:
		return nil
	case errors.Is(serr, unix.ESRCH):
		return fmt.Errorf("process %d: %w", h.PID, proc.ErrGone)
	case errors.Is(serr, unix.EPERM):
		return fmt.Errorf("cannot signal process %d: %w", h.PID, proc.ErrPermission)
	}
	return fmt.Errorf("cannot send %s to process %d: %w", unix.SignalName(sig), h.PID, serr)
}

// Exited reports whether the process has exited (it may still be a zombie
// waiting for its parent).
func (h *Handle) Exited() bool {
	rc, err := h.f.SyscallConn()
	if err != nil {
		return true
	}
	exited := false
	rc.Control(func(fd uintptr) { exited = readable(fd) })
	return exited
}

// Wait blocks until the process has exited, or ctx ends.
func (h *Handle) Wait(ctx context.Context) error {
	rc, err := h.f.SyscallConn()
	if err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok {
		h.f.SetReadDeadline(d)
	} else {
		h.f.SetReadDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { h.f.SetReadDeadline(time.Now()) })
	defer stop()
	// RawConn.Read calls the function, and while it returns false waits for
	// the poller to report the fd readable: a pidfd is readable once the
	// process has exited.
	err = rc.Read(func(fd uintptr) bool { return readable(fd) })
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("process %d still running: %w", h.PID, ctx.Err())
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("process %d still running: %w", h.PID, context.DeadlineExceeded)
		}
		return err
	}
	return nil
}

// Close releases the pidfd.
func (h *Handle) Close() error { return h.f.Close() }

func readable(fd uintptr) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) != 0
}

// ownerOf returns the owner of a file from its stat data.
func ownerOf(fi os.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
