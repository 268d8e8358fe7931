// Package jobs shows job control on a real terminal: a small shell on a
// fresh pseudo-terminal with one job in the foreground and one in the
// background, and ^C typed at it; and setsid(2) tried by a process-group
// leader and by a process that is not one.
//
// demos/lab/normal has one job per terminal; this needs two in one session.
// Every process is dlab itself in a hidden role (reexec), with a lifeline to
// the dlab that started it.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/event"
	"dlab/demos/launch/reexec"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

const (
	roleShell = "lesson-shell" // session leader on the pty: starts a foreground and a background job
	roleJob   = "lesson-job"   // a job: reports SIGINT, then dies of it as a program without a handler would
)

// The file descriptors the shell and its jobs inherit: events (package
// event) go to dlab on fd 3; fd 4 is the read end of a pipe whose write end only dlab holds, so
// every process of the demo ends when the demo is over (dlab closes it) and
// not only when dlab is gone (the lifeline).
const (
	eventsFD = 3
	doneFD   = 4
)

func init() {
	reexec.Register(roleShell, runShell)
	reexec.Register(roleJob, runJob)
}

// Result is what the job-control demo saw.
type Result struct {
	TTY string // the pseudo-terminal, "pts/N"
	// Shell, Foreground and Background as ps would find them before the
	// ^C, each once it was asleep.
	Shell, Foreground, Background proc.Stat
	ForegroundEnded               string // how the foreground job ended: "killed by SIGINT"
	BackgroundAfter               string // "nothing: still running", "got SIGINT" or "gone"
	ShellAfter                    string // "nothing: still running" or "gone"
}

// runShell is a tiny job-control shell: it starts "fg" as the terminal's
// foreground job and "bg" as a background job, each in a process group of
// its own (setpgid), reports their PIDs, and reports how each ends.
func runShell(args []string) int {
	events := os.NewFile(eventsFD, "events")
	done := os.NewFile(doneFD, "done")
	fail := func(err error) int {
		e := event.Self("shell", "error")
		e.Error = err.Error()
		event.Send(events, e)
		return 1
	}
	start := func(name string, foreground bool) (*exec.Cmd, error) {
		cmd, err := reexec.Command(roleJob, name)
		if err != nil {
			return nil, err
		}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		cmd.ExtraFiles = []*os.File{events, done}
		// As a shell does between fork and exec: a process group of its
		// own, and for the foreground job, tcsetpgrp on the terminal (fd 0).
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Foreground: foreground, Ctty: 0}
		return cmd, cmd.Start()
	}
	fg, err := start("fg", true)
	if err != nil {
		return fail(fmt.Errorf("cannot start the foreground job: %w", err))
	}
	bg, err := start("bg", false)
	if err != nil {
		fg.Process.Kill()
		fg.Wait()
		return fail(fmt.Errorf("cannot start the background job: %w", err))
	}
	event.Send(events, event.Self("shell", "ready"))
	ended := make(chan struct{}, 2)
	for name, cmd := range map[string]*exec.Cmd{"fg": fg, "bg": bg} {
		go func() {
			how := howEnded(cmd.Wait(), cmd)
			event.Send(events, event.Event{Role: name, Kind: "ended", PID: cmd.Process.Pid}.With("how", how))
			ended <- struct{}{}
		}()
	}
	<-ended
	<-ended
	return 0
}

// howEnded says how a job ended, as a shell's wait() sees it.
func howEnded(err error, cmd *exec.Cmd) string {
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case ok && ws.Signaled():
		return "killed by " + unix.SignalName(ws.Signal())
	case ok:
		return fmt.Sprintf("exited %d", ws.ExitStatus())
	case err != nil:
		return "unknown"
	}
	return "exited"
}

// runJob waits for SIGINT or for the demo to end. On SIGINT it reports it,
// then dies of it: the default action, as a program that doesn't catch
// SIGINT would.
func runJob(args []string) int {
	name := "job"
	if len(args) > 0 {
		name = args[0]
	}
	events := os.NewFile(eventsFD, "events")
	done := os.NewFile(doneFD, "done")
	ints := make(chan os.Signal, 1)
	signal.Notify(ints, syscall.SIGINT)
	gone := make(chan struct{})
	go func() { io.Copy(io.Discard, done); close(gone) }()
	event.Send(events, event.Self(name, "ready"))
	select {
	case <-ints:
		event.Send(events, event.Self(name, "signal").With("signal", "SIGINT"))
		signal.Reset(syscall.SIGINT)
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		select {} // the default action ends the process
	case <-gone:
		return 0
	}
}

// ControlC runs the shell on a new pseudo-terminal, types ^C and reports
// who got it. Everything it started has ended, or been let go, when it
// returns.
func ControlC(ctx context.Context) (Result, error) {
	var res Result
	master, slave, err := pty.Open()
	if err != nil {
		return res, fmt.Errorf("cannot open a pseudo-terminal: %w", err)
	}
	defer master.Close()
	res.TTY = strings.TrimPrefix(slave.Name(), "/dev/")
	evR, evW, err := os.Pipe()
	if err != nil {
		slave.Close()
		return res, err
	}
	defer evR.Close()
	doneR, doneW, err := os.Pipe()
	if err != nil {
		slave.Close()
		evW.Close()
		return res, err
	}
	defer doneW.Close()

	shell, err := reexec.Command(roleShell)
	if err != nil {
		return res, err
	}
	shell.Stdin, shell.Stdout, shell.Stderr = slave, slave, slave
	shell.ExtraFiles = []*os.File{evW, doneR}
	// A new session whose controlling terminal is the pty: Setctty needs
	// Setsid, and Ctty is the child's fd 0.
	shell.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	err = shell.Start()
	slave.Close()
	evW.Close()
	doneR.Close()
	if err != nil {
		return res, fmt.Errorf("cannot start the shell: %w", err)
	}
	// Whatever happens: let the jobs go, then reap the shell.
	defer func() {
		doneW.Close()
		shell.Wait()
	}()
	// What the terminal echoes (^C) must be read, or a full buffer would
	// block the processes writing to the terminal.
	go io.Copy(io.Discard, master)

	events := make(chan event.Event, 16)
	go func() {
		event.Read(context.Background(), evR, func(e event.Event) error {
			events <- e
			return nil
		})
		close(events)
	}()
	// Each event is known by "role kind": "shell ready", "fg ready",
	// "fg signal", "fg ended".
	seen := map[string]event.Event{}
	wait := func(keys ...string) error {
		for {
			done := true
			for _, k := range keys {
				if _, ok := seen[k]; !ok {
					done = false
				}
			}
			if done {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", strings.Join(keys, ", "), ctx.Err())
			case e, ok := <-events:
				if !ok {
					return fmt.Errorf("the demo's shell ended early (saw %d events)", len(seen))
				}
				if e.Kind == "error" {
					return errors.New(e.Error)
				}
				seen[e.Role+" "+e.Kind] = e
			}
		}
	}
	if err := wait("shell ready", "fg ready", "bg ready"); err != nil {
		return res, err
	}
	fs := proc.Live()
	pids := []int{seen["shell ready"].PID, seen["fg ready"].PID, seen["bg ready"].PID}
	stats := make([]proc.Stat, 3)
	for i, pid := range pids {
		if stats[i], err = settled(ctx, fs, pid); err != nil {
			return res, err
		}
	}
	res.Shell, res.Foreground, res.Background = stats[0], stats[1], stats[2]

	// Type ^C: the terminal's VINTR character, written to the master side
	// as a keyboard would.
	intr := byte(3)
	if t, err := unix.IoctlGetTermios(int(master.Fd()), unix.TCGETS); err == nil {
		intr = t.Cc[unix.VINTR]
	}
	if _, err := master.Write([]byte{intr}); err != nil {
		return res, fmt.Errorf("typing ^C: %w", err)
	}
	if err := wait("fg signal", "fg ended"); err != nil {
		return res, err
	}
	res.ForegroundEnded = seen["fg ended"].Fields["how"]
	// The driver signals the whole foreground group at once: by the time the
	// foreground job has reported, the background job would have been
	// signalled too, had it been in that group.
	res.BackgroundAfter = "nothing: still running"
	if _, got := seen["bg signal"]; got {
		res.BackgroundAfter = "got SIGINT"
	} else if st, err := fs.Stat(pids[2]); err != nil || st.State == 'Z' {
		res.BackgroundAfter = "gone"
	}
	res.ShellAfter = "nothing: still running"
	if st, err := fs.Stat(pids[0]); err != nil || st.State == 'Z' {
		res.ShellAfter = "gone"
	}
	return res, nil
}

// settled reads pid's stat once it is asleep (state S), waiting for what it
// does when it has nothing to do, as ps would find it: a process that has
// just reported it is ready may still be on its way to blocking.
func settled(ctx context.Context, fs proc.FS, pid int) (proc.Stat, error) {
	deadline := time.Now().Add(time.Second)
	for {
		st, err := fs.Stat(pid)
		if err != nil || st.State != 'R' || time.Now().After(deadline) {
			return st, err
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
