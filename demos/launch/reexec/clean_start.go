package reexec

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"unsafe"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// The signals a program meets from the outside world (a terminal, a shell,
// kill). DefaultSignals puts these back to the kernel's default action.
var classicSignals = []unix.Signal{
	unix.SIGHUP, unix.SIGINT, unix.SIGQUIT, unix.SIGTERM,
	unix.SIGUSR1, unix.SIGUSR2, unix.SIGALRM,
	unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU,
}

// DefaultSignals gives the classic signals (HUP, INT, QUIT, TERM, USR1, USR2,
// ALRM, TSTP, TTIN, TTOU) the kernel's default action, except those in keep,
// which the caller must already have passed to signal.Notify.
//
// Two things stand between a Go program and the defaults that signal(7)
// describes. exec() keeps a signal that was ignored ignored (that is how
// nohup works), and the Go runtime respects an inherited "ignore" for SIGHUP,
// SIGINT and the job-control signals. And the runtime installs its own
// handler for the others: without it, SIGQUIT would dump goroutines instead
// of quitting, and SIGUSR1 would be silently dropped instead of terminating.
// os/signal can't set SIG_DFL, so this calls rt_sigaction(2) itself. Call it
// once, early, and don't call signal.Notify for these signals afterwards
// (the runtime would believe its handler is still installed).
func DefaultSignals(keep ...os.Signal) error {
	kept := map[unix.Signal]bool{}
	for _, s := range keep {
		if sig, ok := s.(syscall.Signal); ok {
			kept[unix.Signal(sig)] = true
		}
	}
	for _, sig := range classicSignals {
		if kept[sig] {
			continue
		}
		if err := SetDefault(sig); err != nil {
			return err
		}
	}
	return nil
}

// SetDefault sets one signal's action to SIG_DFL (see DefaultSignals).
func SetDefault(sig unix.Signal) error {
	// struct sigaction all zero: handler SIG_DFL, no flags, empty mask. The
	// layout differs between architectures, but zero is zero in all of them.
	var act [4]uint64
	const sigsetSize = 8
	_, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, sigsetSize, 0, 0)
	if errno != 0 {
		return fmt.Errorf("cannot reset %s to its default action: %w", unix.SignalName(sig), errno)
	}
	return nil
}

// EmptySignalMask makes sure this process and every process it starts run
// with no blocked signal, and reports whether something was blocked.
//
// A blocked mask survives fork and exec, and a Go program hands its children
// the mask it was itself started with, whatever it does with its own threads
// later. So the only way to give children an empty mask is to start again
// with one: when the mask isn't empty, EmptySignalMask clears it on the
// current thread and executes this same program again with the same
// arguments (exec keeps the PID, the session and the open files). It returns
// only when the mask was already empty, or when that exec failed.
func EmptySignalMask() (wasBlocked bool, err error) {
	blocked, err := blockedSignals()
	if err != nil || blocked == 0 {
		return false, err
	}
	self, err := Self()
	if err != nil {
		return true, err
	}
	runtime.LockOSThread()
	var empty unix.Sigset_t
	if err := unix.PthreadSigmask(unix.SIG_SETMASK, &empty, nil); err != nil {
		runtime.UnlockOSThread()
		return true, fmt.Errorf("cannot clear the signal mask: %w", err)
	}
	// execve keeps the calling thread's mask: the new image starts empty.
	err = syscall.Exec(self, os.Args, os.Environ())
	runtime.UnlockOSThread()
	return true, fmt.Errorf("cannot start again with an empty signal mask: %w", err)
}

// blockedSignals reads SigBlk of the calling thread.
func blockedSignals() (uint64, error) {
	st, err := proc.Live().ThreadSelfStatus()
	if err != nil {
		return 0, fmt.Errorf("cannot read the signal mask: %w", err)
	}
	return uint64(st.SigBlk), nil
}
