package catalog

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/reexec"

	"golang.org/x/sys/unix"
)

func init() {
	register(Demo{Name: "orphan", Shows: "who adopts and reaps an orphan on this machine: PID 1, or a child subreaper", run: orphanDemo})
}

// orphanDemo orphans a process twice: once below dlab, where the kernel
// hands it to PID 1 (or to a subreaper above dlab), and once below a helper
// that declared itself a child subreaper, which adopts it instead.
func orphanDemo(ctx context.Context) (string, error) {
	fs := proc.Live()
	// Both orphans block on this pipe: closing w ends them, and so does
	// dlab's death, so no orphan can outlive the demo.
	r, w, err := os.Pipe()
	if err != nil {
		return "", err
	}
	defer r.Close()
	defer w.Close()

	parent, err := reexec.Command(roleOrphanParent)
	if err != nil {
		return "", err
	}
	parent.Stdin = r
	orphan, err := outputValue(parent, "orphan")
	if err != nil {
		return "", err
	}
	// The parent has exited and been reaped by dlab: the orphan has been
	// reparented already (the kernel does it as the parent exits).
	st, err := fs.Stat(orphan)
	if err != nil {
		return "", fmt.Errorf("the orphan %d vanished: %w", orphan, err)
	}
	adopter := describePID(fs, st.PPID)
	pidfd, err := unix.PidfdOpen(orphan, 0)
	if err != nil {
		return "", fmt.Errorf("pidfd_open(%d): %w", orphan, err)
	}
	defer unix.Close(pidfd)

	// The same again below a subreaper.
	sub, err := reexec.Command(roleSubreaper)
	if err != nil {
		return "", err
	}
	sub.Stdin = r
	subOut, err := sub.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := sub.Start(); err != nil {
		return "", fmt.Errorf("cannot start the subreaper: %w", err)
	}
	subSeen := map[string]string{}
	sc := bufio.NewScanner(subOut)
	for sc.Scan() {
		for k, v := range keyValues(sc.Text()) {
			subSeen[k] = v
		}
		if _, ok := subSeen["adopted-by"]; ok {
			break
		}
	}

	// Let both orphans go, and watch who collects the first one.
	w.Close()
	reap, reapErr := waitReaped(ctx, fs, orphan, pidfd, time.Second)
	for sc.Scan() {
		for k, v := range keyValues(sc.Text()) {
			subSeen[k] = v
		}
	}
	if err := sub.Wait(); err != nil {
		return "", fmt.Errorf("the subreaper: %w", err)
	}
	if reapErr != nil {
		return "", reapErr
	}

	t := newTable("", "below dlab", "below a subreaper")
	t.add("orphan PID", orphan, subSeen["orphan"])
	t.add("its parent, which exited", parent.Process.Pid, subSeen["parent"])
	t.add("adopted by", adopter, describePID(fs, atoi(subSeen["adopted-by"]))+" (the subreaper)")
	t.add("after it exited", reap, fmt.Sprintf("reaped by the subreaper, exit status %s", subSeen["status"]))

	why := "PID 1 of this PID namespace adopted the orphan: nothing between dlab and PID 1 declared itself a child subreaper."
	if st.PPID != 1 {
		why = fmt.Sprintf("The orphan went to PID %d, not PID 1: an ancestor of dlab declared itself a child subreaper (as systemd --user, tini and many supervisors do), and the kernel hands orphans to the nearest one.", st.PPID)
	}
	return doc(
		t.String(),
		why,
		"On the right, a helper called `prctl(PR_SET_CHILD_SUBREAPER)` before its child orphaned a grandchild: the kernel handed the grandchild to the helper, which then had to wait() for it. So \"the parent of a daemon is PID 1\" is a property of the machine, not of daemons.",
	), nil
}

// waitReaped waits for the orphan to exit (its pidfd turns readable), then
// up to patience for its new parent to reap it (its /proc entry goes away),
// and says what it saw.
func waitReaped(ctx context.Context, fs proc.FS, pid, pidfd int, patience time.Duration) (string, error) {
	if err := waitPidfd(ctx, pidfd); err != nil {
		return "", fmt.Errorf("waiting for orphan %d to exit: %w", pid, err)
	}
	exited := time.Now()
	for {
		st, err := fs.Stat(pid)
		if errors.Is(err, proc.ErrGone) {
			return "reaped at once by its new parent", nil
		}
		if err != nil {
			return "", err
		}
		if time.Since(exited) > patience {
			if st.State == 'Z' {
				return fmt.Sprintf("still a zombie after %v: its new parent reaps late", patience), nil
			}
			return fmt.Sprintf("in state %c after %v", st.State, patience), nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// waitPidfd waits until the process behind pidfd has exited.
func waitPidfd(ctx context.Context, pidfd int) error {
	for {
		fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 50)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return err
		}
		if n > 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// describePID names a process as "PID 1 (process_api)".
func describePID(fs proc.FS, pid int) string {
	if st, err := fs.Stat(pid); err == nil {
		return fmt.Sprintf("PID %d (%s)", pid, st.Comm)
	}
	return fmt.Sprintf("PID %d", pid)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
