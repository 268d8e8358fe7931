package normal

import (
	"errors"
	"os"
	"os/exec"
	"syscall"

	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"

	"golang.org/x/sys/unix"
)

// startJob starts the program as the foreground job of the terminal tty, as
// a job-control shell starts a command: in a process group of its own
// (setpgid), which it makes the terminal's foreground group (tcsetpgrp)
// before the program runs, with stdio on the terminal. Both happen in the
// child between fork and exec (SysProcAttr.Foreground, where Ctty is the
// terminal's fd in this process). events, if not nil, becomes the program's
// fd 3. hangupWithParent asks the kernel to send the program SIGHUP if this
// process dies (prctl PR_SET_PDEATHSIG), as a shell that is killed leaves
// its jobs hung up.
func startJob(tty *os.File, events *os.File, a roleArgs, hangupWithParent bool) (*exec.Cmd, error) {
	if events != nil {
		a.EventsFD = 3
	}
	cmd, err := reexec.Command("normal-program", a.flags()...)
	if err != nil {
		return nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if events != nil {
		cmd.ExtraFiles = []*os.File{events}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Foreground: true, Ctty: int(tty.Fd())}
	if hangupWithParent {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGHUP
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}

// change is one state change of a job, as wait(2) reports it to its parent.
type change struct {
	Kind   string // "stopped", "continued", "ended"
	Signal unix.Signal
	How    string // "killed by SIGINT", "exited with status 0", "stopped by SIGTSTP", "continued"
}

// watchJob reports every state change of the child pid until it ends, then
// closes the channel. It waits with WUNTRACED and WCONTINUED, as a shell
// does, to see a job stop and resume, not only end; os/exec's Wait sees only
// the end.
func watchJob(pid int) <-chan change {
	ch := make(chan change, 4)
	go func() {
		defer close(ch)
		for {
			var ws unix.WaitStatus
			_, err := unix.Wait4(pid, &ws, unix.WUNTRACED|unix.WCONTINUED, nil)
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if err != nil {
				ch <- change{Kind: "ended", How: "ended (" + err.Error() + ")"}
				return
			}
			switch {
			case ws.Stopped():
				ch <- change{Kind: "stopped", Signal: ws.StopSignal(), How: "stopped by " + proc.SignalName(ws.StopSignal())}
			case ws.Continued():
				ch <- change{Kind: "continued", How: "continued"}
			default:
				c := change{Kind: "ended", How: pidfd.Exit{Status: ws, Known: true}.String()}
				if ws.Signaled() {
					c.Signal = ws.Signal()
				}
				ch <- c
				return
			}
		}
	}()
	return ch
}

// signalGroup sends sig to every process of the group pgid, as a shell
// signals a job.
func signalGroup(pgid int, sig unix.Signal) error {
	return unix.Kill(-pgid, sig)
}
