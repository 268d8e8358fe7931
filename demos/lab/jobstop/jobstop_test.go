package jobstop

import (
	"context"
	"os"
	"path/filepath"
	"slices"
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
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func options(t *testing.T, name string) Options {
	if _, _, err := shell.Find(name); err != nil {
		t.Skip(err)
	}
	return Options{Shell: name, Registry: &registry.Store{Dir: filepath.Join(t.TempDir(), "processes")}}
}

// The terminal's stops are the kernel's, whatever the shell: both shells
// must show the same four.
func TestTheTerminalStopsItsJobs(t *testing.T) {
	for _, name := range []string{"bash", "sh"} {
		t.Run(name, func(t *testing.T) {
			s, err := Stops(deadline(t), options(t, name))
			t.Logf("%s transcript:\n%s", name, s.Transcript)
			if err != nil {
				t.Fatal(err)
			}
			want := []struct {
				command, stop, ended string
			}{
				{"dlab __read-terminal &", "SIGTTIN", ""},
				{"dlab __write-terminal &", "", "exited with status 0"},
				{"dlab __write-terminal &", "SIGTTOU", ""},
				{"dlab __sleep", "SIGTSTP", ""},
			}
			if len(s.Jobs) != len(want) {
				t.Fatalf("jobs %+v, want %d", s.Jobs, len(want))
			}
			for i, w := range want {
				j := s.Jobs[i]
				if j.Command != w.command || j.StopSignal != w.stop || j.Stopped != (w.stop != "") || j.Ended != w.ended {
					t.Errorf("job %d: %+v; want %s stopped by %q, ended %q", i, j, w.command, w.stop, w.ended)
				}
			}
			if !s.Jobs[2].Tostop || s.Jobs[1].Tostop || s.Jobs[1].Output != Written {
				t.Errorf("writers: %+v, %+v; want the first let through without tostop, the second with it", s.Jobs[1], s.Jobs[2])
			}
			if !strings.Contains(s.Transcript, "$ "+Written) {
				t.Errorf("the written line did not land after the prompt:\n%s", s.Transcript)
			}
		})
	}
}

// What becomes of a stopped job when its shell ends is where the shells
// differ: bash sends it SIGTERM and SIGCONT at its second exit, dash sends
// nothing and the kernel's orphaned-group rule sends SIGHUP and SIGCONT. A
// running background job gets nothing from either, and loses its terminal.
// Killed with SIGKILL, neither shell does anything: the kernel's rule again.
func TestWhatBecomesOfStoppedJobsWhenTheShellEnds(t *testing.T) {
	for _, c := range []struct {
		shell, warning, fromShell string
	}{
		{"bash", "There are stopped jobs.", "SIGTERM"},
		{"sh", "You have stopped jobs.", "SIGHUP"},
	} {
		t.Run(c.shell, func(t *testing.T) {
			r, err := AtExit(deadline(t), options(t, c.shell))
			t.Logf("exit:\n%s\nkill:\n%s", r.Exited.Transcript, r.Killed.Transcript)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(r.Exited.Transcript, "$ exit") != 2 || !strings.Contains(r.Exited.Transcript, c.warning) {
				t.Errorf("the first exit did not warn %q:\n%s", c.warning, r.Exited.Transcript)
			}
			running, stopped := r.Exited.Jobs[0], r.Exited.Jobs[1]
			if running.Stopped || running.Ended != "" || len(running.Signals) != 0 || running.TTYAfter != "?" {
				t.Errorf("running job: %+v; want it running, without a signal and without a terminal", running)
			}
			want := []string{c.fromShell, "SIGCONT"}
			if !stopped.Stopped || !slices.Equal(stopped.Signals, want) || stopped.Ended != "killed by "+c.fromShell {
				t.Errorf("stopped job: %+v; want signals %v and killed by %s", stopped, want, c.fromShell)
			}
			k := r.Killed.Jobs[0]
			if !k.Stopped || !slices.Equal(k.Signals, []string{"SIGHUP", "SIGCONT"}) || k.Ended != "killed by SIGHUP" {
				t.Errorf("after SIGKILL to the shell: %+v; want SIGHUP and SIGCONT from the kernel", k)
			}
		})
	}
}

func TestStopReportNamesTheSignal(t *testing.T) {
	for _, c := range []struct{ out, said, sig string }{
		{"\n[1]+  Stopped (tty input)     dlab __read-terminal\n$ ", "Stopped (tty input)", "SIGTTIN"},
		{"[3] + Stopped (tty output)       dlab __write-terminal\n", "Stopped (tty output)", "SIGTTOU"},
		{"^Z\n[4]+  Stopped                 dlab __sleep\n$ ", "Stopped", "SIGTSTP"},
		{"^Z[1] + Stopped                    dlab __sleep\n", "Stopped", "SIGTSTP"},
		{"[1]+  Stopped (signal)   sleep 100", "Stopped (signal)", "SIGSTOP"},
		{"[2]   Done                    dlab __write-terminal\n", "", ""},
	} {
		said, sig := StopReport(c.out)
		if said != c.said || sig != c.sig {
			t.Errorf("StopReport(%q) = %q, %q; want %q, %q", c.out, said, sig, c.said, c.sig)
		}
	}
}

func TestJobLineFindsTheJobByPID(t *testing.T) {
	bash := "jobs -l\n[1]  7583 Stopped (tty input)     dlab __read-terminal\n[2]- 7615 Stopped (tty output)    dlab __write-terminal\n[3]+ 7620 Stopped                 dlab __sleep\n$ "
	dash := "jobs -l\n[2] + 9419 Stopped               sleep 100\n[1] - 9394 Stopped (tty input)   cat\n$ "
	for _, c := range []struct {
		list string
		pid  int
		sig  string
	}{
		{bash, 7583, "SIGTTIN"}, {bash, 7615, "SIGTTOU"}, {bash, 7620, "SIGTSTP"}, {bash, 758, ""},
		{dash, 9394, "SIGTTIN"}, {dash, 9419, "SIGTSTP"},
	} {
		if _, sig := StopReport(JobLine(c.list, c.pid)); sig != c.sig {
			t.Errorf("job %d: %q, want %q", c.pid, sig, c.sig)
		}
	}
}
