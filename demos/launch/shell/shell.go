// Package shell runs a real interactive shell, bash -i (else sh -i), on a
// fresh pseudo-terminal, and types into it as a student at a terminal does.
//
// The lessons about job control, the hang-up, nohup and setsid are about
// what a shell does: put each job in a process group of its own, give the
// terminal to the foreground one, pass SIGHUP on to its jobs when the
// terminal goes away (bash does; dash does not). A model of a shell written
// in Go would show what dlab believes a shell does; this shows what the
// machine's own shell does.
//
// The commands typed are dlab's hidden roles, run as `dlab __ROLE ARGS`: a
// private folder holding a link named dlab to this executable comes first
// in the shell's PATH, so the transcript reads as the student would type it.
// The shell gets the event pipe (package event) as fd 3, and passes it on,
// with any Files, to every command it runs: the roles say who they are and
// what happened to them there, and dlab never guesses from the screen.
package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/event"
	"dlab/demos/launch/lifeline"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
	"dlab/demos/launch/term"
	"dlab/demos/launch/tool"

	"golang.org/x/sys/unix"
)

// Prompt is the shell's prompt: what the transcript shows, and how dlab
// knows the shell is waiting for the next line.
const Prompt = "$ "

// EventsFD is the descriptor on which the shell and every command it runs
// find the event pipe; Files follow it, from 4.
const EventsFD = 3

// StopSignal is the signal that ends an interactive shell, for the
// registry: it ignores SIGTERM, and ends on a hang-up's SIGHUP, passing it
// on to its jobs as it would when its window closes.
const StopSignal = "SIGHUP"

// ErrNoShell means neither bash nor sh could be found.
var ErrNoShell = errors.New("no shell found (neither bash nor sh is installed)")

// Options say how to start the shell.
type Options struct {
	// Shell is "bash" or "sh"; empty means bash if installed, else sh.
	Shell string
	// Files are passed to the shell, and by it to every command it runs,
	// as fds 4, 5, ... (fd 3 is the event pipe).
	Files []*os.File
	// Cols and Rows are the terminal's size; 0 means 80x24.
	Cols, Rows uint16
	// Registry, when set, records the shell for 'dlab demo cleanup'.
	Registry *registry.Store
	// Dir is the shell's working directory, where what its commands write
	// (nohup.out) lands; empty means the folder of the dlab link.
	Dir string
	// Output, when set, receives what the terminal shows, as it shows it,
	// carriage returns and all (a screen being relayed to a person).
	Output io.Writer
}

// Shell is a running interactive shell on its own pseudo-terminal.
type Shell struct {
	Name      string // "bash" or "sh", as the lesson names it
	Path      string // the program, /usr/bin/bash
	PID       int
	StartTime uint64
	TTY       string // the terminal, "pts/3"

	// Events carries what the shell's commands say (package event); it is
	// closed when every process holding the pipe is gone.
	Events <-chan event.Event

	master  *os.File
	output  io.Writer
	cmd     *exec.Cmd
	binDir  string
	exited  chan struct{}
	outDone chan struct{}
	entry   registry.Entry
	store   *registry.Store

	mu      sync.Mutex
	screen  []byte        // everything the terminal showed, bounded
	changed chan struct{} // closed and replaced at each new output
	dropped int           // bytes dropped from the front of screen
}

// maxScreen bounds what is kept of the terminal's output.
const maxScreen = 64 << 10

// Find returns the shell to run: want if given, else bash, else sh.
func Find(want string) (name, path string, err error) {
	names := []string{"bash", "sh"}
	if want != "" {
		names = []string{want}
	}
	for _, n := range names {
		if p, ok := tool.Path(n); ok {
			return n, p, nil
		}
	}
	if want != "" {
		return "", "", fmt.Errorf("no %s found: %w", want, ErrNoShell)
	}
	return "", "", ErrNoShell
}

// Start starts the shell as the leader of a new session whose controlling
// terminal is a new pseudo-terminal, as a terminal emulator or sshd starts
// a login shell, and waits for its first prompt.
func Start(ctx context.Context, opts Options) (*Shell, error) {
	name, path, err := Find(opts.Shell)
	if err != nil {
		return nil, err
	}
	s := &Shell{Name: name, Path: path, exited: make(chan struct{}), outDone: make(chan struct{}), changed: make(chan struct{}), store: opts.Registry, output: opts.Output}
	if err := s.makeBin(); err != nil {
		return nil, err
	}
	cols, rows := opts.Cols, opts.Rows
	if cols == 0 || rows == 0 {
		cols, rows = 80, 24
	}
	master, slave, err := term.Open(cols, rows)
	if err != nil {
		s.removeBin()
		return nil, err
	}
	s.master, s.TTY = master, term.Name(slave)
	evR, evW, err := os.Pipe()
	if err != nil {
		slave.Close()
		master.Close()
		s.removeBin()
		return nil, err
	}

	// bash: no start-up files (the student's .bashrc would change what the
	// demo shows), no line editing (plain lines, no escape codes), no
	// history written to the student's ~/.bash_history.
	args := []string{"-i"}
	if name == "bash" {
		args = []string{"--norc", "--noprofile", "--noediting", "+o", "history", "-i"}
	}
	cmd := exec.Command(path, args...)
	cmd.Args[0] = name
	cmd.Dir = s.binDir
	if opts.Dir != "" {
		cmd.Dir = opts.Dir
	}
	cmd.Env = s.env()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.ExtraFiles = append([]*os.File{evW}, opts.Files...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	lifeline.Attach(cmd) // the roles it runs end with this dlab
	err = cmd.Start()
	slave.Close()
	evW.Close()
	if err != nil {
		evR.Close()
		master.Close()
		s.removeBin()
		return nil, fmt.Errorf("cannot start %s: %w", path, err)
	}
	s.cmd, s.PID = cmd, cmd.Process.Pid
	if s.store != nil {
		s.entry, _ = s.store.Started(s.PID, registry.Entry{Kind: "shell", Run: registry.RunID(), Owner: registry.Self(), StopSignal: StopSignal})
	}
	if st, err := proc.Live().Stat(s.PID); err == nil {
		s.StartTime = st.StartTime
	}
	go func() {
		cmd.Wait()
		close(s.exited)
	}()
	go s.read()
	events := make(chan event.Event, 32)
	s.Events = events
	go func() {
		defer close(events)
		defer evR.Close()
		event.Read(context.Background(), evR, func(e event.Event) error {
			events <- e
			return nil
		})
	}()

	// The first prompt: the shell has read its settings and is waiting.
	if err := s.WaitPrompt(ctx, 0); err != nil {
		s.Close()
		return nil, fmt.Errorf("%s did not show its prompt: %w", name, err)
	}
	return s, nil
}

// makeBin makes the folder with the link named dlab, in the run's state
// folder, which 'dlab demo cleanup' removes should dlab be killed.
func (s *Shell) makeBin() error {
	self, err := reexec.Self()
	if err != nil {
		return err
	}
	dir, err := registry.RunDir("shell")
	if err != nil {
		return err
	}
	if err := os.Symlink(self, filepath.Join(dir, "dlab")); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("cannot prepare the demo's shell: %w", err)
	}
	s.binDir = dir
	return nil
}

func (s *Shell) removeBin() {
	if s.binDir != "" {
		os.RemoveAll(s.binDir)
		// The run's folder too, once nothing else of the run is in it.
		os.Remove(filepath.Dir(s.binDir))
	}
}

// env is the shell's environment: the user's, with dlab's folder first in
// PATH, the prompt, a terminal type that asks for no escape codes, and no
// history file.
func (s *Shell) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "PATH", "PS1", "PS2", "TERM", "HISTFILE", "ENV", "PROMPT_COMMAND", "BASH_ENV":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"PATH="+s.binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PS1="+Prompt, "PS2=> ", "TERM=dumb", "HISTFILE=",
	)
}

// read copies the terminal's output into the screen until the master is
// closed or the terminal is gone.
func (s *Shell) read() {
	defer close(s.outDone)
	buf := make([]byte, 4096)
	for {
		n, err := s.master.Read(buf)
		if n > 0 {
			s.mu.Lock()
			s.screen = append(s.screen, buf[:n]...)
			if over := len(s.screen) - maxScreen; over > 0 {
				s.screen = append([]byte(nil), s.screen[over:]...)
				s.dropped += over
			}
			close(s.changed)
			s.changed = make(chan struct{})
			s.mu.Unlock()
			if s.output != nil {
				s.output.Write(buf[:n])
			}
		}
		if err != nil {
			return
		}
	}
}

// Mark is a place in the terminal's output, to wait or read from.
type Mark int

// Mark returns the current end of the output.
func (s *Shell) Mark() Mark {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Mark(s.dropped + len(s.screen))
}

// Since returns what the terminal showed after m, with carriage returns
// removed.
func (s *Shell) Since(m Mark) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := int(m) - s.dropped
	if i < 0 {
		i = 0
	}
	if i > len(s.screen) {
		i = len(s.screen)
	}
	return strings.ReplaceAll(string(s.screen[i:]), "\r", "")
}

// WaitPrompt waits until a prompt shows after m: the shell is waiting for
// the next line.
func (s *Shell) WaitPrompt(ctx context.Context, m Mark) error {
	return s.WaitOutput(ctx, m, func(out string) bool {
		return strings.HasSuffix(out, Prompt) || strings.Contains(out, "\n"+Prompt) || out == Prompt
	})
}

// WaitOutput waits until what the terminal showed after m satisfies ok.
func (s *Shell) WaitOutput(ctx context.Context, m Mark, ok func(string) bool) error {
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		out := s.Since(m)
		if ok(out) {
			return nil
		}
		select {
		case <-changed:
		case <-s.outDone:
			if ok(s.Since(m)) {
				return nil
			}
			return fmt.Errorf("the terminal closed; it showed %q", tail(out, 200))
		case <-ctx.Done():
			return fmt.Errorf("%w; the terminal showed %q", ctx.Err(), tail(out, 200))
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// Type types line and Enter.
func (s *Shell) Type(line string) error {
	if _, err := s.master.Write([]byte(line + "\n")); err != nil {
		return fmt.Errorf("typing %q at the shell: %w", line, err)
	}
	return nil
}

// Run types line and waits for the next prompt.
func (s *Shell) Run(ctx context.Context, line string) (string, error) {
	m := s.Mark()
	if err := s.Type(line); err != nil {
		return "", err
	}
	if err := s.WaitPrompt(ctx, m); err != nil {
		return "", err
	}
	return s.Since(m), nil
}

// Write types b as it is, without Enter: keys one by one, for a program
// that reads the terminal key by key.
func (s *Shell) Write(b []byte) error {
	if _, err := s.master.Write(b); err != nil {
		return fmt.Errorf("typing at the shell's terminal: %w", err)
	}
	return nil
}

// Transcript is everything the terminal showed (up to 64 KiB), carriage
// returns removed.
func (s *Shell) Transcript() string { return s.Since(0) }

// Resize sets the terminal's size, as dragging its window's corner does:
// the kernel sends SIGWINCH to the foreground process group.
func (s *Shell) Resize(cols, rows uint16) error {
	return s.onMaster(func(fd int) error {
		return unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: rows})
	})
}

// onMaster runs f on the master's descriptor. Not through Fd(), which
// would put the master in blocking mode: Close would then wait for the
// reader's read to end, and the hang-up would never come.
func (s *Shell) onMaster(f func(fd int) error) error {
	rc, err := s.master.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// Key is a control character the terminal driver acts on.
type Key int

const (
	Interrupt Key = unix.VINTR // ^C: SIGINT to the foreground process group
	Suspend   Key = unix.VSUSP // ^Z: SIGTSTP to the foreground process group
	Quit      Key = unix.VQUIT // ^\: SIGQUIT
)

// Press types k as a keyboard would: the character the terminal is set to
// use for it (stty shows them), read from the terminal now.
func (s *Shell) Press(k Key) error {
	c := s.Char(k)
	if _, err := s.master.Write([]byte{c}); err != nil {
		return fmt.Errorf("typing ^%c: %w", c+'@', err)
	}
	return nil
}

// Char is the character the terminal is set to use for k now (stty shows
// them; the master answers TCGETS with the terminal's settings): ^C is 3
// unless someone changed it.
func (s *Shell) Char(k Key) byte {
	defaults := map[Key]byte{Interrupt: 3, Suspend: 26, Quit: 28}
	c := defaults[k]
	s.onMaster(func(fd int) error {
		t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
		if err == nil && t.Cc[k] != 0 {
			c = t.Cc[k]
		}
		return err
	})
	return c
}

// HangUp closes the terminal, as closing its window or losing the ssh
// connection does: the kernel sends SIGHUP to the shell, the session's
// controlling process. It returns once the output is read to the end.
func (s *Shell) HangUp() {
	s.master.Close()
	<-s.outDone
}

// Exited is closed when the shell has ended.
func (s *Shell) Exited() <-chan struct{} { return s.exited }

// ExitState is how the shell ended; nil while it runs.
func (s *Shell) ExitState() *os.ProcessState {
	select {
	case <-s.exited:
		return s.cmd.ProcessState
	default:
		return nil
	}
}

// Close ends the shell: it hangs up the terminal (the shell then passes
// SIGHUP on to its jobs, as it would for a closed window), gives it a
// moment, kills it if it is still there, and waits for it.
func (s *Shell) Close() {
	s.HangUp()
	select {
	case <-s.exited:
	case <-time.After(2 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	if s.store != nil && s.entry.PID != 0 {
		s.store.Forget(s.entry)
	}
	s.removeBin()
}
