package spectrum

import (
	"context"
	"fmt"

	"dlab/demos/launch/pidfd"

	"golang.org/x/sys/unix"
)

// PtySession is a program on a pseudo-terminal whose master a server
// process holds: what `tmux new -d` and `screen -dmS` make. The server has
// its own session and no terminal (it is the daemon); the program leads the
// session of the pseudo-terminal, which is its controlling terminal.
type PtySession struct {
	*group
	TTY string `json:"tty"`

	tmux, socket string // set when the server is the real tmux
}

// StartPtyServer starts the server and the program on its pseudo-terminal.
func StartPtyServer(ctx context.Context, opts Options) (*PtySession, error) {
	g, err := newGroup(PtyServer, opts)
	if err != nil {
		return nil, err
	}
	sctx, cancel := startContext(ctx)
	defer cancel()
	got, err := startHolder(sctx, g, rolePtyServer, opts.lifetime(),
		roleProgram, "--ready-fd=3", "--lifetime="+opts.lifetime().String())
	err = g.holdAnnounced(got, err,
		announced{"program", "program", "the program on the pseudo-terminal: it leads the terminal's session, the pts is its controlling terminal"},
		announced{rolePtyServer, "server", "the server: holds the master side, has no terminal of its own (like the tmux server)"})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, g.fail(err)
	}
	return &PtySession{group: g, TTY: got[rolePtyServer].Fields["tty"]}, nil
}

// KillServer ends the server as `tmux kill-server` does: it closes the
// master, which hangs up the terminal, and the kernel sends SIGHUP to the
// program, the terminal's controlling process. It returns how the program
// ended.
func (s *PtySession) KillServer(ctx context.Context) (pidfd.Exit, error) {
	server := s.proc(s.member("server").PID)
	program := s.proc(s.member("program").PID)
	if s.tmux != "" {
		return s.killTmux(ctx, program, server)
	}
	if err := server.Signal(unix.SIGTERM); err != nil {
		return pidfd.Exit{}, fmt.Errorf("cannot stop the pty server: %w", err)
	}
	how, err := program.ExitStatus(ctx)
	if err != nil {
		return how, fmt.Errorf("the program survived the end of its pty server: %w", err)
	}
	return how, server.Wait(ctx)
}
