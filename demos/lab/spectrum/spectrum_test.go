package spectrum

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/lab/sysv"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
	"dlab/demos/testkit/leakcheck"

	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }

// testLifetime bounds every process a test starts, in case a test dies
// before it can stop them (the leak check would still report them).
const testLifetime = 2 * time.Minute

// privateState gives the test a registry of its own.
func privateState(t *testing.T) {
	t.Helper()
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestShowEveryClaimHolds runs each member of the spectrum end to end on
// real processes: nohup's job ignores SIGHUP and survives the hang-up; the
// setsid job has no terminal but its fds on the pts; the pty server's
// program has the pts, the server none, and dies of SIGHUP when the server
// closes the master; the supervisor restarts its service after SIGKILL with
// a new PID.
func TestShowEveryClaimHolds(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			privateState(t)
			s, err := Show(testCtx(t), kind, Options{Lifetime: testLifetime})
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Checks) == 0 {
				t.Fatal("no claims checked")
			}
			for _, c := range s.Checks {
				if !c.Holds {
					t.Errorf("does not hold: %s (observed: %s)", c.Claim, c.Observed)
				}
			}
			if t.Failed() {
				t.Log("\n" + s.Markdown())
			}
			// Show ends everything it started, and forgets it.
			for _, m := range s.Before {
				if st, err := proc.Live().Stat(m.PID); err == nil && st.StartTime == m.StartTime && st.State != 'Z' {
					t.Errorf("%s (PID %d) still running after Show", m.Role, m.PID)
				}
			}
			if entries, _ := registry.List(); len(entries) != 0 {
				t.Errorf("registry still holds %+v", entries)
			}
			state, _ := registry.StateDir()
			if runs, _ := os.ReadDir(state + "/runs"); len(runs) != 0 {
				t.Errorf("files left behind in %s/runs: %v", state, runs)
			}
		})
	}
}

func TestNowChecksTheStateBeforeAnyEvent(t *testing.T) {
	privateState(t)
	ctx := testCtx(t)
	run, err := StartNohup(ctx, Options{Lifetime: testLifetime})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Stop()
	s := Now(ctx, run)
	if !s.Holds() || len(s.Checks) != 5 {
		t.Errorf("before the hang-up: %d checks, holds=%v\n%s", len(s.Checks), s.Holds(), s.Markdown())
	}
	if s.Event != "" || s.After != nil {
		t.Errorf("Now made something happen: %q", s.Event)
	}
}

func TestStartRecordsEveryProcessAndStopForgetsThem(t *testing.T) {
	privateState(t)
	ctx := testCtx(t)
	for _, kind := range Kinds {
		run, err := Start(ctx, kind, Options{Lifetime: testLifetime})
		if err != nil {
			t.Fatal(err)
		}
		entries, _ := registry.List()
		recorded := map[int]registry.Entry{}
		for _, e := range entries {
			recorded[e.PID] = e
		}
		for _, m := range run.Members() {
			e, ok := recorded[m.PID]
			if !ok {
				t.Errorf("%s: %s (PID %d) not in the registry", kind, m.Role, m.PID)
				continue
			}
			if e.StartTime != m.StartTime || e.Kind != RegistryKind(kind, m.Role) || e.Owner != registry.Self() {
				t.Errorf("%s: entry %+v for %+v", kind, e, m)
			}
		}
		if err := run.Stop(); err != nil {
			t.Error(err)
		}
		if entries, _ := registry.List(); len(entries) != 0 {
			t.Errorf("%s: registry after Stop: %+v", kind, entries)
		}
	}
}

// A detached demo outlives its dlab and belongs to no run: only cleanup
// (or stop) ends it, including a service its supervisor restarted after
// dlab had gone.
func TestDetachedDemoIsEndedByCleanup(t *testing.T) {
	privateState(t)
	ctx := testCtx(t)
	run, err := StartSupervised(ctx, Options{Lifetime: testLifetime, Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Stop()
	restart, err := run.KillService(ctx, unix.SIGKILL)
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := registry.CleanupLeftovers(time.Second); len(left) != 0 {
		t.Errorf("a detached demo was taken for a leftover: %+v", left)
	}
	ended, err := registry.Cleanup(2 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]bool{}
	for _, e := range ended {
		got[e.Entry.PID] = true
	}
	if sup := run.member("supervisor").PID; !got[sup] {
		t.Errorf("cleanup did not end the supervisor %d: %+v", sup, ended)
	}
	p := run.proc(restart.New.PID)
	if err := p.Wait(ctx); err != nil {
		t.Errorf("the restarted service %d survived cleanup: %v", restart.New.PID, err)
	}
	if journal := strings.Join(run.readLog("journal.log"), "\n"); !strings.Contains(journal, sysv.LogShutdown) {
		t.Errorf("the service was not stopped with SIGTERM through its supervisor; journal:\n%s", journal)
	}
}

func init() {
	// spectrum-test-launcher starts a demo that belongs to it, prints the
	// PIDs, and waits to be killed: a dlab killed with SIGKILL mid-demo.
	reexec.Register("spectrum-test-launcher", func(args []string) int {
		run, err := Start(context.Background(), Kind(args[0]), Options{Lifetime: testLifetime})
		if err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			return 1
		}
		for _, m := range run.Members() {
			os.Stdout.WriteString(m.Role + "\n")
		}
		os.Stdout.WriteString("ready\n")
		time.Sleep(testLifetime)
		return 0
	})
}

// When dlab is killed with SIGKILL, it can't stop its demo: the next run
// finds the processes of a run whose owner is gone and ends them.
func TestLeftoversOfAKilledDlabAreEnded(t *testing.T) {
	privateState(t)
	ctx := testCtx(t)
	for _, kind := range Kinds {
		cmd, err := reexec.Command("spectrum-test-launcher", string(kind))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		n := 0
		for sc.Scan() && sc.Text() != "ready" {
			if strings.HasPrefix(sc.Text(), "error") {
				t.Fatal(sc.Text())
			}
			n++
		}
		cmd.Process.Kill()
		cmd.Wait()

		entries, _ := registry.List()
		var held []*pidfd.Process
		for _, e := range entries {
			if p, err := pidfd.Open(e.PID, e.StartTime); err == nil {
				held = append(held, p)
				defer p.Close()
			}
		}
		if len(held) != n {
			t.Fatalf("%s: %d processes recorded and running, want %d", kind, len(held), n)
		}
		ended, err := registry.CleanupLeftovers(2 * time.Second)
		if err != nil && !errors.Is(err, proc.ErrGone) {
			t.Error(err)
		}
		if len(ended) == 0 {
			t.Errorf("%s: no leftovers ended", kind)
		}
		for _, p := range held {
			if err := p.Wait(ctx); err != nil {
				t.Errorf("%s: leftover %d still running: %v", kind, p.PID, err)
			}
		}
	}
}

// ^C while a demo starts: the start is finished, then everything it
// started is stopped; nothing is left, not even a nohup job, which would
// survive its terminal being closed.
func TestCancelledStartLeavesNothing(t *testing.T) {
	privateState(t)
	for _, kind := range Kinds {
		for _, after := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond} {
			ctx, cancel := context.WithCancel(context.Background())
			if after == 0 {
				cancel()
			} else {
				time.AfterFunc(after, cancel)
			}
			run, err := Start(ctx, kind, Options{Lifetime: testLifetime})
			cancel()
			if err == nil {
				// It was ready before the cancel: stopping is the caller's job.
				run.Stop()
			}
			if entries, _ := registry.List(); len(entries) != 0 {
				t.Errorf("%s cancelled after %v: the registry still holds %+v", kind, after, entries)
			}
			if left := leakcheck.Marked(os.Getenv(leakcheck.Env)); len(left) != 0 {
				t.Errorf("%s cancelled after %v: still running: %v", kind, after, left)
			}
		}
	}
}

// The real tmux draws the same picture as the built-in pty server.
func TestTmuxShowsWhatThePtyServerShows(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("needs tmux (Debian package tmux)")
	}
	privateState(t)
	s, err := Show(testCtx(t), Tmux, Options{Lifetime: testLifetime})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Checks) != 7 {
		t.Errorf("%d checks", len(s.Checks))
	}
	for _, c := range s.Checks {
		if !c.Holds {
			t.Errorf("does not hold: %s (observed: %s)", c.Claim, c.Observed)
		}
	}
	if t.Failed() || testing.Verbose() {
		t.Log("\n" + s.Markdown())
	}
	if entries, _ := registry.List(); len(entries) != 0 {
		t.Errorf("registry still holds %+v", entries)
	}
}

// BenchmarkShow measures each member of the spectrum from start to end.
func BenchmarkShow(b *testing.B) {
	for _, kind := range Kinds {
		b.Run(string(kind), func(b *testing.B) {
			b.Setenv("XDG_RUNTIME_DIR", b.TempDir())
			for b.Loop() {
				if _, err := Show(context.Background(), kind, Options{Lifetime: testLifetime}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// What the plain job next to nohup's and setsid's shows is the shell's
// doing: bash passes SIGHUP on to its jobs, dash does not, and the kernel
// sends a background job nothing. The wrapped programs survive under both.
func TestHangupUnderEachShell(t *testing.T) {
	for _, kind := range []Kind{Nohup, Setsid} {
		for _, sh := range []string{"bash", "sh"} {
			t.Run(string(kind)+"/"+sh, func(t *testing.T) {
				if _, err := exec.LookPath(sh); err != nil {
					t.Skip(err)
				}
				privateState(t)
				s, err := Show(testCtx(t), kind, Options{Lifetime: testLifetime, Shell: sh})
				if err != nil {
					t.Fatal(err)
				}
				if s.Shell != sh {
					t.Errorf("typed into %q, want %s", s.Shell, sh)
				}
				for _, c := range s.Checks {
					if !c.Holds {
						t.Errorf("does not hold: %s (observed: %s)", c.Claim, c.Observed)
					}
				}
				job := find(s.After, "job")
				if job.Alive() != (sh == "sh") {
					t.Errorf("under %s the plain job after the hang-up: %s", sh, state(job))
				}
				if !find(s.After, "program").Alive() {
					t.Errorf("the %s program died in the hang-up", kind)
				}
				wrapped := string(kind) + " dlab __" + roleProgram
				if !strings.Contains(s.Transcript, "$ "+wrapped) || !strings.Contains(s.Transcript, "jobs -l") {
					t.Errorf("the transcript lacks the typed commands:\n%s", s.Transcript)
				}
				if kind == Nohup && !strings.Contains(s.Transcript, "nohup: ignoring input and appending output to 'nohup.out'") {
					t.Errorf("nohup said nothing on the terminal:\n%s", s.Transcript)
				}
				if t.Failed() || testing.Verbose() {
					t.Log("\n" + s.Markdown() + "\n" + s.Transcript)
				}
			})
		}
	}
}
