package normal_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/lab/normal"
	"dlab/demos/launch/registry"
	"dlab/demos/launch/shell"
)

func start(t *testing.T, opts normal.Options) *normal.Process {
	t.Helper()
	if opts.Registry == nil {
		opts.Registry = &registry.Store{Dir: filepath.Join(t.TempDir(), "processes")}
	}
	if opts.Lifetime == 0 {
		opts.Lifetime = time.Minute
	}
	p, err := normal.Start(deadline(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop() })
	return p
}

func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestTheProgramIsTheForegroundJobOfItsTerminal(t *testing.T) {
	t.Parallel()
	p := start(t, normal.Options{})
	fs := proc.Live()
	st, err := fs.Stat(p.PID)
	if err != nil {
		t.Fatal(err)
	}
	leader, err := fs.Stat(p.LeaderPID)
	if err != nil {
		t.Fatal(err)
	}
	if got := proc.TTYName(st.TTY); got != p.TTY || !strings.HasPrefix(got, "pts/") {
		t.Errorf("controlling terminal %q, want %q", got, p.TTY)
	}
	if st.PPID != p.LeaderPID || leader.Comm != p.Shell {
		t.Errorf("parent %d, want the shell %d (%s is %s)", st.PPID, p.LeaderPID, p.Shell, leader.Comm)
	}
	if !leader.IsSessionLeader() || leader.TTY != st.TTY {
		t.Errorf("leader: sid %d pid %d tty %d; want a session leader on the same terminal", leader.SID, leader.PID, leader.TTY)
	}
	if st.SID != p.LeaderPID || st.IsSessionLeader() {
		t.Errorf("program session %d, want the leader's %d", st.SID, p.LeaderPID)
	}
	if st.PGID != p.PID || st.TPGID != p.PID || !st.InForeground() {
		t.Errorf("pgid %d tpgid %d, want both %d: its own group, in the foreground", st.PGID, st.TPGID, p.PID)
	}
	wd, _ := os.Getwd()
	if cwd, err := fs.Link(p.PID, "cwd"); err != nil || cwd != wd {
		t.Errorf("working directory %q (%v), want dlab's %q: the shell starts where dlab runs", cwd, err, wd)
	}
	for fd := 0; fd <= 2; fd++ {
		if target, _ := fs.Link(p.PID, "fd/"+string(rune('0'+fd))); target != "/dev/"+p.TTY {
			t.Errorf("fd %d -> %q, want /dev/%s", fd, target, p.TTY)
		}
	}
	status, err := fs.Status(p.PID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGQUIT, syscall.SIGTSTP} {
		if d := status.DispositionOf(sig); d != proc.Default {
			t.Errorf("%s is %s, want default: the plain program catches nothing", proc.SignalName(sig), d)
		}
	}
	if status.SigBlk != 0 {
		t.Errorf("blocked signals %v", status.SigBlk)
	}
	if p.Self.PID != p.PID || !p.Self.InForeground || p.Self.ParentComm == "" {
		t.Errorf("the program's view of itself: %+v", p.Self)
	}
}

func TestTypedInterruptKillsIt(t *testing.T) {
	t.Parallel()
	p := start(t, normal.Options{})
	if err := p.TypeInterrupt(); err != nil {
		t.Fatal(err)
	}
	how, err := p.WaitExit(deadline(t))
	if err != nil || how != "killed by SIGINT" {
		t.Fatalf("after ^C: %q, %v; want killed by SIGINT", how, err)
	}
}

// shells are the shells a test runs under: the behaviour at a hang-up is
// the shell's, and bash and dash differ.
var shells = []string{"bash", "sh"}

func needShell(t *testing.T, name string) {
	t.Helper()
	if _, _, err := shell.Find(name); err != nil {
		t.Skip(err)
	}
}

// A foreground job dies of the hang-up under either shell: bash passes
// SIGHUP on to its jobs, and when the session leader exits the kernel
// sends SIGHUP to the foreground group anyway.
func TestHangupKillsTheForegroundJob(t *testing.T) {
	t.Parallel()
	for _, name := range shells {
		t.Run(name, func(t *testing.T) {
			needShell(t, name)
			t.Parallel()
			p := start(t, normal.Options{Shell: name})
			if err := p.Hangup(); err != nil {
				t.Fatal(err)
			}
			how, err := p.WaitExit(deadline(t))
			if err != nil || how != "killed by SIGHUP" {
				t.Fatalf("after the hang-up: %q, %v; want killed by SIGHUP", how, err)
			}
			waitShell(t, p)
			if got := p.ShellEnd(); got != "killed by SIGHUP" {
				t.Errorf("the shell %s; want killed by SIGHUP, the kernel's signal to the controlling process", got)
			}
		})
	}
}

// A background job gets no SIGHUP from the kernel: bash sends it one,
// dash does not, and the job goes on without its terminal.
func TestHangupAndABackgroundJob(t *testing.T) {
	t.Parallel()
	for _, name := range shells {
		t.Run(name, func(t *testing.T) {
			needShell(t, name)
			t.Parallel()
			p := start(t, normal.Options{Shell: name, Background: true})
			if p.Self.InForeground {
				t.Fatalf("typed with &, the program is in the foreground: %+v", p.Self)
			}
			p.Hangup()
			waitShell(t, p)
			if name == "bash" {
				if how, err := p.WaitExit(deadline(t)); err != nil || how != "killed by SIGHUP" {
					t.Fatalf("bash's background job after the hang-up: %q, %v; want killed by SIGHUP", how, err)
				}
				return
			}
			st, err := proc.Live().Stat(p.PID)
			if err != nil || st.State == 'Z' || st.HasTTY() {
				t.Fatalf("dash's background job after the hang-up: %+v, %v; want running, without a terminal", st, err)
			}
		})
	}
}

func waitShell(t *testing.T, p *normal.Process) {
	t.Helper()
	select {
	case <-p.ShellExited():
	case <-deadline(t).Done():
		t.Fatal("the shell did not end at the hang-up")
	}
}

func TestTypedSuspendStopsIt(t *testing.T) {
	t.Parallel()
	p := start(t, normal.Options{})
	if err := p.TypeSuspend(); err != nil {
		t.Fatal(err)
	}
	// The shell saw it stop (wait(2) with WUNTRACED) and says so.
	waitOutput(t, p, "Stopped")
	if st, err := proc.Live().Stat(p.PID); err != nil || st.State != 'T' {
		t.Fatalf("state %c, %v; want T (stopped)", st.State, err)
	}
	if err := p.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if st, err := proc.Live().Stat(p.PID); err != nil || st.State == 'T' {
		t.Fatalf("state %c, %v after SIGCONT; want running", st.State, err)
	}
}

func TestTermKillsIt(t *testing.T) {
	t.Parallel()
	p := start(t, normal.Options{})
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if how, err := p.WaitExit(deadline(t)); err != nil || how != "killed by SIGTERM" {
		t.Fatalf("after SIGTERM: %q, %v", how, err)
	}
}

func TestReportingProgramExplainsAndThenActsAsDefault(t *testing.T) {
	t.Parallel()
	p := start(t, normal.Options{Report: true, Resume: true})
	if !strings.Contains(waitOutput(t, p, "q quits"), "foreground  yes") {
		t.Errorf("intro:\n%s", p.Output())
	}
	p.Resize(100, 30)
	waitEvent(t, p, "terminal is now 100x30")
	// ^Z, then fg typed at the shell's prompt, as a student would.
	if err := p.TypeAndWait(deadline(t), "\x1a"); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, p, "program: SIGCONT: running again")
	// The screen is read apart from the events: wait for it to show the
	// shell's part.
	if out := waitOutput(t, p, "$ fg\n"); !strings.Contains(out, "Stopped") {
		t.Errorf("the shell did not show the stop:\n%s", out)
	}
	p.Type("hi")
	waitEvent(t, p, `typed "hi"`)
	p.TypeInterrupt()
	waitEvent(t, p, "^C: SIGINT, sent by the terminal driver")
	if st, err := proc.Live().Stat(p.PID); err != nil || st.State == 'Z' {
		t.Fatal("the first ^C ended the reporting program")
	}
	p.TypeInterrupt()
	if how, err := p.WaitExit(deadline(t)); err != nil || how != "killed by SIGINT" {
		t.Fatalf("after the second ^C: %q, %v", how, err)
	}
}

func TestReportingProgramQuitsOnQ(t *testing.T) {
	t.Parallel()
	p := start(t, normal.Options{Report: true})
	p.Type("q")
	if how, err := p.WaitExit(deadline(t)); err != nil || how != "exited with status 0" {
		t.Fatalf("after q: %q, %v", how, err)
	}
}

func TestReportingProgramDiesOfHangup(t *testing.T) {
	t.Parallel()
	p := start(t, normal.Options{Report: true})
	p.Hangup()
	if how, err := p.WaitExit(deadline(t)); err != nil || how != "killed by SIGHUP" {
		t.Fatalf("after the hang-up: %q, %v", how, err)
	}
	waitEvent(t, p, "program: SIGHUP: the terminal hung up")
}

func TestStartRecordsBothInTheRegistry(t *testing.T) {
	t.Parallel()
	reg := registry.Store{Dir: filepath.Join(t.TempDir(), "processes")}
	p := start(t, normal.Options{Registry: &reg})
	for pid, kind := range map[int]string{p.PID: "normal", p.LeaderPID: "shell"} {
		if e, err := reg.Find(pid); err != nil || e.Kind != kind || e.Owner != registry.Self() {
			t.Errorf("entry for %d: %+v, %v", pid, e, err)
		}
	}
	p.Stop()
	if entries, _ := reg.List(); len(entries) != 0 {
		t.Errorf("entries left after Stop: %+v", entries)
	}
}

func hasEvent(p *normal.Process, substr string) bool {
	for _, e := range p.Events() {
		if strings.Contains(e, substr) {
			return true
		}
	}
	return false
}

// waitEvent waits for an event whose line contains substr.
func waitEvent(t *testing.T, p *normal.Process, substr string) {
	t.Helper()
	_, err := p.WaitEvent(deadline(t), func(e normal.Event) bool { return strings.Contains(e.String(), substr) })
	if err != nil {
		t.Fatalf("%v: no event %q; got:\n%s", err, substr, strings.Join(p.Events(), "\n"))
	}
}

func waitOutput(t *testing.T, p *normal.Process, substr string) string {
	t.Helper()
	out, err := p.WaitOutput(deadline(t), substr)
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	return out
}

func TestSessionLeaderExitSendsSIGHUPToTheForegroundGroup(t *testing.T) {
	t.Parallel()
	// The kernel, not the leader, does it: killed with SIGKILL, the leader
	// can't resend anything. When a controlling process exits, its
	// terminal's foreground group gets SIGHUP.
	p := start(t, normal.Options{})
	if err := syscall.Kill(p.LeaderPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if how, err := p.WaitExit(deadline(t)); err != nil || how != "killed by SIGHUP" {
		t.Fatalf("after the leader died: %q, %v; want killed by SIGHUP", how, err)
	}
}

func TestTypeAndWaitTypesLikeAPerson(t *testing.T) {
	t.Parallel()
	p := start(t, normal.Options{Report: true})
	// All at once, the two ^C would merge into one SIGINT and the first
	// would flush "hi".
	if err := p.TypeAndWait(deadline(t), "hi\x03\x03"); err != nil {
		t.Fatal(err)
	}
	if how, err := p.WaitExit(deadline(t)); err != nil || how != "killed by SIGINT" {
		t.Fatalf("after hi ^C ^C: %q, %v; events:\n%s", how, err, strings.Join(p.Events(), "\n"))
	}
	if !hasEvent(p, `typed "hi"`) || !hasEvent(p, "^C again") {
		t.Errorf("events:\n%s", strings.Join(p.Events(), "\n"))
	}
}
