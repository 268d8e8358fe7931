package catalog

import (
	"context"
	"fmt"
	"strings"

	"dlab/demos/lab/pidlock"
)

func init() {
	register(Demo{Name: "pidfile-lock", Shows: "a PID file held with flock: a second copy is refused at once, lsof shows the lock, and SIGKILL can't leave it stale", run: pidlockDemo})
}

func pidlockDemo(ctx context.Context) (string, error) {
	r, err := pidlock.Run(ctx)
	if err != nil {
		return "", err
	}
	t := newTable("step", "what happened")
	t.add("1. the daemon starts", fmt.Sprintf("PID %d opens the PID file, takes flock(LOCK_EX|LOCK_NB) on it, writes its PID and keeps the file open", r.First))
	t.add("2. a second copy starts", fmt.Sprintf("its flock fails at once with %s; it reads PID %d from the file and exits 1, the file untouched", r.Second, r.SecondPID))
	lsofRow := r.LsofNote
	if lsofRow == "" {
		lsofRow = fmt.Sprintf("FD %s for PID %d: descriptor, mode u (read and write), W: a write lock on the whole file", pidlock.LockColumn(r.Lsof, r.First), r.First)
	}
	t.add("3. lsof -w PIDFILE", lsofRow)
	t.add("4. kill -KILL the daemon", fmt.Sprintf("%s: no handler ran, so the file still says %s", r.Killed, r.Stale))
	t.add("5. a new copy starts", fmt.Sprintf("PID %d takes the lock at once: the kernel dropped it with the dead daemon's last descriptor", r.Third))

	var b strings.Builder
	b.WriteString(t.String())
	if len(r.Lsof) > 0 {
		b.WriteString("\nWhat lsof printed at step 3:\n\n```\n" + printable(strings.Join(r.Lsof, "\n")) + "\n```\n")
	}
	b.WriteString("\nThe lock, not the number in the file, says whether the daemon runs: " +
		"nobody has to guess whether PID " + r.Stale + " is still the daemon or a process that got the number later, " +
		"and there is no moment between \"check\" and \"write\" when two copies can both start. " +
		"`flock -n PIDFILE true` tests it from a shell.\n")
	return b.String(), nil
}
