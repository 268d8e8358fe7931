// Package jobstop shows, in a real interactive shell (bash -i, else sh -i)
// on a fresh pseudo-terminal, how the terminal stops jobs and what becomes
// of stopped jobs when the shell goes.
//
// Stops: a background job that reads the terminal is stopped by SIGTTIN;
// one that writes to it is let through, until `stty tostop` is set, and then
// it is stopped by SIGTTOU; ^Z stops the foreground job with SIGTSTP.
//
// At exit: bash refuses the first `exit` while jobs are stopped, and at the
// second sends each stopped job SIGTERM and SIGCONT; dash sends nothing,
// and the kernel's rule for orphaned process groups (SIGHUP, then SIGCONT
// to a group left with a stopped member) is what ends them. Killed with
// SIGKILL, no shell can do anything, and that kernel rule is all there is.
//
// The jobs are dlab in hidden roles, typed at the shell as `dlab __ROLE`.
// Each reports on the shell's event pipe (package event) when it is ready,
// each signal it gets that it can report (the stops themselves it can't: a
// stopped process runs no code), and what it read or wrote. Whether a job
// is stopped dlab reads in /proc; which signal stopped it, the kernel tells
// only the job's parent, the shell, through wait(2), and the shell says it
// in the words of strsignal(3): "Stopped (tty input)" for SIGTTIN.
package jobstop

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/event"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
	"dlab/demos/launch/shell"

	"golang.org/x/sys/unix"
)

// The roles, as the student reads them in the transcript: `dlab
// __read-terminal &` is a program that reads a line from the terminal.
const (
	roleRead  = "read-terminal"  // reads a line from the terminal
	roleWrite = "write-terminal" // writes a line to the terminal
	roleSleep = "sleep"          // does nothing until a signal ends it, as `sleep 1000` does
)

// goFD is the pipe a job reads one byte from before it reads or writes the
// terminal: dlab sends it once the shell has shown its prompt, so that the
// transcript comes out in the same order every time.
const goFD = shell.EventsFD + 1

// Written is what the writing job writes.
const Written = "a line written by the background job"

func init() {
	reexec.Register(roleRead, func([]string) int { return runTerminalJob(roleRead) })
	reexec.Register(roleWrite, func([]string) int { return runTerminalJob(roleWrite) })
	reexec.Register(roleSleep, runSleep)
}

// runTerminalJob reports itself, waits for dlab's go-ahead, then reads a
// line from the terminal or writes one to it. It catches no signal: what
// the terminal does to it is the kernel's default action, as for cat or
// echo.
func runTerminalJob(role string) int {
	events := event.Inherit(shell.EventsFD)
	event.Send(events, event.Self(role, "ready"))
	// End of file instead of a byte: dlab is done with the demo.
	if n, _ := os.NewFile(goFD, "go").Read(make([]byte, 1)); n == 0 {
		return 0
	}
	if role == roleWrite {
		// From the background with tostop set, this write stops the job
		// (SIGTTOU).
		fmt.Println(Written)
		event.Send(events, event.Self(role, "wrote"))
		return 0
	}
	// From the background, this read stops the job (SIGTTIN).
	line, _ := io.ReadAll(io.LimitReader(os.Stdin, 256))
	event.Send(events, event.Self(role, "read").With("text", strings.TrimSpace(string(line))))
	return 0
}

// runSleep does nothing, as `sleep 1000` does, and reports every signal
// that ends a program or wakes a stopped one; then it dies of the first
// that ends a program, as a program that doesn't catch it would. It never
// touches the terminal: once continued, nothing can stop it again.
//
// Signals that arrive together (a stopped job's SIGTERM and the SIGCONT that
// wakes it to act on it) reach the handler one after the other: it takes
// what else comes within a moment, so that none goes unreported, then says
// it is dying and dies.
func runSleep([]string) int {
	events := event.Inherit(shell.EventsFD)
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, unix.SIGHUP, unix.SIGINT, unix.SIGTERM, unix.SIGCONT)
	event.Send(events, event.Self(roleSleep, "ready"))
	var fatal syscall.Signal
	var moment <-chan time.Time
	for {
		select {
		case s := <-sigs:
			sig := s.(syscall.Signal)
			event.Send(events, event.Self(roleSleep, "signal").With("signal", proc.SignalName(sig)))
			if sig != unix.SIGCONT && fatal == 0 {
				fatal = sig
				moment = time.After(50 * time.Millisecond)
			}
		case <-moment:
			event.Send(events, event.Self(roleSleep, "dying").With("signal", proc.SignalName(fatal)))
			// Reset alone restores what the process inherited, which may
			// be "ignored".
			signal.Reset(fatal)
			reexec.SetDefault(fatal)
			syscall.Kill(os.Getpid(), fatal)
			select {}
		}
	}
}

// Options say which shell to run.
type Options struct {
	// Shell is "bash" or "sh"; empty means bash if installed, else sh.
	Shell string
	// Registry records the shell for 'dlab demo cleanup'; nil: the user's.
	Registry *registry.Store
}

// Job is one job of a demo and what became of it.
type Job struct {
	Command string // as typed: "dlab __read-terminal &"
	PID     int
	Front   bool // it ran in the foreground
	Tostop  bool // stty tostop was set when it ran
	// Stopped: /proc showed the job stopped (state T). ShellSaid is the
	// shell's report of it, and StopSignal the signal those words name.
	Stopped    bool
	ShellSaid  string
	StopSignal string
	Output     string   // what it wrote, when the terminal let it
	Signals    []string // the signals it reported: "SIGTERM", "SIGCONT" (SIGCONT last)
	Ended      string   // how it ended: "killed by SIGTERM", "exited with status 0"; "" while it runs
	TTYAfter   string   // its controlling terminal at the end, as ps shows it ("?": none)

	proc *pidfd.Process
}

// Session is one shell and what it showed.
type Session struct {
	Shell      string // "bash" or "sh"
	NoBash     bool   // bash was wanted but is not installed: this is sh
	TTY        string // "pts/3"
	Transcript string // what the terminal showed, as the student would have seen it
	Jobs       []*Job
}

// Stops types four jobs, one at a time: a background reader (stopped by
// SIGTTIN), a background writer without and with `stty tostop` (let
// through, then stopped by SIGTTOU), and `dlab __sleep` in the foreground
// stopped by ^Z (SIGTSTP); then `jobs -l`, where the shell names each stop.
func Stops(ctx context.Context, opts Options) (Session, error) {
	d, err := start(ctx, opts)
	if err != nil {
		return Session{}, err
	}
	defer d.close()
	steps := []func() error{
		func() error { return d.background(ctx, roleRead, true) },
		func() error { return d.background(ctx, roleWrite, false) },
		func() error { _, err := d.sh.Run(ctx, "stty tostop"); d.tostop = true; return err },
		func() error { return d.background(ctx, roleWrite, true) },
		func() error { _, err := d.sh.Run(ctx, "stty -tostop"); d.tostop = false; return err },
		func() error { return d.suspend(ctx) },
		func() error { return d.jobsList(ctx) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			d.Transcript = d.sh.Since(d.begin)
			return d.Session, err
		}
	}
	d.Transcript = d.sh.Since(d.begin)
	return d.Session, nil
}

// Exit is what became of a stopped job and a running one when the shell
// ended: by `exit` (typed twice, as bash asks), or by SIGKILL.
type Exit struct {
	Exited Session // `exit`: Jobs[0] runs in the background, Jobs[1] is stopped by ^Z
	Killed Session // SIGKILL: Jobs[0] is stopped by ^Z
}

// AtExit runs the two endings of a shell with a stopped job.
func AtExit(ctx context.Context, opts Options) (Exit, error) {
	var r Exit
	var err error
	if r.Exited, err = exited(ctx, opts); err != nil {
		return r, err
	}
	r.Killed, err = killed(ctx, opts)
	return r, err
}

func exited(ctx context.Context, opts Options) (Session, error) {
	d, err := start(ctx, opts)
	if err != nil {
		return Session{}, err
	}
	defer d.close()
	sleeper, err := d.startJob(ctx, roleSleep, false)
	if err != nil {
		return d.Session, err
	}
	if err := d.suspend(ctx); err != nil {
		return d.Session, err
	}
	// The first exit: bash and dash refuse while a job is stopped, and
	// say so.
	if _, err := d.sh.Run(ctx, "exit"); err != nil {
		return d.Session, err
	}
	m := d.sh.Mark()
	if err := d.sh.Type("exit"); err != nil {
		return d.Session, err
	}
	if err := d.shellGone(ctx); err != nil {
		return d.Session, err
	}
	// The terminal's echo of the typed exit, and bash's own "exit" as it
	// leaves, were written before the shell ended, but may not be read yet.
	lines := 1
	if d.Shell == "bash" {
		lines = 2
	}
	err = d.sh.WaitOutput(ctx, m, func(out string) bool { return strings.Count(out, "exit\n") >= lines })
	if err != nil {
		return d.Session, err
	}
	d.Transcript = d.sh.Since(d.begin)
	stopped := d.Jobs[1]
	if err := d.ended(ctx, stopped); err != nil {
		return d.Session, err
	}
	// What the running job got from the shell, it reported before the
	// stopped job's last word (which came a moment after the shell ended):
	// the pipe keeps the order of the writes.
	sleeper.Signals = d.signalsOf(sleeper)
	if !sleeper.proc.Alive() {
		x, _ := sleeper.proc.ExitStatus(ctx)
		sleeper.Ended = x.String()
	} else if st, err := proc.Live().Stat(sleeper.PID); err == nil {
		sleeper.TTYAfter = proc.TTYName(st.TTY)
	}
	return d.Session, nil
}

func killed(ctx context.Context, opts Options) (Session, error) {
	d, err := start(ctx, opts)
	if err != nil {
		return Session{}, err
	}
	defer d.close()
	if err := d.suspend(ctx); err != nil {
		return d.Session, err
	}
	d.Transcript = d.sh.Since(d.begin)
	if err := d.sh.Signal(syscall.SIGKILL); err != nil {
		return d.Session, err
	}
	if err := d.shellGone(ctx); err != nil {
		return d.Session, err
	}
	return d.Session, d.ended(ctx, d.Jobs[0])
}

// demo is one shell being typed into.
type demo struct {
	Session
	sh     *shell.Shell
	log    *shell.EventLog
	goW    *os.File
	begin  shell.Mark
	tostop bool
}

func start(ctx context.Context, opts Options) (*demo, error) {
	goR, goW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	store := opts.Registry
	if store == nil {
		if s, err := registry.Default(); err == nil {
			store = &s
		}
	}
	sh, err := shell.Start(ctx, shell.Options{Shell: opts.Shell, Files: []*os.File{goR}, Registry: store})
	goR.Close()
	if err != nil {
		goW.Close()
		return nil, err
	}
	d := &demo{sh: sh, log: sh.Log(), goW: goW, begin: sh.Mark()}
	d.Shell, d.TTY = sh.Name, sh.TTY
	d.NoBash = opts.Shell == "" && sh.Name != "bash"
	// The transcript starts at the first prompt, which Start has waited for.
	d.begin -= shell.Mark(len(shell.Prompt))
	return d, nil
}

// close ends whatever is left: the go-ahead pipe (a job still waiting for
// it ends), the shell, then, with SIGKILL, any job still there (stopped or
// not: this is tidying up, not the lesson), and waits until every process
// that held the event pipe is gone.
func (d *demo) close() {
	d.goW.Close()
	d.sh.Close()
	for _, j := range d.Jobs {
		if j.proc.Alive() {
			j.proc.Signal(unix.SIGKILL)
		}
		j.proc.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d.log.WaitClosed(ctx)
}

// startJob types the job's command and waits for the job to report.
func (d *demo) startJob(ctx context.Context, role string, front bool) (*Job, error) {
	cmd := "dlab __" + role
	if !front {
		cmd += " &"
	}
	j := &Job{Command: cmd, Front: front, Tostop: d.tostop}
	m := d.sh.Mark()
	if err := d.sh.Type(cmd); err != nil {
		return nil, err
	}
	// Every job of the demo has the same role as some other: the new one is
	// the one with a PID not seen yet.
	e, err := d.log.Wait(ctx, cmd+" to start", func(e event.Event) bool {
		return e.Role == role && e.Kind == "ready" && d.job(e.PID) == nil
	})
	if err != nil {
		return nil, err
	}
	j.PID = e.PID
	if j.proc, err = pidfd.Open(e.PID, e.StartTime); err != nil {
		return nil, err
	}
	d.Jobs = append(d.Jobs, j)
	if !front {
		// bash says "[1] PID" and shows the next prompt.
		if err := d.sh.WaitPrompt(ctx, m); err != nil {
			return j, err
		}
	}
	return j, nil
}

func (d *demo) job(pid int) *Job {
	for _, j := range d.Jobs {
		if j.PID == pid {
			return j
		}
	}
	return nil
}

// background starts role in the background, lets it read or write, and
// waits for it to stop (wantStop) or to finish; then types an empty line,
// at which the shell reports what became of the job before its prompt.
func (d *demo) background(ctx context.Context, role string, wantStop bool) error {
	j, err := d.startJob(ctx, role, false)
	if err != nil {
		return err
	}
	if _, err := d.goW.Write([]byte{1}); err != nil {
		return err
	}
	if wantStop {
		if err := d.waitStopped(ctx, j); err != nil {
			return err
		}
	} else if err := d.finished(ctx, j); err != nil {
		return err
	}
	_, err = d.sh.Run(ctx, "")
	return err
}

// jobsList types `jobs -l`, where the shell says which signal stopped each
// job: bash's notification at the prompt says only "Stopped", its jobs
// list says "Stopped (tty input)"; dash says it in both.
func (d *demo) jobsList(ctx context.Context) error {
	out, err := d.sh.Run(ctx, "jobs -l")
	if err != nil {
		return err
	}
	for _, j := range d.Jobs {
		if j.Stopped {
			j.ShellSaid, j.StopSignal = StopReport(JobLine(out, j.PID))
		}
	}
	return nil
}

// suspend starts `dlab __sleep` in the foreground and types ^Z.
func (d *demo) suspend(ctx context.Context) error {
	m := d.sh.Mark()
	j, err := d.startJob(ctx, roleSleep, true)
	if err != nil {
		return err
	}
	if err := d.sh.Press(shell.Suspend); err != nil {
		return err
	}
	if err := d.sh.WaitPrompt(ctx, m); err != nil {
		return err
	}
	return d.waitStopped(ctx, j)
}

// waitStopped waits until /proc shows every thread of j stopped (state
// T). The job, dlab in Go, has several threads, and the stop is complete
// only once the last one has stopped: until then wait(2) doesn't report it
// to the shell, and a shell that asks at its next prompt (dash) would have
// nothing to say.
func (d *demo) waitStopped(ctx context.Context, j *Job) error {
	fs := proc.Live()
	err := poll(ctx, func() bool {
		tids, err := fs.Tasks(j.PID)
		if err != nil || len(tids) == 0 {
			return false
		}
		for _, tid := range tids {
			if st, err := fs.Stat(tid); err != nil || st.State != 'T' {
				return false
			}
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("%s was not stopped: %w", j.Command, err)
	}
	j.Stopped = true
	return nil
}

// finished waits until the writer j has written, exited, and been reaped
// by the shell, so that the shell reports it ("Done") at its next prompt.
func (d *demo) finished(ctx context.Context, j *Job) error {
	if _, err := d.log.Wait(ctx, j.Command+" to write", shell.Of(roleWrite, "wrote", j.PID)); err != nil {
		return err
	}
	j.Output = Written
	x, err := j.proc.ExitStatus(ctx)
	if err != nil {
		return fmt.Errorf("%s did not end: %w", j.Command, err)
	}
	j.Ended = x.String()
	if d.Shell != "bash" {
		// dash reaps its jobs only when it next reads a command.
		return nil
	}
	// bash reaps on SIGCHLD, as it comes.
	err = poll(ctx, func() bool {
		st, err := proc.Live().Stat(j.PID)
		return errors.Is(err, proc.ErrGone) || (err == nil && st.StartTime != j.proc.StartTime)
	})
	if err != nil {
		return fmt.Errorf("the shell did not reap %s: %w", j.Command, err)
	}
	return nil
}

// ended waits until the sleeping job j has died of a signal, and records
// the signals it reported and how it ended.
func (d *demo) ended(ctx context.Context, j *Job) error {
	// Its last word before it dies; every signal it reported came before.
	if _, err := d.log.Wait(ctx, j.Command+" to end", shell.Of(roleSleep, "dying", j.PID)); err != nil {
		return err
	}
	x, err := j.proc.ExitStatus(ctx)
	if err != nil {
		return fmt.Errorf("%s did not end: %w", j.Command, err)
	}
	j.Ended = x.String()
	j.Signals = d.signalsOf(j)
	return nil
}

// signalsOf lists the signals j reported so far. Those that were pending
// together when a stopped job woke up reach it in no order that says which
// was sent first: SIGCONT is put last, as the shell and the kernel send it.
func (d *demo) signalsOf(j *Job) []string {
	var sigs []string
	for _, e := range d.log.Seen() {
		if e.PID == j.PID && e.Kind == "signal" {
			sigs = append(sigs, e.Fields["signal"])
		}
	}
	slices.SortStableFunc(sigs, func(a, b string) int {
		return cmp.Compare(b2i(a == "SIGCONT"), b2i(b == "SIGCONT"))
	})
	return sigs
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// shellGone waits for the shell to end.
func (d *demo) shellGone(ctx context.Context) error {
	select {
	case <-d.sh.Exited():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the shell did not end: %w", ctx.Err())
	}
}

// poll checks ok until it holds or ctx ends. What it waits for (a job
// stopping, the shell reaping one) is a change in another process that no
// descriptor of ours is told about; /proc is where it shows.
func poll(ctx context.Context, ok func() bool) error {
	for delay := 100 * time.Microsecond; !ok(); delay = min(2*delay, 10*time.Millisecond) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
	}
	return nil
}

// stopWords are strsignal(3)'s names of the stop signals, which bash and
// dash print when a job stops.
var stopWords = map[string]string{
	"Stopped":              "SIGTSTP",
	"Stopped (tty input)":  "SIGTTIN",
	"Stopped (tty output)": "SIGTTOU",
	"Stopped (signal)":     "SIGSTOP",
}

var stopLine = regexp.MustCompile(`Stopped( \((tty input|tty output|signal)\))?`)

// JobLine is the line of a `jobs -l` listing about the job with pid.
func JobLine(list string, pid int) string {
	for _, l := range strings.Split(list, "\n") {
		if slices.Contains(strings.Fields(l), strconv.Itoa(pid)) {
			return l
		}
	}
	return ""
}

// StopReport finds the shell's report of a stopped job in what the terminal
// showed ("[1]+  Stopped (tty input)  dlab __read-terminal") and returns its
// words and the signal they name; "", "" when there is none.
func StopReport(out string) (said, signal string) {
	w := stopLine.FindString(out)
	return w, stopWords[w]
}
