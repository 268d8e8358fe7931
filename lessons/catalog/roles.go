package catalog

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"dlab/demos/core/proc"
	"dlab/demos/launch/reexec"

	"golang.org/x/sys/unix"
)

// The small processes the demos start: dlab itself in hidden roles. Each one
// reports what it saw as "key=value" lines on stdout.
const (
	roleHold         = "lesson-hold"          // waits until its stdin closes, then exits
	roleOrphanParent = "lesson-orphan-parent" // starts a holder and exits without waiting for it
	roleSubreaper    = "lesson-subreaper"     // a child subreaper that adopts an orphan and reaps it
	roleSetsid       = "lesson-setsid"        // calls setsid() and says what happened
)

func init() {
	reexec.Register(roleHold, runHold)
	reexec.Register(roleOrphanParent, runOrphanParent)
	reexec.Register(roleSubreaper, runSubreaper)
	reexec.Register(roleSetsid, runSetsid)
}

// runHold blocks on stdin: the demo that started it (directly or not) holds
// the other end of the pipe, so the holder ends when the demo closes it, and
// also when the demo dies: no leftover, whatever happens.
func runHold(args []string) int {
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// runOrphanParent starts a holder that shares its stdin, prints the holder's
// PID and exits without waiting for it: the holder is orphaned.
func runOrphanParent(args []string) int {
	cmd, err := reexec.Command(roleHold)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cmd.Stdin = os.Stdin
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("orphan=%d\n", cmd.Process.Pid)
	return 0
}

// runSubreaper declares itself a child subreaper (prctl(2)
// PR_SET_CHILD_SUBREAPER), then runs an orphan parent below it: when that
// parent exits, the kernel hands its orphan to the nearest subreaper
// ancestor, here, instead of PID 1. It reports the orphan's new parent, then
// waits for the orphan to exit and reaps it, as its new parent must.
func runSubreaper(args []string) int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, err); return 1 }
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fail(fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %w", err))
	}
	parent, err := reexec.Command(roleOrphanParent)
	if err != nil {
		return fail(err)
	}
	parent.Stdin = os.Stdin
	orphan, err := outputValue(parent, "orphan")
	if err != nil {
		return fail(err)
	}
	fmt.Printf("orphan=%d parent=%d\n", orphan, parent.Process.Pid)
	st, err := proc.Live().Stat(orphan)
	if err != nil {
		return fail(err)
	}
	fmt.Printf("adopted-by=%d\n", st.PPID)
	var ws unix.WaitStatus
	if _, err := unix.Wait4(orphan, &ws, 0, nil); err != nil {
		return fail(fmt.Errorf("wait for the adopted orphan %d: %w", orphan, err))
	}
	fmt.Printf("reaped=%d status=%d\n", orphan, ws.ExitStatus())
	return 0
}

// runSetsid reports its PID, process group and session, calls setsid() and
// reports the outcome.
func runSetsid(args []string) int {
	pid := os.Getpid()
	pgid, _ := unix.Getpgid(0)
	sid, _ := unix.Getsid(0)
	fmt.Printf("pid=%d pgid=%d sid=%d\n", pid, pgid, sid)
	if _, err := unix.Setsid(); err != nil {
		name := err.Error()
		if errors.Is(err, unix.EPERM) {
			name = "EPERM"
		}
		fmt.Printf("setsid=%s\n", name)
		return 0
	}
	pgid, _ = unix.Getpgid(0)
	sid, _ = unix.Getsid(0)
	fmt.Printf("setsid=ok new-pgid=%d new-sid=%d\n", pgid, sid)
	return 0
}

// outputValue runs cmd to completion and returns the integer N of the line
// "key=N" it printed.
func outputValue(cmd *exec.Cmd, key string) (int, error) {
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("demo process %s: %w", cmd.Args[1], err)
	}
	v, ok := keyValues(string(out))[key]
	if !ok {
		return 0, fmt.Errorf("demo process %s printed no %s= in %q", cmd.Args[1], key, out)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("demo process %s printed %s=%q", cmd.Args[1], key, v)
	}
	return n, nil
}

// keyValues parses "k=v k2=v2" lines into a map; a later key wins.
func keyValues(text string) map[string]string {
	kv := map[string]string{}
	for _, f := range strings.Fields(text) {
		if k, v, ok := strings.Cut(f, "="); ok {
			kv[k] = v
		}
	}
	return kv
}
