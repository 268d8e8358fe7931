package jobs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
	"dlab/demos/launch/shell"
	"dlab/demos/testkit/leakcheck"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.MainWithOwnState(m)) }

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

// ^C is the terminal driver's, whatever the shell: in bash and in sh it
// reaches the foreground job's group and nobody else.
func TestControlCReachesOnlyTheForegroundGroup(t *testing.T) {
	for _, name := range []string{"bash", "sh"} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := shell.Find(name); err != nil {
				t.Skip(err)
			}
			r, err := ControlC(deadline(t), Options{Shell: name, Registry: &registry.Store{Dir: filepath.Join(t.TempDir(), "processes")}})
			t.Logf("transcript:\n%s", r.Transcript)
			if err != nil {
				t.Fatal(err)
			}
			if r.Shell != name || r.NoBash {
				t.Errorf("shell %q (no bash: %v), want %s", r.Shell, r.NoBash, name)
			}
			if r.ForegroundGot != "SIGINT" || r.ForegroundEnded != "killed by SIGINT" {
				t.Errorf("foreground job: got %q, %q; want SIGINT and killed by SIGINT", r.ForegroundGot, r.ForegroundEnded)
			}
			if r.BackgroundAfter != "nothing: still running" || r.ShellAfter != "nothing: still running" {
				t.Errorf("after ^C: background %q, shell %q; want both untouched", r.BackgroundAfter, r.ShellAfter)
			}
			sh, fg, bg := r.ShellStat, r.Foreground, r.Background
			if !sh.IsSessionLeader() || fg.SID != sh.SID || bg.SID != sh.SID {
				t.Errorf("shell %+v, fg %+v, bg %+v: want one session, led by the shell", sh, fg, bg)
			}
			if !fg.IsGroupLeader() || !bg.IsGroupLeader() || fg.PGID == sh.PGID || bg.PGID == sh.PGID {
				t.Errorf("fg %+v, bg %+v: want each job in a process group of its own", fg, bg)
			}
			if !fg.InForeground() || bg.InForeground() || sh.InForeground() {
				t.Errorf("foreground: shell %v, fg %v, bg %v; want only the fg job", sh.InForeground(), fg.InForeground(), bg.InForeground())
			}
			for _, w := range []string{"$ dlab __lesson-job bg &\n", "$ dlab __lesson-job fg\n^C"} {
				if !strings.Contains(r.Transcript, w) {
					t.Errorf("the transcript lacks %q:\n%s", w, r.Transcript)
				}
			}
		})
	}
}
