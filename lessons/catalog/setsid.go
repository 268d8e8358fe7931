package catalog

import (
	"context"
	"fmt"

	"dlab/demos/lab/jobs"
)

// setsidEvidence calls setsid() for real in two helpers: one that leads its
// process group (as a shell's job does) and one that doesn't (as the child of
// a fork doesn't). The first is refused with EPERM: that is why the classic
// recipe forks before setsid().
func setsidEvidence(ctx context.Context) (string, error) {
	leader, err := trySetsid(ctx, true)
	if err != nil {
		return "", err
	}
	member, err := trySetsid(ctx, false)
	if err != nil {
		return "", err
	}
	t := newTable("caller", "PID / group / session", "setsid()", "after")
	t.add("a group leader", leader.before(), leader.outcome(), leader.after())
	t.add("not a group leader", member.before(), member.outcome(), member.after())
	return doc(t.String(),
		"The kernel refuses setsid() to a process-group leader, because its group's other members would be left in the old session while their group leader moved out. A freshly forked child never leads a group, so it always succeeds: fork first, then setsid().",
	), nil
}

type setsidResult jobs.SetsidTrial

func (r setsidResult) before() string {
	return fmt.Sprintf("%d / %d / %d", r.PID, r.PGID, r.SID)
}

func (r setsidResult) outcome() string {
	if jobs.SetsidTrial(r).OK() {
		return "ok"
	}
	return "fails: " + r.Result
}

func (r setsidResult) after() string {
	if !jobs.SetsidTrial(r).OK() {
		return "unchanged"
	}
	return fmt.Sprintf("%d / %d / %d: a new session, no terminal", r.PID, r.NewPGID, r.NewSID)
}

// trySetsid runs the setsid helper of demos/lab/jobs, as a group leader or not.
func trySetsid(ctx context.Context, groupLeader bool) (setsidResult, error) {
	t, err := jobs.TrySetsid(ctx, groupLeader)
	return setsidResult(t), err
}
