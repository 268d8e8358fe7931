package catalog

import (
	"context"
	"fmt"
	"strings"

	"dlab/demos/core/proc"
	"dlab/demos/lab/jobs"
)

// The job-control demo: a real shell on a fresh terminal with a job in the
// background and one in the foreground, then ^C, run by demos/lab/jobs;
// this file tells what it saw.

func init() {
	register(Demo{Name: "jobcontrol", Shows: "a real shell with a foreground and a background job on one terminal: ^C reaches only the foreground group", run: jobControlDemo})
}

func jobControlDemo(ctx context.Context) (string, error) {
	r, err := jobs.ControlC(ctx, jobs.Options{})
	if err != nil {
		return "", err
	}
	stats := []proc.Stat{r.ShellStat, r.Foreground, r.Background}
	t := newTable("", r.Shell, "foreground job", "background job")
	t.add("PID", stats[0].PID, stats[1].PID, stats[2].PID)
	t.add("process group", stats[0].PGID, stats[1].PGID, stats[2].PGID)
	t.add("session", stats[0].SID, stats[1].SID, stats[2].SID)
	t.add("terminal, its foreground group", ttyAndFg(stats[0]), ttyAndFg(stats[1]), ttyAndFg(stats[2]))
	t.add("ps STAT", psStat(stats[0]), psStat(stats[1]), psStat(stats[2]))
	t.add("after ^C", r.ShellAfter, "got "+r.ForegroundGot+", then "+r.ForegroundEnded, r.BackgroundAfter)
	return doc(
		shellIntro(r.Shell, r.NoBash, r.TTY)+" dlab typed a job with `&`, then one in the foreground, then ^C:",
		transcript(r.Transcript),
		"What ps showed just before the ^C, and what became of each:",
		t.String(),
		fmt.Sprintf("%s put each job in a process group of its own and gave the terminal to the foreground one: `+` in ps's STAT column marks the foreground group, `s` the session leader. The terminal driver sent SIGINT to that group, %d, and to nobody else: not to the background job, not even to the shell, though all three share the terminal and the session.", r.Shell, stats[1].PGID),
	), nil
}

// shellIntro says which shell the demo typed into, and where.
func shellIntro(shell string, noBash bool, tty string) string {
	s := fmt.Sprintf("A real interactive %s (`%s -i`) leads a new session on `%s`, as in a terminal window.", shell, shell, tty)
	if noBash {
		s = "bash is not installed here; this is sh. " + s
	}
	return s
}

// transcript quotes what the shell's terminal showed, as a code block.
func transcript(s string) string {
	lines := strings.Split(strings.TrimRight(printable(s), " \n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return block("", strings.Join(lines, "\n"))
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
