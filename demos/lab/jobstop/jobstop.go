// Package jobstop shows the terminal's job-control stops, live: a
// background job that reads the terminal is stopped by SIGTTIN; one that
// writes to it is let through, until `stty tostop` is set, and then it is
// stopped by SIGTTOU; ^Z typed at the terminal stops the foreground job
// with SIGTSTP. A daemon has no terminal, so none of these can ever stop it.
//
// A small shell (dlab in a hidden role) leads a session on a fresh
// pseudo-terminal and starts each job in a process group of its own, as
// bash does; it learns how each job stopped from wait4(WUNTRACED), the way
// a shell prints "Stopped (tty input)", and reports to dlab on fd 3. Every
// process reads or holds a pipe that only dlab writes to and ends when it
// closes: when the demo is over or dlab is gone.
package jobstop

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"dlab/demos/launch/reexec"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

const (
	roleShell = "stop-shell"
	roleJob   = "stop-job"
)

func init() {
	reexec.Register(roleShell, shell)
	reexec.Register(roleJob, job)
}

// Trial is one job and what became of it.
type Trial struct {
	Name    string // "read", "write", "write with tostop", "^Z"
	PID     int
	Stopped string // the signal that stopped it: "SIGTTIN", or ""
	Exited  string // "exit status 0" when it ran to its end
	Tostop  bool   // stty tostop was set
	InFront bool   // the job was the terminal's foreground group
}

var trials = []struct {
	name, mode      string
	tostop, inFront bool
}{
	{"reads", "read", false, false},
	{"writes", "write", false, false},
	{"writes", "write", true, false},
	{"reads; ^Z typed", "read", false, true},
}

// job is one job: it reads a line from the terminal, or writes one to it.
func job(args []string) int {
	if len(args) == 1 && args[0] == "write" {
		fmt.Println("a line written by the background job")
		return 0
	}
	b := make([]byte, 64)
	os.Stdin.Read(b)
	return 0
}

// shell runs the trials on its controlling terminal (fd 0, 1, 2) and
// reports each on fd 3: "fg PID" when a job is in the foreground (dlab then
// types ^Z), then "trial N PID stopped SIGNAME" or "trial N PID exited N".
func shell(args []string) int {
	report := os.NewFile(3, "report")
	self, err := reexec.Self()
	if err != nil {
		fmt.Fprintln(report, "error", err)
		return 1
	}
	for i, t := range trials {
		tio, err := unix.IoctlGetTermios(0, unix.TCGETS)
		if err != nil {
			fmt.Fprintln(report, "error", err)
			return 1
		}
		if t.tostop {
			tio.Lflag |= unix.TOSTOP
		} else {
			tio.Lflag &^= unix.TOSTOP
		}
		unix.IoctlSetTermios(0, unix.TCSETS, tio)
		p, err := os.StartProcess(self, reexec.Args(roleJob, t.mode), &os.ProcAttr{
			Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
			Sys:   &syscall.SysProcAttr{Setpgid: true},
		})
		if err != nil {
			fmt.Fprintln(report, "error", err)
			return 1
		}
		if t.inFront {
			unix.IoctlSetPointerInt(0, unix.TIOCSPGRP, p.Pid)
			fmt.Fprintf(report, "fg %d\n", p.Pid)
		}
		var ws unix.WaitStatus
		if _, err := unix.Wait4(p.Pid, &ws, unix.WUNTRACED, nil); err != nil {
			fmt.Fprintln(report, "error", err)
			return 1
		}
		if t.inFront {
			// From the background, tcsetpgrp sends the caller SIGTTOU: a
			// shell ignores it while it takes the terminal back. (Ignored
			// only here: an ignored signal stays ignored across exec, and
			// the jobs must get the default action.)
			signal.Ignore(unix.SIGTTOU)
			unix.IoctlSetPointerInt(0, unix.TIOCSPGRP, unix.Getpgrp())
			signal.Reset(unix.SIGTTOU)
		}
		switch {
		case ws.Stopped():
			fmt.Fprintf(report, "trial %d %d stopped %s\n", i, p.Pid, unix.SignalName(ws.StopSignal()))
			// A shell's kill %1 on a stopped job: SIGTERM is held until
			// SIGCONT; SIGKILL is not.
			unix.Kill(-p.Pid, unix.SIGKILL)
			unix.Wait4(p.Pid, &ws, 0, nil)
		case ws.Exited():
			fmt.Fprintf(report, "trial %d %d exited %d\n", i, p.Pid, ws.ExitStatus())
		default:
			fmt.Fprintf(report, "trial %d %d ended %v\n", i, p.Pid, ws)
		}
	}
	fmt.Fprintln(report, "done")
	report.Close()
	// Hold the terminal until dlab is done with the demo.
	io.Copy(io.Discard, os.NewFile(4, "hold"))
	return 0
}

// Run makes the terminal, starts the shell on it as a session leader, types
// ^Z when the shell says a job is in the foreground, and returns the trials.
func Run(ctx context.Context) ([]Trial, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("no pseudo-terminal available: %w", err)
	}
	defer master.Close()
	// Drain what the jobs write, so no write ever blocks on a full buffer.
	go io.Copy(io.Discard, master)
	repR, repW, err := os.Pipe()
	if err != nil {
		slave.Close()
		return nil, err
	}
	holdR, holdW, err := os.Pipe()
	if err != nil {
		slave.Close()
		return nil, err
	}
	defer holdW.Close()
	cmd, err := reexec.Command(roleShell)
	if err != nil {
		slave.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.ExtraFiles = []*os.File{repW, holdR}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	err = cmd.Start()
	slave.Close()
	repW.Close()
	holdR.Close()
	if err != nil {
		repR.Close()
		return nil, fmt.Errorf("cannot start the demo shell: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		holdW.Close()
		select {
		case <-done:
		case <-ctx.Done():
			cmd.Process.Kill()
			<-done
		}
	}()

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(repR)
		for sc.Scan() {
			lines <- sc.Text()
		}
		repR.Close()
	}()
	var out []Trial
	for {
		var line string
		select {
		case l, ok := <-lines:
			if !ok {
				return out, fmt.Errorf("the demo shell ended early")
			}
			line = l
		case <-ctx.Done():
			return out, ctx.Err()
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 1 && f[0] == "done":
			return out, nil
		case len(f) == 2 && f[0] == "fg":
			master.Write([]byte{0x1a}) // ^Z: the terminal driver sends SIGTSTP to the foreground group
		case len(f) == 5 && f[0] == "trial":
			i, _ := strconv.Atoi(f[1])
			if i < 0 || i >= len(trials) {
				return out, fmt.Errorf("the demo shell reported %q", line)
			}
			t := Trial{Name: trials[i].name, Tostop: trials[i].tostop, InFront: trials[i].inFront}
			t.PID, _ = strconv.Atoi(f[2])
			if f[3] == "stopped" {
				t.Stopped = f[4]
			} else {
				t.Exited = "exit status " + f[4]
			}
			out = append(out, t)
		default:
			return out, fmt.Errorf("the demo shell reported %q", line)
		}
	}
}
