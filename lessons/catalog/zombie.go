package catalog

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

func init() {
	register(Demo{Name: "zombie", Shows: "a child that exited but was not yet waited for: state Z, then gone once reaped", run: zombieDemo})
}

// zombieDemo makes a zombie on purpose: dlab starts a child, lets it exit,
// and looks at it before calling wait().
func zombieDemo(ctx context.Context) (string, error) {
	fs := proc.Live()
	r, w, err := os.Pipe()
	if err != nil {
		return "", err
	}
	defer r.Close()
	defer w.Close()
	cmd, err := reexec.Command(roleHold)
	if err != nil {
		return "", err
	}
	cmd.Stdin = r
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("cannot start the child: %w", err)
	}
	pid := cmd.Process.Pid
	reaped := false
	defer func() {
		if !reaped {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	alive, err := fs.Stat(pid)
	if err != nil {
		return "", err
	}

	// Let it go, and wait for the exit without reaping: WNOWAIT leaves the
	// child a zombie, exactly as a parent that never calls wait() would.
	w.Close()
	var info unix.Siginfo
	for {
		err = unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return "", fmt.Errorf("waitid(%d, WNOWAIT): %w", pid, err)
	}
	dead, err := fs.Stat(pid)
	if err != nil {
		return "", fmt.Errorf("the zombie %d is not in /proc: %w", pid, err)
	}
	cmdline, _ := fs.Cmdline(pid)
	psLine := psOf(pid)

	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("reaping the child: %w", err)
	}
	reaped = true
	_, goneErr := fs.Stat(pid)
	after := "still there?"
	if errors.Is(goneErr, proc.ErrGone) {
		after = fmt.Sprintf("no /proc/%d any more: the PID is free again", pid)
	}

	t := newTable("moment", "state", "what /proc/PID/stat shows")
	t.add("just started", stateName(alive.State), fmt.Sprintf("comm %s, parent %s", code(alive.Comm), describePID(fs, alive.PPID)))
	t.add("exited, not yet waited for", stateName(dead.State), fmt.Sprintf("a zombie: cmdline %s, the memory is gone, only the exit status and the PID remain", code(strings.Join(cmdline, " "))))
	t.add("after dlab called wait()", "–", after)

	paras := []string{t.String()}
	if psLine != "" {
		paras = append(paras, "What `ps` printed for the zombie, before the wait:", block("", psLine))
	}
	paras = append(paras, "A zombie costs only a PID. Its parent collects it with wait(); if the parent exits first, the zombie is adopted (by PID 1 or a subreaper), which reaps it. A parent that never waits, and lives on, piles them up.")
	return doc(paras...), nil
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

// stateName spells out the state letter of /proc/PID/stat field 3.
func stateName(s byte) string {
	names := map[byte]string{'R': "running", 'S': "sleeping", 'D': "disk sleep", 'Z': "zombie", 'T': "stopped", 't': "traced", 'I': "idle", 'X': "dead"}
	if n, ok := names[s]; ok {
		return fmt.Sprintf("%c (%s)", s, n)
	}
	return string(s)
}
