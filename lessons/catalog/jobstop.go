package catalog

import (
	"context"
	"fmt"

	"dlab/demos/lab/jobstop"
)

func init() {
	register(Demo{Name: "job-stops", Shows: "SIGTTIN, SIGTTOU (with stty tostop) and SIGTSTP (^Z) stopping real jobs on a terminal", run: jobstopDemo})
}

func jobstopDemo(ctx context.Context) (string, error) {
	trials, err := jobstop.Run(ctx)
	if err != nil {
		return "", err
	}
	t := newTable("job", "where", "tostop", "what happened")
	for _, tr := range trials {
		where := "background"
		if tr.InFront {
			where = "foreground"
		}
		tostop := "off"
		if tr.Tostop {
			tostop = "on"
		}
		what := "ran on, " + tr.Exited
		if tr.Stopped != "" {
			what = "stopped by " + tr.Stopped
		}
		t.add(fmt.Sprintf("PID %d %s", tr.PID, tr.Name), where, tostop, what)
	}
	return doc(
		"A small shell led a session on a fresh pseudo-terminal and started four jobs, each in a process group of its own; it learned how each one stopped from wait4() with WUNTRACED, as bash does before it prints \"Stopped\":",
		t.String(),
		"Reading is the terminal's to allow: only the foreground group may, so a background reader is stopped with SIGTTIN until `fg`. Writing is allowed by default, which is why background jobs can scribble over your prompt; `stty tostop` turns it into SIGTTOU. ^Z reached only the foreground job. A daemon has no controlling terminal, so none of these three can ever stop it.",
	), nil
}
