package jobs

import (
	"context"
	"os"
	"testing"
	"time"

	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }

func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSetsidIsRefusedToAGroupLeader(t *testing.T) {
	leader, err := TrySetsid(deadline(t), true)
	if err != nil {
		t.Fatal(err)
	}
	if leader.Result != "EPERM" || leader.PID != leader.PGID {
		t.Errorf("group leader: %+v, want setsid EPERM with pid == pgid", leader)
	}
	member, err := TrySetsid(deadline(t), false)
	if err != nil {
		t.Fatal(err)
	}
	if !member.OK() || member.NewSID != member.PID || member.NewPGID != member.PID {
		t.Errorf("non-leader: %+v, want setsid ok with a session and group numbered after itself", member)
	}
}

func TestControlCReachesOnlyTheForegroundGroup(t *testing.T) {
	r, err := ControlC(deadline(t))
	if err != nil {
		t.Fatal(err)
	}
	if r.ForegroundEnded != "killed by SIGINT" {
		t.Errorf("foreground job: %q, want killed by SIGINT", r.ForegroundEnded)
	}
	if r.BackgroundAfter != "nothing: still running" || r.ShellAfter != "nothing: still running" {
		t.Errorf("after ^C: background %q, shell %q; want both untouched", r.BackgroundAfter, r.ShellAfter)
	}
	if !r.Shell.IsSessionLeader() || r.Foreground.PGID == r.Background.PGID || !r.Foreground.InForeground() || r.Background.InForeground() {
		t.Errorf("shell %+v, fg %+v, bg %+v: want a session leader and two jobs in groups of their own, one in the foreground", r.Shell, r.Foreground, r.Background)
	}
}
