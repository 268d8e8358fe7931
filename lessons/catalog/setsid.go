package catalog

import (
	"context"
	"fmt"
	"syscall"

	"dlab/demos/launch/reexec"
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

type setsidResult map[string]string

func (r setsidResult) before() string {
	return fmt.Sprintf("%s / %s / %s", r["pid"], r["pgid"], r["sid"])
}

func (r setsidResult) outcome() string {
	if r["setsid"] == "ok" {
		return "ok"
	}
	return "fails: " + r["setsid"]
}

func (r setsidResult) after() string {
	if r["setsid"] != "ok" {
		return "unchanged"
	}
	return fmt.Sprintf("%s / %s / %s: a new session, no terminal", r["pid"], r["new-pgid"], r["new-sid"])
}

// trySetsid runs the setsid helper, as a group leader or not.
func trySetsid(ctx context.Context, groupLeader bool) (setsidResult, error) {
	cmd, err := reexec.Command(roleSetsid)
	if err != nil {
		return nil, err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: groupLeader}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("setsid helper: %w", err)
	}
	r := setsidResult(keyValues(string(out)))
	if r["setsid"] == "" {
		return nil, fmt.Errorf("setsid helper printed %q", out)
	}
	return r, nil
}
