package catalog

import (
	"context"
	"fmt"
	"strings"

	"dlab/demos/core/proc"
	"dlab/demos/lab/orphan"
)

func init() {
	register(Demo{Name: "zombie", Shows: "a child that exited but was not yet waited for: state Z, then gone once reaped", run: zombieDemo})
}

// zombieDemo makes a zombie on purpose (demos/lab/orphan): dlab starts a
// child, lets it exit, and looks at it before calling wait().
func zombieDemo(ctx context.Context) (string, error) {
	z, err := orphan.MakeZombie(ctx)
	if err != nil {
		return "", err
	}
	fs := proc.Live()
	after := "still there?"
	if z.Gone {
		after = fmt.Sprintf("no /proc/%d any more: the PID is free again", z.PID)
	}

	t := newTable("moment", "state", "what /proc/PID/stat shows")
	t.add("just started", stateName(z.Alive.State), fmt.Sprintf("comm %s, parent %s", code(z.Alive.Comm), describePID(fs, z.Alive.PPID)))
	t.add("exited, not yet waited for", stateName(z.Dead.State), fmt.Sprintf("a zombie: cmdline %s, the memory is gone, only the exit status and the PID remain", code(strings.Join(z.Cmdline, " "))))
	t.add("after dlab called wait()", "–", after)

	paras := []string{t.String()}
	if z.PS != "" {
		paras = append(paras, "What `ps` printed for the zombie, before the wait:", block("", z.PS))
	}
	paras = append(paras, "A zombie costs only a PID. Its parent collects it with wait(); if the parent exits first, the zombie is adopted (by PID 1 or a subreaper), which reaps it. A parent that never waits, and lives on, piles them up.")
	return doc(paras...), nil
}

// stateName spells out the state letter of /proc/PID/stat field 3.
func stateName(s byte) string {
	names := map[byte]string{'R': "running", 'S': "sleeping", 'D': "disk sleep", 'Z': "zombie", 'T': "stopped", 't': "traced", 'I': "idle", 'X': "dead"}
	if n, ok := names[s]; ok {
		return fmt.Sprintf("%c (%s)", s, n)
	}
	return string(s)
}
