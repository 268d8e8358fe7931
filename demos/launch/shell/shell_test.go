package shell

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/event"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
	"dlab/demos/testkit/leakcheck"
)

// testJob reports itself, then each SIGINT or SIGHUP it gets, and dies of
// it as a program without a handler would.
const testJob = "shell-test-job"

func init() { reexec.Register(testJob, runTestJob) }

func runTestJob(args []string) int {
	events := event.Inherit(EventsFD)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGHUP)
	event.Send(events, event.Self(args[0], "ready"))
	sig := (<-sigs).(syscall.Signal)
	event.Send(events, event.Self(args[0], "signal").With("signal", sig.String()))
	signal.Reset(sig)
	reexec.SetDefault(sig) // not what it inherited: maybe "ignored"
	syscall.Kill(os.Getpid(), sig)
	select {}
}

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.MainWithOwnState(m)) }

func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitEvent waits for the event of role and kind.
func waitEvent(ctx context.Context, t *testing.T, s *Shell, role, kind string) event.Event {
	t.Helper()
	for {
		select {
		case e, ok := <-s.Events:
			if !ok {
				t.Fatalf("the events ended before %s %s", role, kind)
			}
			if e.Role == role && e.Kind == kind {
				return e
			}
		case <-ctx.Done():
			t.Fatalf("no %s %s: %v", role, kind, ctx.Err())
		}
	}
}

// What each shell does is the point: ^C reaches only the foreground job;
// at the hang-up bash passes SIGHUP on to its background job, dash does
// not (and the kernel sends it only to the foreground group).
func TestJobControlAndHangUpInARealShell(t *testing.T) {
	for _, name := range []string{"bash", "sh"} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := Find(name); err != nil {
				t.Skip(err)
			}
			ctx := deadline(t)
			store := registry.Store{Dir: filepath.Join(t.TempDir(), "processes")}
			s, err := Start(ctx, Options{Shell: name, Registry: &store})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if es, _ := store.List(); len(es) != 1 || es[0].PID != s.PID {
				t.Errorf("registry holds %+v, want the shell %d", es, s.PID)
			}
			sh, err := proc.Live().Stat(s.PID)
			if err != nil || !sh.IsSessionLeader() || proc.TTYName(sh.TTY) != s.TTY {
				t.Fatalf("shell %+v (%v): want a session leader on %s", sh, err, s.TTY)
			}
			out, err := s.Run(ctx, "dlab __"+testJob+" bg &")
			if err != nil {
				t.Fatal(err)
			}
			bg := waitEvent(ctx, t, s, "bg", "ready")
			// bash says "[1] PID"; dash says nothing.
			if name == "bash" && !strings.Contains(out, fmt.Sprint(bg.PID)) {
				t.Errorf("%s did not print the job's PID %d: %q", name, bg.PID, out)
			}
			m := s.Mark()
			if err := s.Type("dlab __" + testJob + " fg"); err != nil {
				t.Fatal(err)
			}
			fg := waitEvent(ctx, t, s, "fg", "ready")
			for _, e := range []event.Event{bg, fg} {
				st, err := proc.Live().Stat(e.PID)
				if err != nil {
					t.Fatal(err)
				}
				if st.PGID != e.PID || st.SID != s.PID {
					t.Errorf("%s: pgid %d sid %d; want a group of its own in the shell's session %d", e.Role, st.PGID, st.SID, s.PID)
				}
				if st.InForeground() != (e.Role == "fg") {
					t.Errorf("%s: in foreground = %v", e.Role, st.InForeground())
				}
			}
			if err := s.Press(Interrupt); err != nil {
				t.Fatal(err)
			}
			if e := waitEvent(ctx, t, s, "fg", "signal"); e.Fields["signal"] != "interrupt" {
				t.Errorf("fg got %q, want interrupt", e.Fields["signal"])
			}
			if err := s.WaitPrompt(ctx, m); err != nil {
				t.Fatal(err)
			}
			s.HangUp()
			select {
			case <-s.Exited():
			case <-ctx.Done():
				t.Fatal("the shell did not end at the hang-up")
			}
			if name == "bash" {
				if e := waitEvent(ctx, t, s, "bg", "signal"); e.Fields["signal"] != "hangup" {
					t.Errorf("bg got %q, want hangup", e.Fields["signal"])
				}
				return
			}
			// dash leaves its background job alone: it is still running.
			st, err := proc.Live().Stat(bg.PID)
			if err != nil || st.State == 'Z' {
				t.Errorf("dash's background job is gone (%v) after the hang-up", err)
			}
			syscall.Kill(bg.PID, syscall.SIGHUP)
			waitEvent(ctx, t, s, "bg", "signal")
		})
	}
}

// An EventLog keeps what came before the event waited for, and sees the
// end of the events once the shell and its commands are gone; Signal kills
// the shell as `kill -KILL` from elsewhere would.
func TestEventLogKeepsEventsAndSignalEndsTheShell(t *testing.T) {
	ctx := deadline(t)
	s, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	log := s.Log()
	if _, err := s.Run(ctx, "dlab __"+testJob+" one &"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(ctx, "dlab __"+testJob+" two &"); err != nil {
		t.Fatal(err)
	}
	two, err := log.Wait(ctx, "two", Of("two", "ready", 0))
	if err != nil {
		t.Fatal(err)
	}
	one, err := log.Wait(ctx, "one", Of("one", "ready", 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Seen()) != 2 || one.PID == two.PID {
		t.Errorf("seen %+v; want the two ready events", log.Seen())
	}
	if err := s.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Exited():
	case <-ctx.Done():
		t.Fatal("the shell outlived SIGKILL")
	}
	if err := s.Signal(syscall.SIGKILL); err != nil {
		t.Errorf("Signal after the end: %v", err)
	}
	for _, e := range []event.Event{one, two} {
		syscall.Kill(e.PID, syscall.SIGHUP)
	}
	if err := log.WaitClosed(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := log.Wait(ctx, "nothing", Of("none", "ready", 0)); err == nil {
		t.Error("Wait after the end of the events returned no error")
	}
}

// syncBuffer is an io.Writer the shell's reader writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// The shell starts in Dir, copies its screen to Output, takes keys as they
// are (Write), and sees a new size (Resize) as a window's corner dragged.
func TestDirOutputWriteAndResize(t *testing.T) {
	ctx := deadline(t)
	dir := t.TempDir()
	var screen syncBuffer
	s, err := Start(ctx, Options{Dir: dir, Output: &screen})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if out, err := s.Run(ctx, "pwd"); err != nil || !strings.Contains(out, dir+"\n") {
		t.Errorf("pwd: %q, %v; want %s", out, err, dir)
	}
	if err := s.Resize(100, 30); err != nil {
		t.Fatal(err)
	}
	m := s.Mark()
	if err := s.Write([]byte("stty size\n")); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitPrompt(ctx, m); err != nil {
		t.Fatal(err)
	}
	if out := s.Since(m); !strings.Contains(out, "30 100\n") {
		t.Errorf("stty size after Resize(100, 30): %q", out)
	}
	if s.Char(Interrupt) != 3 || s.Char(Suspend) != 26 {
		t.Errorf("^C is %d, ^Z %d: want the defaults 3 and 26", s.Char(Interrupt), s.Char(Suspend))
	}
	s.HangUp()
	if got := strings.ReplaceAll(screen.String(), "\r", ""); got != s.Transcript() {
		t.Errorf("Output got %q, the transcript is %q", got, s.Transcript())
	}
}
