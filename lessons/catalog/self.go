package catalog

import (
	"context"
	"fmt"
	"os"
	"strings"

	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
)

func init() {
	register(Demo{Name: "explain-self", Shows: "this very dlab process, explained: a normal process in your terminal, or not", run: selfDemo})
}

// selfDemo explains the dlab process that is printing the lesson.
func selfDemo(ctx context.Context) (string, error) {
	fs := proc.Live()
	rep, err := inspect.Explain(fs, os.Getpid())
	if err != nil {
		return "", fmt.Errorf("cannot read dlab's own /proc entry: %w", err)
	}
	f := rep.Facts
	t := newTable("aspect", "dlab right now", "from")
	t.add("PID, parent", fmt.Sprintf("%d, child of %d (%s)", f.PID, f.PPID, f.ParentComm), "/proc/self/stat fields 1, 4")
	t.add("session, process group", fmt.Sprintf("session %d, group %d", f.SID, f.PGID), "fields 6, 5")
	t.add("controlling terminal", f.TTY, "field 7 tty_nr")
	t.add("terminal's foreground group", tpgid(f), "field 8 tpgid")
	t.add("stdin, stdout, stderr", strings.Join(fdNames(f.FD), ", "), "/proc/self/fd/0, 1, 2")
	verdict := string(rep.Verdict)
	if rep.Mixed {
		verdict += " (mixed evidence)"
	}
	t.add("dlab's verdict", verdict, "dlab explain")

	return doc(t.String(), selfStory(rep)), nil
}

func tpgid(f inspect.Facts) string {
	switch {
	case !f.HasTTY():
		return "– (no terminal)"
	case f.Foreground:
		return fmt.Sprintf("%d: dlab's own group, so dlab is in the foreground", f.TPGID)
	}
	return fmt.Sprintf("%d: another group, so dlab is a background job", f.TPGID)
}

func fdNames(fds [3]string) []string {
	names := make([]string, 3)
	for i, t := range fds {
		switch {
		case t == "":
			names[i] = "closed"
		case strings.HasPrefix(t, "pipe:"):
			names[i] = "a pipe"
		case strings.HasPrefix(t, "socket:"):
			names[i] = "a socket"
		default:
			names[i] = t
		}
	}
	return names
}

// selfStory says in words what the table shows, for the case at hand.
func selfStory(rep inspect.Report) string {
	f := rep.Facts
	piped := !proc.IsTerminalDevice(f.FD[1])
	var paras []string
	switch {
	case f.HasTTY() && f.Foreground:
		paras = append(paras, fmt.Sprintf("dlab is a normal process: it has a controlling terminal (%s) and its process group is that terminal's foreground group, so ^C typed now would reach it, and closing the terminal would end it.", f.TTY))
	case f.HasTTY():
		paras = append(paras, fmt.Sprintf("dlab has a controlling terminal (%s) but runs as a background job: ^C typed now would go to the foreground group, not to dlab. It is still a normal process: the terminal's hang-up would reach it.", f.TTY))
	default:
		paras = append(paras,
			"dlab has no controlling terminal right now: it was started from CI, a cron job, a service, or `ssh host cmd` without a pseudo-terminal. `dlab explain` says:",
			"> "+strings.Join(strings.Fields(rep.Summary), " "),
			"So in this run dlab is on the daemon side of the line that matters, the controlling terminal, though nobody would call it a service. A TTY of `?` says \"no terminal can reach it\", and not much more. Run `dlab lesson` from a terminal to see the other side.",
		)
	}
	if piped {
		paras = append(paras, "Its output goes to "+fdNames(f.FD)[1]+", not to a terminal: that is why this text is plain.")
	}
	return doc(paras...)
}
