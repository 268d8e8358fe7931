// Package orphan shows what becomes of a child whose parent is done with
// it: an orphan, whose parent exited first, is adopted by PID 1 or by the
// nearest child subreaper; a zombie, which exited before its parent waited
// for it, keeps its PID until it is reaped.
//
// Every process is dlab itself in a hidden role (reexec), blocked on a pipe
// that the demo closes to let it go, with a lifeline to the dlab that
// started it: none can outlive the demo.
package orphan

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"

	"golang.org/x/sys/unix"
)

// The small processes the demos start. Each one reports what it saw as
// "key=value" words on stdout.
const (
	roleHold         = "lesson-hold"          // waits until its stdin closes, then exits
	roleOrphanParent = "lesson-orphan-parent" // starts a holder and exits without waiting for it
	roleSubreaper    = "lesson-subreaper"     // a child subreaper that adopts an orphan and reaps it
)

func init() {
	reexec.Register(roleHold, runHold)
	reexec.Register(roleOrphanParent, runOrphanParent)
	reexec.Register(roleSubreaper, runSubreaper)
}

// Orphaned is one orphan's story.
type Orphaned struct {
	Orphan    int    // its PID
	Parent    int    // the parent that exited without waiting for it
	AdoptedBy int    // its new parent: PID 1, or a subreaper
	Reaped    string // what became of it once it exited, in words
}

// Result is the orphan demo: once below dlab, where the kernel hands the
// orphan to PID 1 (or to a subreaper above dlab), and once below a helper
// that declared itself a child subreaper.
type Result struct {
	BelowDlab      Orphaned
	BelowSubreaper Orphaned
}

// Orphans orphans a process twice and watches who adopts and reaps each.
func Orphans(ctx context.Context) (Result, error) {
	var res Result
	fs := proc.Live()
	// Both orphans block on this pipe: closing w ends them.
	r, w, err := os.Pipe()
	if err != nil {
		return res, err
	}
	defer r.Close()
	defer w.Close()

	parent, err := reexec.Command(roleOrphanParent)
	if err != nil {
		return res, err
	}
	parent.Stdin = r
	orphan, err := outputValue(parent, "orphan")
	if err != nil {
		return res, err
	}
	res.BelowDlab.Orphan, res.BelowDlab.Parent = orphan, parent.Process.Pid
	// The parent has exited and been reaped by dlab: the orphan has been
	// reparented already (the kernel does it as the parent exits).
	st, err := fs.Stat(orphan)
	if err != nil {
		return res, fmt.Errorf("the orphan %d vanished: %w", orphan, err)
	}
	res.BelowDlab.AdoptedBy = st.PPID
	held, err := pidfd.Open(orphan, st.StartTime)
	if err != nil {
		return res, err
	}
	defer held.Close()

	// The same again below a subreaper.
	sub, err := reexec.Command(roleSubreaper)
	if err != nil {
		return res, err
	}
	sub.Stdin = r
	subOut, err := sub.StdoutPipe()
	if err != nil {
		return res, err
	}
	if err := sub.Start(); err != nil {
		return res, fmt.Errorf("cannot start the subreaper: %w", err)
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
	reap, reapErr := waitReaped(ctx, fs, held, time.Second)
	for sc.Scan() {
		for k, v := range keyValues(sc.Text()) {
			subSeen[k] = v
		}
	}
	if err := sub.Wait(); err != nil {
		return res, fmt.Errorf("the subreaper: %w", err)
	}
	if reapErr != nil {
		return res, reapErr
	}
	res.BelowDlab.Reaped = reap
	res.BelowSubreaper = Orphaned{
		Orphan: atoi(subSeen["orphan"]), Parent: atoi(subSeen["parent"]), AdoptedBy: atoi(subSeen["adopted-by"]),
		Reaped: "reaped by the subreaper, exit status " + subSeen["status"],
	}
	return res, nil
}

// waitReaped waits for the orphan to exit (its pidfd turns readable), then
// up to patience for its new parent to reap it (its /proc entry goes away),
// and says what it saw.
func waitReaped(ctx context.Context, fs proc.FS, p *pidfd.Process, patience time.Duration) (string, error) {
	if err := p.Wait(ctx); err != nil {
		return "", fmt.Errorf("waiting for orphan %d to exit: %w", p.PID, err)
	}
	exited := time.Now()
	for {
		st, err := fs.Stat(p.PID)
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

// runHold blocks on stdin: the demo that started it (directly or not) holds
// the other end of the pipe, so the holder ends when the demo closes it.
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

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
