// Package normal starts the demo normal process: a program typed as a job
// into a real interactive shell (bash -i, else sh -i; package shell) on a
// fresh pseudo-terminal.
//
//	dlab (holds the master side, like a terminal window)
//	 └─ bash -i   session leader, controlling process of the terminal
//	     └─ dlab __normal-program   a job: own process group, the terminal's
//	                                foreground group unless typed with &
//
// So the program has what the lesson says a normal process has: a
// controlling terminal (a pts), a parent that is the session's shell, a
// process group that the shell made the terminal's foreground group, and
// stdio on the terminal. Typing ^C on the master makes the terminal driver
// send SIGINT to the foreground group; closing the master hangs the
// terminal up, and what follows is what the machine's own shell does.
//
// RunHere does the same in the user's own terminal, with dlab in the role
// of the shell that starts the job.
package normal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/registry"
	"dlab/demos/launch/shell"

	"golang.org/x/sys/unix"
)

// DefaultLifetime bounds how long the demo normal process runs.
const DefaultLifetime = time.Hour

// Options configure Start.
type Options struct {
	// Report makes the program catch and report ^C, ^Z, ^\, SIGHUP, SIGTERM,
	// SIGWINCH and SIGCONT, then act as the default action would. Without
	// it, it catches nothing (see runProgram).
	Report bool
	// Resume makes dlab type fg when the program stops (TypeAndWait), as a
	// student would to get it back. Without it, a stopped program stays
	// stopped, and the shell shows its prompt.
	Resume bool
	// Background types the program with &, as a background job: the
	// shell keeps the terminal's foreground. Not with Report, whose program
	// reads the terminal (a background job that does is stopped, SIGTTIN).
	Background bool
	// Shell is the shell to type it into, "bash" or "sh"; empty: bash if
	// installed, else sh.
	Shell string
	// Lifetime after which the program ends by itself. Default: one hour.
	Lifetime time.Duration
	// Cols and Rows are the terminal's initial size. Default: 80x24.
	Cols, Rows uint16
	// Registry records the program and the shell. Default: this user's.
	Registry *registry.Store
	// OnEvent, if set, is called with each event as it arrives.
	OnEvent func(Event)
	// Screen, if set, receives what the terminal shows, as it is shown.
	Screen io.Writer
}

// Process is a running demo normal process.
type Process struct {
	PID             int    `json:"pid"` // the program
	StartTime       uint64 `json:"start_time"`
	LeaderPID       int    `json:"leader_pid"` // the shell, the session leader
	LeaderStartTime uint64 `json:"leader_start_time"`
	Shell           string `json:"shell"` // "bash" or "sh"
	TTY             string `json:"tty"`   // "pts/N"
	Self            View   `json:"self"`  // how the program saw itself when ready
	Command         string `json:"command"`

	sh *shell.Shell
	// watch is a pidfd on the program, open from the moment it is ready:
	// the program is the shell's child, not dlab's, and its exit status
	// reaches dlab through the pidfd (or its zombie's stat).
	watch  *pidfd.Process
	store  registry.Store
	resume bool

	eventsDone chan struct{} // closed when every writer of the events pipe is gone
	ended      chan struct{} // closed once the program's end is known

	stopOnce sync.Once
	stopErr  error

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on each event
	events  []Event
	how     string
	onEvent func(Event)
}

// Start starts a real interactive shell on a fresh pseudo-terminal, types
// the program's command line into it, and returns once the program says it
// is ready (its signal dispositions are in place).
func Start(ctx context.Context, opts Options) (*Process, error) {
	if opts.Lifetime <= 0 {
		opts.Lifetime = DefaultLifetime
	}
	if opts.Report && opts.Background {
		return nil, errors.New("the reporting program reads the terminal: it can't run in the background")
	}
	store, err := storeOf(opts)
	if err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	// The shell is recorded as it starts, before it says a word: a dlab
	// killed a moment later leaves nothing 'dlab demo cleanup' doesn't
	// know. What it runs holds the lifeline (package lifeline), and dlab's
	// death closes the master: a hang-up.
	// The shell starts where dlab runs, as the shell of a new terminal
	// starts where it was opened: the program inherits that directory.
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("cannot read dlab's working directory: %w", err)
	}
	sh, err := shell.Start(ctx, shell.Options{Shell: opts.Shell, Cols: opts.Cols, Rows: opts.Rows, Registry: &store, Output: opts.Screen, Dir: wd})
	if err != nil {
		return nil, fmt.Errorf("cannot start the demo normal process's shell: %w", err)
	}
	p := &Process{
		LeaderPID: sh.PID, LeaderStartTime: sh.StartTime, Shell: sh.Name, TTY: sh.TTY, sh: sh, store: store,
		resume: opts.Resume, eventsDone: make(chan struct{}), ended: make(chan struct{}),
		changed: make(chan struct{}), onEvent: opts.OnEvent,
	}
	ready := make(chan View, 1)
	go p.readEvents(ready)

	a := roleArgs{Report: opts.Report, Lifetime: opts.Lifetime, EventsFD: shell.EventsFD}
	p.Command = "dlab __normal-program " + strings.Join(a.flags(), " ")
	if opts.Background {
		p.Command += " &"
	}
	mark := sh.Mark()
	if err := sh.Type(p.Command); err != nil {
		p.Stop()
		return nil, err
	}
	select {
	case v := <-ready:
		p.PID, p.StartTime, p.Self = v.PID, v.StartTime, v
		// Held from now on: its status is read through it when it ends.
		h, err := pidfd.Open(p.PID, p.StartTime)
		if err != nil {
			p.Stop()
			return nil, fmt.Errorf("the demo normal process ended as soon as it started: %w", err)
		}
		p.watch = h
		go p.watchEnd()
		// A background job: the shell is back at its prompt.
		if opts.Background {
			if err := sh.WaitPrompt(ctx, mark); err != nil {
				p.Stop()
				return nil, err
			}
		}
	case <-p.eventsDone:
		p.Stop()
		return nil, fmt.Errorf("the demo normal process did not start; its terminal showed %q", p.Output())
	case <-ctx.Done():
		p.Stop()
		return nil, fmt.Errorf("the demo normal process did not start (its terminal showed %q): %w", p.Output(), ctx.Err())
	}
	e := registry.Entry{PID: p.PID, StartTime: p.StartTime, Kind: "normal", Run: registry.RunID(), Owner: registry.Self()}
	if err := store.Add(e); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

func storeOf(opts Options) (registry.Store, error) {
	if opts.Registry != nil {
		return *opts.Registry, nil
	}
	return registry.Default()
}

// watchEnd reads how the program ended, once it has.
func (p *Process) watchEnd() {
	<-p.watch.Exited()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	exit, _ := p.watch.ExitStatus(ctx)
	p.mu.Lock()
	p.how = exit.String()
	p.notifyLocked()
	p.mu.Unlock()
	close(p.ended)
}

// readEvents collects what the program reports until every process
// holding the events pipe (the shell and the program) is gone.
func (p *Process) readEvents(ready chan<- View) {
	defer close(p.eventsDone)
	for ev := range p.sh.Events {
		var e Event
		if ev.Decode(&e) != nil {
			continue
		}
		p.mu.Lock()
		p.events = append(p.events, e)
		onEvent := p.onEvent
		p.notifyLocked()
		p.mu.Unlock()
		if e.Kind == "ready" && e.Self != nil {
			select {
			case ready <- *e.Self:
			default:
			}
		}
		if onEvent != nil {
			onEvent(e)
		}
	}
}

// notifyLocked wakes every WaitEvent and WaitOutput; p.mu is held.
func (p *Process) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// WaitEvent waits for an event of which match is true and returns it. It
// wakes on each new event, not on a timer.
func (p *Process) WaitEvent(ctx context.Context, match func(Event) bool) (Event, error) {
	seen := 0
	for {
		p.mu.Lock()
		events, changed := p.events[seen:], p.changed
		seen = len(p.events)
		p.mu.Unlock()
		for _, e := range events {
			if match(e) {
				return e, nil
			}
		}
		select {
		case <-changed:
		case <-p.eventsDone:
			if seen == len(p.EventLog()) {
				return Event{}, errors.New("the demo normal process ended without that event")
			}
		case <-ctx.Done():
			return Event{}, fmt.Errorf("no such event from the demo normal process: %w", ctx.Err())
		}
	}
}

// WaitOutput waits until the terminal has shown substr, and returns what it
// has shown.
func (p *Process) WaitOutput(ctx context.Context, substr string) (string, error) {
	err := p.sh.WaitOutput(ctx, 0, func(out string) bool { return strings.Contains(out, substr) })
	if err != nil {
		return p.Output(), fmt.Errorf("the demo terminal never showed %q: %w", substr, err)
	}
	return p.Output(), nil
}

// Events lists what the program reported, one line each.
func (p *Process) Events() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, len(p.events))
	for i, e := range p.events {
		out[i] = e.String()
	}
	return out
}

// EventLog returns the events themselves.
func (p *Process) EventLog() []Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Event(nil), p.events...)
}

// Output is what the terminal has shown (the master's side), up to 64 KiB:
// the shell's prompts, the command typed, what the shell and the program
// wrote.
func (p *Process) Output() string { return p.sh.Transcript() }

// Type writes s to the master side, as if typed on the terminal.
func (p *Process) Type(s string) error {
	if err := p.sh.Write([]byte(s)); err != nil {
		return fmt.Errorf("cannot type on the demo terminal: %w", err)
	}
	return nil
}

// TypeAndWait types s on the terminal as a person would, waiting after each
// piece for the program to take it: plain text until the program has
// reported reading it, and each ^C, ^Z or ^\ until the program has reported
// the signal. Typed all at once, two ^C would merge into one pending SIGINT
// (standard signals don't queue), and a ^C would flush the text typed before
// it. With Resume, after a ^Z it waits for the shell's prompt and types fg.
// It is for the reporting program, which reports every key and every
// signal; the plain one does neither.
func (p *Process) TypeAndWait(ctx context.Context, s string) error {
	signalOf := map[byte]string{
		p.sh.Char(shell.Interrupt): "SIGINT", p.sh.Char(shell.Suspend): "SIGTSTP", p.sh.Char(shell.Quit): "SIGQUIT",
	}
	for len(s) > 0 {
		n := strings.IndexFunc(s, func(r rune) bool { _, ok := signalOf[byte(r)]; return r < 0x80 && ok })
		var piece, sig string
		switch {
		case n < 0:
			piece = s
		case n == 0:
			piece, sig = s[:1], signalOf[s[0]]
		default:
			piece = s[:n]
		}
		s = s[len(piece):]
		if err := p.typeOne(ctx, piece, sig); err != nil {
			return err
		}
	}
	return nil
}

// typeTimeout bounds each wait of TypeAndWait.
const typeTimeout = 5 * time.Second

// typeOne types one piece and waits for the program's report of it: of the
// signal sig, or of reading the piece's bytes.
func (p *Process) typeOne(ctx context.Context, piece, sig string) error {
	ctx, cancel := context.WithTimeout(ctx, typeTimeout)
	defer cancel()
	taken := func() int { return p.tally(sig) }
	want := taken() + 1
	if sig == "" {
		want = taken() + len(piece)
	}
	mark := p.sh.Mark()
	if err := p.Type(piece); err != nil {
		return err
	}
	_, err := p.WaitEvent(ctx, func(Event) bool { return taken() >= want })
	select {
	case <-p.ended:
		return nil // it ended on what was typed (q): nothing more to take
	default:
	}
	if err != nil {
		return fmt.Errorf("the demo program did not take what was typed: %w", err)
	}
	if sig == "SIGTSTP" && p.resume {
		return p.fg(ctx, mark)
	}
	return nil
}

// fg waits for the shell to say the job stopped and give its prompt back
// (after mark), then types fg, as a student does, and waits for the
// program to say it runs again.
func (p *Process) fg(ctx context.Context, mark shell.Mark) error {
	if err := p.sh.WaitPrompt(ctx, mark); err != nil {
		return fmt.Errorf("the shell did not take the stopped job back: %w", err)
	}
	conts := p.tally("SIGCONT")
	if err := p.sh.Type("fg"); err != nil {
		return err
	}
	if _, err := p.WaitEvent(ctx, func(Event) bool { return p.tally("SIGCONT") > conts }); err != nil {
		return fmt.Errorf("fg did not resume the demo program: %w", err)
	}
	return nil
}

// tally counts the program's reports of sig, or the bytes it reported
// reading when sig is "".
func (p *Process) tally(sig string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, e := range p.events {
		switch {
		case e.From != "program":
		case sig == "" && e.Kind == "key":
			n += e.Bytes
		case sig != "" && e.Kind == "signal" && e.Signal == sig:
			n++
		}
	}
	return n
}

// TypeInterrupt types the terminal's interrupt character (VINTR, normally
// ^C): the terminal driver, not dlab, sends SIGINT to the foreground group.
func (p *Process) TypeInterrupt() error { return p.sh.Press(shell.Interrupt) }

// TypeSuspend types the suspend character (VSUSP, normally ^Z): SIGTSTP.
func (p *Process) TypeSuspend() error { return p.sh.Press(shell.Suspend) }

// Resize changes the terminal's size: the kernel sends SIGWINCH to the
// foreground group.
func (p *Process) Resize(cols, rows uint16) error { return p.sh.Resize(cols, rows) }

// Hangup closes the master side, as closing a terminal window does: the
// kernel hangs the terminal up and sends SIGHUP (and SIGCONT) to the
// session leader, the shell. What the shell does next is the shell's.
func (p *Process) Hangup() error {
	p.sh.HangUp()
	return nil
}

// Run types line at the shell's prompt, as a student would, and returns
// what the terminal showed until the next prompt: for a background job,
// whose shell is at its prompt ("jobs -l").
func (p *Process) Run(ctx context.Context, line string) (string, error) {
	return p.sh.Run(ctx, line)
}

// ShellExited is closed when the shell has ended.
func (p *Process) ShellExited() <-chan struct{} { return p.sh.Exited() }

// ShellEnd says how the shell ended ("killed by SIGHUP"), as its parent,
// dlab, learned from wait(2); "" while it runs.
func (p *Process) ShellEnd() string {
	st := p.sh.ExitState()
	if st == nil {
		return ""
	}
	ws, _ := st.Sys().(syscall.WaitStatus)
	return pidfd.Exit{Status: unix.WaitStatus(ws), Known: true}.String()
}

// Signal sends sig to the program through a pidfd, checked against its
// start time.
func (p *Process) Signal(sig syscall.Signal) error {
	if p.watch == nil {
		return proc.ErrGone
	}
	return p.watch.Signal(sig)
}

// Ending reports whether the program has said it is ending (q, a second
// ^C, a hang-up ...), although its end may not be reported yet.
func (p *Process) Ending() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.events {
		if e.From == "program" && e.Final {
			return true
		}
	}
	return false
}

// WaitExit waits until the program has ended and says how, as the kernel
// kept it for its parent: "killed by SIGINT", "exited with status 0".
func (p *Process) WaitExit(ctx context.Context) (string, error) {
	select {
	case <-p.ended:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.how, nil
	case <-ctx.Done():
		return "", fmt.Errorf("the demo normal process is still running: %w", ctx.Err())
	}
}

// Stop ends the program and the shell, closes the terminal and forgets
// them in the registry. Calling it again does nothing more.
func (p *Process) Stop() error {
	p.stopOnce.Do(func() { p.stopErr = p.stop() })
	return p.stopErr
}

func (p *Process) stop() error {
	var errs []error
	if p.watch != nil {
		// A program that has already ended is what Stop wants.
		if err := p.watch.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, proc.ErrGone) {
			errs = append(errs, fmt.Errorf("cannot kill the demo normal process %d: %w", p.PID, err))
		}
	}
	// The hang-up ends the shell (and a program that never said it was
	// ready); Close kills a shell that outlives it.
	p.sh.Close()
	// Every holder of the events pipe is gone now, unless a job survived
	// the shell's end (dash passes no SIGHUP on to a background job) and
	// never said it was ready: then the lifeline ends it with dlab.
	select {
	case <-p.eventsDone:
	case <-time.After(2 * time.Second):
	}
	if p.watch != nil {
		<-p.ended
		p.watch.Close()
		if err := p.store.Remove(p.PID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// HangupOutcome is what a hang-up did, as dlab observed it.
type HangupOutcome struct {
	Shell    string `json:"shell"`     // "bash" or "sh"
	ShellEnd string `json:"shell_end"` // "killed by SIGHUP", as dlab, its parent, saw it
	// Program is how the program ended ("killed by SIGHUP"), or "" if it
	// survived the shell's end.
	Program string `json:"program"`
}

// Survived reports whether the program outlived the hang-up.
func (o HangupOutcome) Survived() bool { return o.Program == "" }

// HangupAndWatch closes the terminal, waits for the shell to end, and then
// for the program, if a signal is on its way to it: a SIGHUP the shell sent
// before it exited is pending by then (or the program is already dying,
// SIGKILL pending in its threads, or gone). No one else sends a background
// job SIGHUP: the kernel's hang-up reaches the controlling process and,
// once that exits, the foreground group only. A job with nothing pending
// once the shell is gone has survived.
func (p *Process) HangupAndWatch(ctx context.Context) (HangupOutcome, error) {
	p.Hangup()
	select {
	case <-p.sh.Exited():
	case <-ctx.Done():
		return HangupOutcome{}, fmt.Errorf("the shell did not end at the hang-up: %w", ctx.Err())
	}
	o := HangupOutcome{Shell: p.Shell, ShellEnd: p.ShellEnd()}
	if p.signalOnItsWay() {
		how, err := p.WaitExit(ctx)
		if err != nil {
			return o, err
		}
		o.Program = how
	}
	return o, nil
}

// signalOnItsWay reports whether the program has ended, or has a SIGHUP
// pending or is dying of one.
func (p *Process) signalOnItsWay() bool {
	select {
	case <-p.ended:
		return true
	default:
	}
	return proc.Live().Ending(p.PID, p.StartTime, unix.SIGHUP)
}
