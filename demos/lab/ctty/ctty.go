// Package ctty shows how a process gets a controlling terminal, and why a
// classic daemon forks a second time after setsid(): a session leader with
// no controlling terminal that opens a terminal without O_NOCTTY acquires
// it as its controlling terminal (the kernel's rule, in tty_open); a process
// in the same kind of session that is not its leader can open the same
// terminal and acquire nothing. After the second fork, the daemon is that
// second process: no open() of a terminal, by a library or a stray path in
// a configuration file, can ever give it one again.
//
// Both processes are dlab in a hidden role (reexec); each holds the
// terminal open until its standard input, a pipe only dlab writes to,
// ends: when the demo is over or when dlab is gone.
package ctty

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"dlab/demos/core/proc"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/term"
)

const role = "tty-opener"

func init() { reexec.Register(role, opener) }

// opener runs as `__tty-opener PATH leader|member|child`. "leader" opens
// PATH itself; "member" (a session leader, started with setsid) starts a
// child in its session, which opens PATH: the second fork.
func opener(args []string) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: __tty-opener PATH leader|member|child")
		return 2
	}
	path, mode := args[0], args[1]
	if mode == "member" {
		cmd, err := reexec.Command(role, path, "child")
		if err != nil {
			fmt.Println("error", err)
			return 1
		}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return 1
		}
		return 0
	}
	before := ttyOf(os.Getpid())
	// No O_NOCTTY: what open(2) does by default, and what Go's os.OpenFile
	// does too.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	defer f.Close()
	st, _ := proc.Live().Stat(os.Getpid())
	fmt.Printf("opened pid=%d sid=%d before=%s after=%s\n", os.Getpid(), st.SID, before, ttyOf(os.Getpid()))
	io.Copy(io.Discard, os.Stdin)
	return 0
}

func ttyOf(pid int) string {
	st, err := proc.Live().Stat(pid)
	if err != nil {
		return "unknown"
	}
	if !st.HasTTY() {
		return "?"
	}
	return proc.TTYName(st.TTY)
}

// Opened is what one process saw when it opened the terminal.
type Opened struct {
	PID, SID      int
	Leader        bool   // it leads its session
	Before, After string // its controlling terminal before and after the open ("?" for none)
}

// Acquired reports whether the open made the terminal its controlling one.
func (o Opened) Acquired() bool { return o.Before == "?" && o.After != "?" }

// Result is both trials, on the same fresh pseudo-terminal.
type Result struct {
	TTY            string // the terminal opened, "pts/N"
	Leader, Member Opened
}

// Run makes a pseudo-terminal and has it opened by a session leader and by
// a process that is not one, each in a new session without a terminal.
func Run(ctx context.Context) (Result, error) {
	master, slave, err := term.Open(0, 0)
	if err != nil {
		return Result{}, err
	}
	defer master.Close()
	path, r := slave.Name(), Result{TTY: term.Name(slave)}
	slave.Close()
	// The member first: once the leader has the terminal as its controlling
	// terminal, no other session could acquire it anyway.
	if r.Member, err = trial(ctx, path, "member"); err != nil {
		return r, err
	}
	if r.Leader, err = trial(ctx, path, "leader"); err != nil {
		return r, err
	}
	return r, nil
}

// trial starts the role in a new session (setsid, no controlling terminal),
// reads its report, then ends it.
func trial(ctx context.Context, path, mode string) (Opened, error) {
	cmd, err := reexec.Command(role, path, mode)
	if err != nil {
		return Opened{}, err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		return Opened{}, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return Opened{}, err
	}
	if err := cmd.Start(); err != nil {
		return Opened{}, fmt.Errorf("cannot start the demo process: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		in.Close()
		select {
		case <-done:
		case <-ctx.Done():
			cmd.Process.Kill()
			<-done
		}
	}()
	lines := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		lines <- strings.TrimSpace(l)
	}()
	var line string
	select {
	case line = <-lines:
	case <-ctx.Done():
		return Opened{}, ctx.Err()
	}
	return parse(line, cmd)
}

func parse(line string, cmd *exec.Cmd) (Opened, error) {
	var o Opened
	rest, ok := strings.CutPrefix(line, "opened ")
	if !ok {
		return o, fmt.Errorf("the demo process could not open the terminal: %q", line)
	}
	for _, f := range strings.Fields(rest) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "pid":
			o.PID, _ = strconv.Atoi(v)
		case "sid":
			o.SID, _ = strconv.Atoi(v)
		case "before":
			o.Before = v
		case "after":
			o.After = v
		}
	}
	o.Leader = o.PID == o.SID
	return o, nil
}
