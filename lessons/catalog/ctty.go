package catalog

import (
	"context"
	"fmt"

	"dlab/demos/lab/ctty"
)

func init() {
	register(Demo{Name: "tty-acquire", Shows: "a session leader acquires a terminal just by opening it; a process after the second fork can't", run: cttyDemo})
}

func cttyDemo(ctx context.Context) (string, error) {
	r, err := ctty.Run(ctx)
	if err != nil {
		return "", err
	}
	row := func(o ctty.Opened) (string, string) {
		who := fmt.Sprintf("PID %d, in session %d: not its leader (after a second fork)", o.PID, o.SID)
		if o.Leader {
			who = fmt.Sprintf("PID %d, leader of session %d (right after setsid)", o.PID, o.SID)
		}
		got := "no controlling terminal still (ps shows ?)"
		if o.Acquired() {
			got = "its controlling terminal is now " + o.After
		}
		return who, got
	}
	t := newTable("who opens /dev/"+r.TTY+" (no O_NOCTTY)", "controlling terminal before", "after the open()")
	for _, o := range []ctty.Opened{r.Leader, r.Member} {
		who, got := row(o)
		t.add(who, "none (?)", got)
	}
	return doc(
		fmt.Sprintf("dlab made a fresh pseudo-terminal, %s, and had it opened by two processes, each in a new session with no terminal:", r.TTY),
		t.String(),
		"Only the session leader acquired it. That is the whole point of step 3: the daemon is the second of these processes, so no terminal it ever opens can become its controlling terminal, and with it the hang-ups and keyboard signals that come with one.",
	), nil
}
