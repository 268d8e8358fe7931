package spectrum

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/event"
	"dlab/demos/launch/lifeline"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"

	"golang.org/x/sys/unix"
)

// Tmux is the pty server played by the real tmux, when it is installed:
// the same picture as PtyServer, drawn by the program people use.
const Tmux Kind = "tmux"

func init() {
	Titles[Tmux] = "the real tmux: a program in a detached tmux session has a terminal, the tmux server is the daemon"
	Events[Tmux] = "`tmux kill-server`: the server closes the master side of the pane's pseudo-terminal and exits"
}

// StartTmux runs the program in a detached session of a tmux server of its
// own (`tmux -L SOCKET new-session -d`), on a socket named for this demo,
// so it never touches the user's own tmux.
func StartTmux(ctx context.Context, opts Options) (*PtySession, error) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		return nil, fmt.Errorf("the tmux demo needs tmux, which is not in PATH: install the tmux package (or use the built-in pty server)")
	}
	self, err := reexec.Self()
	if err != nil {
		return nil, err
	}
	g, err := newGroup(Tmux, opts)
	if err != nil {
		return nil, err
	}
	// tmux closes every fd but its own before it runs a command, so the
	// program can't inherit the ready pipe: it announces itself on a FIFO
	// instead. Opened read-write, the FIFO never blocks us and never gives
	// end of file before the program has written.
	fifo := g.path("ready.fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		return nil, g.fail(fmt.Errorf("cannot make the ready FIFO: %w", err))
	}
	ready, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		return nil, g.fail(err)
	}
	defer ready.Close()

	socket := tmuxSocket(g)
	program := fmt.Sprintf("exec %s %s --ready-file=%s --lifetime=%s",
		shellQuote(self), "__"+roleProgram, shellQuote(fifo), opts.lifetime())
	cmd := exec.Command(tmux, "-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", "dlab", program)
	cmd.Dir = g.dir
	// tmux passes its client's environment on to the server and the pane's
	// command, but no descriptor: the lifeline reaches the program.
	if !g.owner.IsZero() {
		lifeline.Attach(cmd)
	}
	sctx, cancel := startContext(ctx)
	defer cancel()
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, g.fail(fmt.Errorf("tmux new-session failed: %v: %s", err, strings.TrimSpace(string(out))))
	}
	s := &PtySession{group: g, tmux: tmux, socket: socket}
	// The server runs now: whatever happens next, Stop must end it.
	serverPID, err := s.tmuxQuery("#{pid}")
	if err == nil {
		var st proc.Stat
		if st, err = proc.Live().Stat(serverPID); err == nil {
			err = g.hold("server", "the tmux server: holds the master side of every pane, has no terminal of its own", announcement{PID: serverPID, StartTime: st.StartTime})
		}
	}
	if err != nil {
		s.killServer()
		return nil, g.fail(fmt.Errorf("cannot find the tmux server: %w", err))
	}
	if d, ok := sctx.Deadline(); ok {
		ready.SetReadDeadline(d)
	}
	line, err := bufio.NewReader(ready).ReadBytes('\n')
	var a announcement
	if err == nil {
		a, err = event.Parse(line)
	}
	if err == nil {
		err = g.hold("program", "the program in the tmux pane: it leads the pane's session, the pts is its controlling terminal", a)
	}
	if err == nil {
		n := len(g.members)
		g.members[0], g.members[n-1] = g.members[n-1], g.members[0] // the program first, as in the story
		var st proc.Stat
		if st, err = proc.Live().Stat(a.PID); err == nil {
			s.TTY = proc.TTYName(st.TTY)
		}
	}
	if err != nil {
		return nil, g.fail(fmt.Errorf("the program in the tmux pane never became ready (tmux socket %s): %w", socket, err))
	}
	if err := ctx.Err(); err != nil {
		return nil, g.fail(err)
	}
	return s, nil
}

// tmuxSocket is where the demo's tmux server listens: in the demo's
// directory, so that removing the directory (Stop, or `dlab demo cleanup`
// once the server is gone) removes the socket too, rather than leaving it
// in /tmp/tmux-UID. A socket path has room for 107 bytes; a directory too
// deep for that gets a socket of its own name in tmux's usual place.
func tmuxSocket(g *group) string {
	if p := g.path("tmux.sock"); len(p) < 100 {
		return p
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("tmux-%d", os.Getuid()))
	os.MkdirAll(dir, 0o700) // as tmux makes it
	return filepath.Join(dir, fmt.Sprintf("dlab-%d-%d", os.Getpid(), time.Now().UnixNano()))
}

// AttachCommand is the command that attaches a terminal to the tmux
// session, or "" when the server is dlab's own.
func (s *PtySession) AttachCommand() string {
	if s.tmux == "" {
		return ""
	}
	return fmt.Sprintf("tmux -S %s attach -t dlab", shellQuote(s.socket))
}

// tmuxQuery asks this demo's tmux server for a number (a format such as
// "#{pid}").
func (s *PtySession) tmuxQuery(format string) (int, error) {
	out, err := exec.Command(s.tmux, "-S", s.socket, "display-message", "-p", format).Output()
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(out)))
}

// killServer runs `tmux kill-server` on this demo's socket.
func (s *PtySession) killServer() error {
	err := exec.Command(s.tmux, "-S", s.socket, "kill-server").Run()
	// A server that was killed, not asked, leaves its socket behind.
	os.Remove(s.socket)
	return err
}

// shellQuote quotes s for sh, which tmux runs the command with.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// killTmux ends the real tmux server and returns how the program ended.
func (s *PtySession) killTmux(ctx context.Context, program, server *pidfd.Process) (pidfd.Exit, error) {
	if err := s.killServer(); err != nil {
		return pidfd.Exit{}, fmt.Errorf("tmux kill-server failed: %w", err)
	}
	how, err := program.ExitStatus(ctx)
	if err != nil {
		return how, fmt.Errorf("the program survived tmux kill-server: %w", err)
	}
	return how, server.Wait(ctx)
}
