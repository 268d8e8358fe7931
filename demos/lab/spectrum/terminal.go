package spectrum

import (
	"context"
	"flag"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
	"dlab/demos/launch/term"

	"golang.org/x/sys/unix"
)

// runHolder is a process that holds the master side of a pseudo-terminal
// and runs one program on its slave side as the session leader, with the
// slave as its controlling terminal. That is what a tmux or screen server
// does (role "pty-server"), and what a terminal window does with its shell
// (role "terminal", runTerminal, which runs a real one): the same
// mechanism, which is the point of the lesson. What the program writes goes
// to the --screen file.
//
// Closing the master hangs the terminal up: the kernel sends SIGHUP (and
// SIGCONT) to the session leader, the controlling process. The holder does
// it when it gets SIGTERM (the window is closed, `tmux kill-server`) or its
// lifetime ends; when the program ends by itself, the holder closes the
// master and exits too, as a terminal window does when its shell exits.
func runHolder(name string) func(args []string) int {
	return func(args []string) int {
		var screen string
		rf, child, err := parseRoleFlags(name, args, func(fs *flag.FlagSet) {
			fs.StringVar(&screen, "screen", "", "")
		})
		if err != nil || len(child) == 0 {
			return 2
		}
		lg := roleLog(name, rf.log)
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, unix.SIGTERM, unix.SIGHUP, unix.SIGINT)

		master, slave, err := term.Open(0, 0)
		if err != nil {
			lg.Printf("cannot open a pseudo-terminal: %v", err)
			return 1
		}
		cmd, err := reexec.Command(child[0], child[1:]...)
		if err != nil {
			lg.Print(err)
			return 1
		}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
		// Setctty needs Setsid: only a session leader can take a terminal.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		tty := term.Name(slave)
		ready := announce(rf.readyFD, name, "tty="+tty)
		if ready != nil {
			cmd.ExtraFiles = []*os.File{ready}
		}
		if err := cmd.Start(); err != nil {
			lg.Printf("cannot start %s on %s: %v", child[0], slave.Name(), err)
			return 1
		}
		slave.Close()
		rec := recordChild(cmd, child[0])
		if ready != nil {
			ready.Close()
		}
		lg.Printf("holding the master of %s; %s runs on it as PID %d", tty, child[0], cmd.Process.Pid)

		out := io.Discard
		if screen != "" {
			if f, err := os.OpenFile(screen, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err == nil {
				out = f
			}
		}
		// A master nobody reads fills up and blocks the program's writes.
		go io.Copy(out, master)

		done := make(chan struct{})
		var state *os.ProcessState
		go func() { state, _ = cmd.Process.Wait(); rec.forget(); close(done) }()

		lifetime := time.NewTimer(rf.lifetime)
		select {
		case <-done:
			lg.Printf("PID %d %s; closing the terminal", cmd.Process.Pid, describeState(state))
			master.Close()
			return 0
		case sig := <-sigs:
			lg.Printf("%v: closing the master, which hangs up the terminal", sig)
		case <-lifetime.C:
			lg.Printf("lifetime over: closing the master, which hangs up the terminal")
		}
		master.Close()
		// Wait for the session leader to react to the hang-up, but not
		// forever: one that ignores SIGHUP goes on without its terminal.
		select {
		case <-done:
			lg.Printf("PID %d %s", cmd.Process.Pid, describeState(state))
		case <-time.After(stopTimeout):
			lg.Printf("PID %d still running after the hang-up; leaving it", cmd.Process.Pid)
		}
		return 0
	}
}

// recorded is a process a role started and recorded in the registry.
type recorded struct{ e registry.Entry }

// recordChild records a process this role has just started, for the dlab
// the demo belongs to (see registry.Started), so that even a process that
// has not yet announced itself is known to `dlab demo cleanup`.
func recordChild(cmd *exec.Cmd, role string) recorded {
	e, err := registry.Started(cmd.Process.Pid, registry.Entry{Kind: "spectrum:" + role, Owner: registry.DemoOwner()})
	if err != nil {
		return recorded{}
	}
	return recorded{e}
}

// forget removes the record once the process has been waited for.
func (r recorded) forget() {
	if r.e.PID != 0 {
		registry.Forget(r.e)
	}
}

// describeState says how a child ended, as a shell would.
func describeState(s *os.ProcessState) string {
	if s == nil {
		return "ended"
	}
	ws, _ := s.Sys().(syscall.WaitStatus)
	return pidfd.Exit{Status: unix.WaitStatus(ws), Known: true}.String()
}

// startHolder starts a terminal or pty-server holder with child running on
// its pseudo-terminal, and reads the announcements of every process down
// the chain (all of them inherit the ready pipe).
func startHolder(ctx context.Context, g *group, role string, lifetime time.Duration, child ...string) (map[string]announcement, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// Paths are relative to the demo's directory, the cwd of the holder
	// and of what it starts: ps shows short command lines.
	args := append([]string{
		"--ready-fd=3", "--log=" + role + ".log", "--screen=screen.txt",
		"--lifetime=" + lifetime.String(), "--",
	}, child...)
	cmd, err := g.command(role, args...)
	if err != nil {
		w.Close()
		return nil, err
	}
	cmd.Dir = g.dir
	cmd.ExtraFiles = []*os.File{w}
	// Its own session, no terminal and stdio on /dev/null: neither a ^C
	// nor a hang-up of the terminal dlab runs in reaches it, and it can
	// outlive dlab (until its lifetime ends, or dlab demo stop).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, err
	}
	w.Close()
	g.started(cmd, role)
	g.reap = append(g.reap, func() { cmd.Wait() })
	return readAnnouncements(ctx, r)
}
