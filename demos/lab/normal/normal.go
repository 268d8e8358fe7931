// Package normal starts the demo normal process: a program running as the
// foreground job of an interactive session on a fresh pseudo-terminal.
//
//	dlab (holds the master side, like a terminal window)
//	 └─ dlab __normal-leader   session leader, controlling process (a shell)
//	     └─ dlab __normal-program   own process group = the terminal's foreground group
//
// So the program has what the lesson says a normal process has: a
// controlling terminal (a pts), a parent that is the session's shell-like
// leader, a process group that is the terminal's foreground group, and stdio
// on the terminal. Typing ^C on the master makes the terminal driver send
// SIGINT to the foreground group; closing the master hangs the terminal up.
//
// RunHere does the same in the user's own terminal, with dlab in the role
// of the shell that starts the job.
package normal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/event"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
	"dlab/demos/launch/term"

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
	// Resume makes the leader resume the program with SIGCONT when it
	// stops, as fg would. Without it, a stopped program stays stopped.
	Resume bool
	// Lifetime after which the program ends by itself. Default: one hour.
	Lifetime time.Duration
	// Cols and Rows are the terminal's initial size. Default: 80x24.
	Cols, Rows uint16
	// Registry records the program and the leader. Default: this user's.
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
	LeaderPID       int    `json:"leader_pid"` // the session leader
	LeaderStartTime uint64 `json:"leader_start_time"`
	TTY             string `json:"tty"`  // "pts/N"
	Self            View   `json:"self"` // how the program saw itself when ready

	master *os.File
	leader *exec.Cmd
	// watch is a pidfd on the program, open from the moment it is ready:
	// should the leader die, a PID 1 that reaps at once (tini, bash in a
	// container) would otherwise take the program's exit status with it.
	watch  *pidfd.Process
	screen io.Writer
	store  registry.Store

	leaderDone chan struct{} // closed when the leader has been reaped
	eventsDone chan struct{} // closed when every writer of the events pipe is gone
	ended      chan struct{} // closed on the "ended" event

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on each event and each output
	events  []Event
	how     string
	output  bytes.Buffer
	closed  bool
	onEvent func(Event)
}

// maxOutput bounds what Output keeps of the terminal's screen.
const maxOutput = 64 << 10

// Start launches the leader on a fresh pseudo-terminal and returns once the
// program says it is ready (its signal dispositions are in place).
func Start(ctx context.Context, opts Options) (*Process, error) {
	if opts.Lifetime <= 0 {
		opts.Lifetime = DefaultLifetime
	}
	if opts.Cols == 0 || opts.Rows == 0 {
		opts.Cols, opts.Rows = 80, 24
	}
	store, err := storeOf(opts)
	if err != nil {
		return nil, err
	}
	master, slave, err := term.Open(opts.Cols, opts.Rows)
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		master.Close()
		return nil, err
	}
	a := roleArgs{Report: opts.Report, Resume: opts.Resume, Lifetime: opts.Lifetime, EventsFD: 3}
	cmd, err := reexec.Command("normal-leader", a.flags()...)
	if err != nil {
		master.Close()
		r.Close()
		w.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.ExtraFiles = []*os.File{w}
	// A new session whose controlling terminal is the pts: Setctty needs
	// Setsid, and Ctty is the child's fd (0).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	err = cmd.Start()
	w.Close()
	slave.Close() // the session holds it now
	if err != nil {
		master.Close()
		r.Close()
		return nil, fmt.Errorf("cannot start the demo session leader: %w", err)
	}
	// Recorded before it says a word: a dlab killed a moment later leaves
	// nothing `dlab demo cleanup` doesn't know. The program the leader
	// starts holds the lifeline (package lifeline) and the terminal: the
	// leader's death hangs it up.
	leaderEntry, _ := store.Started(cmd.Process.Pid, registry.Entry{Kind: "normal-leader", Run: registry.RunID(), Owner: registry.Self()})
	p := &Process{
		LeaderPID: cmd.Process.Pid, TTY: term.Name(slave), master: master, leader: cmd, store: store,
		leaderDone: make(chan struct{}), eventsDone: make(chan struct{}), ended: make(chan struct{}),
		changed: make(chan struct{}), onEvent: opts.OnEvent, screen: opts.Screen,
	}
	go func() { cmd.Wait(); store.Forget(leaderEntry); close(p.leaderDone) }()
	go p.readScreen()
	ready := make(chan View, 1)
	go p.readEvents(r, ready)

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	select {
	case v := <-ready:
		p.PID, p.StartTime, p.Self = v.PID, v.StartTime, v
		// The leader waits for the program, so it can't have been reaped
		// by anyone else yet.
		if h, err := pidfd.Open(p.PID, p.StartTime); err == nil {
			p.watch = h
		}
	case <-p.eventsDone:
		p.Stop()
		return nil, fmt.Errorf("the demo normal process did not start: %s", p.lastWords())
	case <-ctx.Done():
		p.Stop()
		return nil, fmt.Errorf("the demo normal process did not start: %w", ctx.Err())
	}
	if st, err := proc.Live().Stat(p.LeaderPID); err == nil {
		p.LeaderStartTime = st.StartTime
	}
	owner := registry.Self()
	for _, e := range []registry.Entry{
		{PID: p.PID, StartTime: p.StartTime, Kind: "normal", Run: registry.RunID(), Owner: owner},
		{PID: p.LeaderPID, StartTime: p.LeaderStartTime, Kind: "normal-leader", Run: registry.RunID(), Owner: owner},
	} {
		if err := store.Add(e); err != nil {
			p.Stop()
			return nil, err
		}
	}
	return p, nil
}

func storeOf(opts Options) (registry.Store, error) {
	if opts.Registry != nil {
		return *opts.Registry, nil
	}
	return registry.Default()
}

// readScreen keeps what the terminal shows (the master's output), so the
// program never blocks on a full terminal.
func (p *Process) readScreen() {
	buf := make([]byte, 4096)
	for {
		n, err := p.master.Read(buf)
		p.mu.Lock()
		p.output.Write(buf[:n])
		if p.output.Len() > maxOutput {
			p.output.Next(p.output.Len() - maxOutput)
		}
		p.notifyLocked()
		p.mu.Unlock()
		if p.screen != nil && n > 0 {
			p.screen.Write(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

// readEvents collects the events of the program and the leader until both
// are gone.
func (p *Process) readEvents(r *os.File, ready chan<- View) {
	defer close(p.eventsDone)
	defer r.Close()
	event.Read(context.Background(), r, func(ev event.Event) error {
		var e Event
		if ev.Decode(&e) != nil {
			return nil
		}
		p.mu.Lock()
		p.events = append(p.events, e)
		if e.From == "leader" && e.Kind == "ended" && p.how == "" {
			p.how = e.How
			close(p.ended)
		}
		onEvent := p.onEvent
		p.notifyLocked()
		p.mu.Unlock()
		if e.Kind == "ready" && e.Self != nil {
			ready <- *e.Self
		}
		if onEvent != nil {
			onEvent(e)
		}
		return nil
	})
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
	for {
		p.mu.Lock()
		out, changed := p.output.String(), p.changed
		p.mu.Unlock()
		if strings.Contains(out, substr) {
			return out, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return out, fmt.Errorf("the demo terminal never showed %q: %w", substr, ctx.Err())
		}
	}
}

func (p *Process) lastWords() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.events) > 0 {
		return p.events[len(p.events)-1].Text
	}
	return "its processes ended without a word"
}

// Events lists what the program and the leader reported, one line each.
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

// Output is what the terminal has shown (the master's side), up to 64 KiB.
func (p *Process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.String()
}

// Type writes s to the master side, as if typed on the terminal.
func (p *Process) Type(s string) error {
	_, err := p.master.Write([]byte(s))
	if err != nil {
		return fmt.Errorf("cannot type on the demo terminal: %w", err)
	}
	return nil
}

// TypeAndWait types s on the terminal as a person would, waiting after each
// piece for the program to take it: plain text until the program has
// reported reading it, and each ^C, ^Z or ^\ until the program has reported
// the signal. Typed all at once, two ^C would merge into one pending SIGINT
// (standard signals don't queue), and a ^C would flush the text typed before
// it. It is for the reporting program, which reports every key and every
// signal; the plain one does neither.
func (p *Process) TypeAndWait(ctx context.Context, s string) error {
	cc, err := p.controlChars()
	if err != nil {
		return err
	}
	signalOf := map[byte]string{cc[unix.VINTR]: "SIGINT", cc[unix.VSUSP]: "SIGTSTP", cc[unix.VQUIT]: "SIGQUIT"}
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
func (p *Process) TypeInterrupt() error { return p.typeControl(unix.VINTR) }

// TypeSuspend types the suspend character (VSUSP, normally ^Z): SIGTSTP.
func (p *Process) TypeSuspend() error { return p.typeControl(unix.VSUSP) }

func (p *Process) typeControl(which int) error {
	cc, err := p.controlChars()
	if err != nil {
		return err
	}
	return p.Type(string([]byte{cc[which]}))
}

// controlChars reads the terminal's special characters (c_cc): the master
// answers TCGETS with the terminal's settings.
func (p *Process) controlChars() ([]byte, error) {
	var cc []byte
	var terr error
	rc, err := p.master.SyscallConn()
	if err != nil {
		return cc, err
	}
	rc.Control(func(fd uintptr) {
		t, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
		if err != nil {
			terr = err
			return
		}
		cc = append(cc, t.Cc[:]...)
	})
	if terr != nil {
		return cc, fmt.Errorf("cannot read the demo terminal's settings: %w", terr)
	}
	return cc, nil
}

// Resize changes the terminal's size: the kernel sends SIGWINCH to the
// foreground group.
func (p *Process) Resize(cols, rows uint16) error {
	rc, err := p.master.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	rc.Control(func(fd uintptr) {
		serr = unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: rows})
	})
	return serr
}

// Hangup closes the master side, as closing a terminal window does: the
// kernel hangs the terminal up and sends SIGHUP (and SIGCONT) to the
// session leader, the controlling process.
func (p *Process) Hangup() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	return p.master.Close()
}

// Signal sends sig to the program through a pidfd, checked against its
// start time.
func (p *Process) Signal(sig syscall.Signal) error {
	h, release, err := p.hold()
	if err != nil {
		return err
	}
	defer release()
	return h.Signal(sig)
}

// hold returns the pidfd Start opened, or a new one (with its release) if
// Start could not open one.
func (p *Process) hold() (*pidfd.Process, func(), error) {
	return pidfd.Borrow(p.watch, p.PID, p.StartTime)
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

// WaitExit waits until the program has ended and says how, as its parent
// (the leader) saw it: "killed by SIGINT", "exited with status 0".
func (p *Process) WaitExit(ctx context.Context) (string, error) {
	select {
	case <-p.ended:
	case <-p.eventsDone:
	case <-ctx.Done():
		return "", fmt.Errorf("the demo normal process is still running: %w", ctx.Err())
	}
	select {
	case <-p.ended:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.how, nil
	default:
		// The leader died without a word (killed with SIGKILL): ask the
		// kernel how the program ended.
		h, release, err := p.hold()
		if errors.Is(err, proc.ErrGone) {
			return "ended", nil
		}
		if err != nil {
			return "", err
		}
		defer release()
		exit, err := h.ExitStatus(ctx)
		return exit.String(), err
	}
}

// Stop ends the program and the leader, closes the terminal and forgets
// them in the registry. Calling it again does nothing.
func (p *Process) Stop() error {
	var errs []error
	if p.PID != 0 {
		// A program that has already ended is what Stop wants.
		if err := p.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, proc.ErrGone) {
			errs = append(errs, fmt.Errorf("cannot kill the demo normal process %d: %w", p.PID, err))
		}
	} else {
		// The program never said it was ready: end the leader, whose
		// death hangs up the terminal and ends the program if it exists.
		if err := p.leader.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			errs = append(errs, fmt.Errorf("cannot kill the demo session leader %d: %w", p.LeaderPID, err))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	select {
	case <-p.leaderDone:
	case <-ctx.Done():
		p.leader.Process.Kill()
		<-p.leaderDone
	}
	if err := p.Hangup(); err != nil && !errors.Is(err, os.ErrClosed) {
		errs = append(errs, fmt.Errorf("cannot close the terminal's master side: %w", err))
	}
	<-p.eventsDone
	if p.PID != 0 {
		if err := p.store.Remove(p.PID); err != nil {
			errs = append(errs, err)
		}
	}
	if err := p.store.Remove(p.LeaderPID); err != nil {
		errs = append(errs, err)
	}
	if p.watch != nil {
		p.watch.Close()
	}
	return errors.Join(errs...)
}
