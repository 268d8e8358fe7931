package catalog

import (
	"context"
	"fmt"

	"dlab/demos/core/proc"
	"dlab/demos/lab/jobs"
)

// The job-control demo: a foreground and a background job on one terminal,
// started by demos/lab/jobs; this file tells what it saw.

func init() {
	register(Demo{Name: "jobcontrol", Shows: "a foreground and a background job on one terminal: ^C reaches only the foreground group", run: jobControlDemo})
}

// jobControlDemo runs a shell with two jobs on a new pseudo-terminal
// (demos/lab/jobs), types ^C and tells who got it.
func jobControlDemo(ctx context.Context) (string, error) {
	r, err := jobs.ControlC(ctx)
	if err != nil {
		return "", err
	}
	stats := []proc.Stat{r.Shell, r.Foreground, r.Background}
	t := newTable("", "shell", "foreground job", "background job")
	t.add("PID", stats[0].PID, stats[1].PID, stats[2].PID)
	t.add("process group", stats[0].PGID, stats[1].PGID, stats[2].PGID)
	t.add("session", stats[0].SID, stats[1].SID, stats[2].SID)
	t.add("terminal, its foreground group", ttyAndFg(stats[0]), ttyAndFg(stats[1]), ttyAndFg(stats[2]))
	t.add("ps STAT", psStat(stats[0]), psStat(stats[1]), psStat(stats[2]))
	t.add("after ^C", r.ShellAfter, "got SIGINT, then "+r.ForegroundEnded, r.BackgroundAfter)
	return doc(
		fmt.Sprintf("A shell leads a new session on `%s`, with one job in the foreground and one in the background, each in a process group of its own. Then dlab typed ^C into the terminal:", r.TTY),
		t.String(),
		fmt.Sprintf("The terminal driver sent SIGINT to its foreground process group, %d, and to nobody else: not to the background job, not even to the shell, though all three share the terminal and the session. `+` in ps's STAT column marks the foreground group; `s` the session leader.", stats[1].PGID),
	), nil
}

func ttyAndFg(st proc.Stat) string {
	return fmt.Sprintf("%s, %d", proc.TTYName(st.TTY), st.TPGID)
}

// psStat is the STAT column of ps for what it shows here: the state, "s"
// for a session leader, "+" for the foreground process group.
func psStat(st proc.Stat) string {
	s := string(st.State)
	if st.IsSessionLeader() {
		s += "s"
	}
	if st.InForeground() {
		s += "+"
	}
	return s
}
