package orphan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"dlab/demos/core/proc"
	"dlab/demos/launch/reexec"

	"golang.org/x/sys/unix"
)

// Zombie is the zombie demo: one child, seen alive, then exited but not
// yet waited for, then reaped.
type Zombie struct {
	PID     int
	Alive   proc.Stat // just started
	Dead    proc.Stat // exited, not yet waited for: state Z
	Cmdline []string  // of the zombie: empty, its memory is gone
	PS      string    // what ps printed for the zombie, "" without ps
	Gone    bool      // no /proc/PID any more once reaped
}

// MakeZombie starts a child, lets it exit, looks at it before calling
// wait(), then reaps it.
func MakeZombie(ctx context.Context) (Zombie, error) {
	var z Zombie
	fs := proc.Live()
	r, w, err := os.Pipe()
	if err != nil {
		return z, err
	}
	defer r.Close()
	defer w.Close()
	cmd, err := reexec.Command(roleHold)
	if err != nil {
		return z, err
	}
	cmd.Stdin = r
	if err := cmd.Start(); err != nil {
		return z, fmt.Errorf("cannot start the child: %w", err)
	}
	z.PID = cmd.Process.Pid
	reaped := false
	defer func() {
		if !reaped {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	if z.Alive, err = fs.Stat(z.PID); err != nil {
		return z, err
	}

	// Let it go, and wait for the exit without reaping: WNOWAIT leaves the
	// child a zombie, exactly as a parent that never calls wait() would.
	w.Close()
	var info unix.Siginfo
	for {
		err = unix.Waitid(unix.P_PID, z.PID, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return z, fmt.Errorf("waitid(%d, WNOWAIT): %w", z.PID, err)
	}
	if z.Dead, err = fs.Stat(z.PID); err != nil {
		return z, fmt.Errorf("the zombie %d is not in /proc: %w", z.PID, err)
	}
	z.Cmdline, _ = fs.Cmdline(z.PID)
	z.PS = psOf(z.PID)

	if err := cmd.Wait(); err != nil {
		return z, fmt.Errorf("reaping the child: %w", err)
	}
	reaped = true
	_, goneErr := fs.Stat(z.PID)
	z.Gone = errors.Is(goneErr, proc.ErrGone)
	return z, nil
}

// psOf runs ps for one process, when ps is installed; "" otherwise.
func psOf(pid int) string {
	if _, err := exec.LookPath("ps"); err != nil {
		return ""
	}
	out, err := exec.Command("ps", "-o", "pid,ppid,stat,comm", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		return ""
	}
	return strings.TrimRight(string(out), "\n")
}
