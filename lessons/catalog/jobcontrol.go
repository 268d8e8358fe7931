package catalog

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/reexec"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// The job-control demo: a small shell on a fresh pseudo-terminal with one
// job in the foreground and one in the background, and ^C typed at it.
// demos/lab/normal has one job per terminal; this needs two in one session.
const (
	roleShell = "lesson-shell" // session leader on the pty: starts a foreground and a background job
	roleJob   = "lesson-job"   // a job: reports SIGINT, then dies of it as a program without a handler would
)

// The file descriptors the shell and its jobs inherit: events go to dlab on
// fd 3; fd 4 is the read end of a lifeline whose write end only dlab holds,
// so every process of the demo ends when dlab closes it, or dies.
const (
	eventsFD   = 3
	lifelineFD = 4
)

func init() {
	register(Demo{Name: "jobcontrol", Shows: "a foreground and a background job on one terminal: ^C reaches only the foreground group", run: jobControlDemo})
	reexec.Register(roleShell, runShell)
	reexec.Register(roleJob, runJob)
}

// runShell is a tiny job-control shell: it starts "fg" as the terminal's
// foreground job and "bg" as a background job, each in a process group of
// its own (setpgid), reports their PIDs, and reports how each ends.
func runShell(args []string) int {
	events := os.NewFile(eventsFD, "events")
	lifeline := os.NewFile(lifelineFD, "lifeline")
	start := func(name string, foreground bool) (*exec.Cmd, error) {
		cmd, err := reexec.Command(roleJob, name)
		if err != nil {
			return nil, err
		}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		cmd.ExtraFiles = []*os.File{events, lifeline}
		// As a shell does between fork and exec: a process group of its
		// own, and for the foreground job, tcsetpgrp on the terminal (fd 0).
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Foreground: foreground, Ctty: 0}
		return cmd, cmd.Start()
	}
	fg, err := start("fg", true)
	if err != nil {
		fmt.Fprintf(events, "error starting the foreground job: %v\n", err)
		return 1
	}
	bg, err := start("bg", false)
	if err != nil {
		fmt.Fprintf(events, "error starting the background job: %v\n", err)
		fg.Process.Kill()
		fg.Wait()
		return 1
	}
	fmt.Fprintf(events, "pid-shell %d\npid-fg %d\npid-bg %d\n", os.Getpid(), fg.Process.Pid, bg.Process.Pid)
	done := make(chan struct{}, 2)
	for name, cmd := range map[string]*exec.Cmd{"fg": fg, "bg": bg} {
		go func() {
			fmt.Fprintf(events, "%s-ended %s\n", name, howEnded(cmd.Wait(), cmd))
			done <- struct{}{}
		}()
	}
	<-done
	<-done
	return 0
}

// howEnded says how a job ended, as a shell's wait() sees it.
func howEnded(err error, cmd *exec.Cmd) string {
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case ok && ws.Signaled():
		return "killed-by-" + unix.SignalName(ws.Signal())
	case ok:
		return fmt.Sprintf("exited-%d", ws.ExitStatus())
	case err != nil:
		return "unknown"
	}
	return "exited"
}

// runJob waits for SIGINT or for the lifeline to close. On SIGINT it
// reports it, then dies of it: the default action, as a program that
// doesn't catch SIGINT would.
func runJob(args []string) int {
	name := "job"
	if len(args) > 0 {
		name = args[0]
	}
	events := os.NewFile(eventsFD, "events")
	lifeline := os.NewFile(lifelineFD, "lifeline")
	ints := make(chan os.Signal, 1)
	signal.Notify(ints, syscall.SIGINT)
	gone := make(chan struct{})
	go func() { io.Copy(io.Discard, lifeline); close(gone) }()
	fmt.Fprintf(events, "%s-ready\n", name)
	select {
	case <-ints:
		fmt.Fprintf(events, "%s-got SIGINT\n", name)
		signal.Reset(syscall.SIGINT)
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		select {} // the default action ends the process
	case <-gone:
		return 0
	}
}

// jobControlDemo runs the shell on a new pseudo-terminal, types ^C and
// reports who got it.
func jobControlDemo(ctx context.Context) (string, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return "", fmt.Errorf("cannot open a pseudo-terminal: %w", err)
	}
	defer master.Close()
	tty := strings.TrimPrefix(slave.Name(), "/dev/")
	evR, evW, err := os.Pipe()
	if err != nil {
		slave.Close()
		return "", err
	}
	defer evR.Close()
	lifeR, lifeW, err := os.Pipe()
	if err != nil {
		slave.Close()
		evW.Close()
		return "", err
	}
	defer lifeW.Close()

	shell, err := reexec.Command(roleShell)
	if err != nil {
		return "", err
	}
	shell.Stdin, shell.Stdout, shell.Stderr = slave, slave, slave
	shell.ExtraFiles = []*os.File{evW, lifeR}
	// A new session whose controlling terminal is the pty: Setctty needs
	// Setsid, and Ctty is the child's fd 0.
	shell.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	err = shell.Start()
	slave.Close()
	evW.Close()
	lifeR.Close()
	if err != nil {
		return "", fmt.Errorf("cannot start the shell: %w", err)
	}
	// Whatever happens: let the jobs go (lifeline), then reap the shell.
	defer func() {
		lifeW.Close()
		shell.Wait()
	}()
	// What the terminal echoes (^C) must be read, or a full buffer would
	// block the processes writing to the terminal.
	go io.Copy(io.Discard, master)

	events := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(evR)
		for sc.Scan() {
			events <- sc.Text()
		}
		close(events)
	}()
	seen := map[string]string{}
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
			case line, ok := <-events:
				if !ok {
					return fmt.Errorf("the demo's shell ended early (saw %v)", seen)
				}
				if strings.HasPrefix(line, "error") {
					return errors.New(line)
				}
				// Each event is a key, then maybe a value: "pid-fg 124",
				// "fg-ready", "fg-got SIGINT", "fg-ended killed-by-SIGINT".
				k, v, _ := strings.Cut(line, " ")
				seen[k] = v
			}
		}
	}
	if err := wait("pid-shell", "pid-fg", "pid-bg", "fg-ready", "bg-ready"); err != nil {
		return "", err
	}
	fs := proc.Live()
	pids := []int{atoi(seen["pid-shell"]), atoi(seen["pid-fg"]), atoi(seen["pid-bg"])}
	stats := make([]proc.Stat, 3)
	for i, pid := range pids {
		if stats[i], err = settled(ctx, fs, pid); err != nil {
			return "", err
		}
	}

	// Type ^C: the terminal's VINTR character, written to the master side
	// as a keyboard would.
	intr := byte(3)
	if t, err := unix.IoctlGetTermios(int(master.Fd()), unix.TCGETS); err == nil {
		intr = t.Cc[unix.VINTR]
	}
	if _, err := master.Write([]byte{intr}); err != nil {
		return "", fmt.Errorf("typing ^C: %w", err)
	}
	if err := wait("fg-got", "fg-ended"); err != nil {
		return "", err
	}
	// The driver signals the whole foreground group at once: by the time the
	// foreground job has reported, the background job would have been
	// signalled too, had it been in that group.
	bgAfter := "nothing: still running"
	if _, got := seen["bg-got"]; got {
		bgAfter = "got SIGINT"
	} else if st, err := fs.Stat(pids[2]); err != nil || st.State == 'Z' {
		bgAfter = "gone"
	}
	shellAfter := "nothing: still running"
	if st, err := fs.Stat(pids[0]); err != nil || st.State == 'Z' {
		shellAfter = "gone"
	}

	t := newTable("", "shell", "foreground job", "background job")
	t.add("PID", pids[0], pids[1], pids[2])
	t.add("process group", stats[0].PGID, stats[1].PGID, stats[2].PGID)
	t.add("session", stats[0].SID, stats[1].SID, stats[2].SID)
	t.add("terminal, its foreground group", ttyAndFg(stats[0]), ttyAndFg(stats[1]), ttyAndFg(stats[2]))
	t.add("ps STAT", psStat(stats[0]), psStat(stats[1]), psStat(stats[2]))
	t.add("after ^C", shellAfter, "got SIGINT, then "+strings.ReplaceAll(seen["fg-ended"], "-", " "), bgAfter)
	return doc(
		fmt.Sprintf("A shell leads a new session on `%s`, with one job in the foreground and one in the background, each in a process group of its own. Then dlab typed ^C into the terminal:", tty),
		t.String(),
		fmt.Sprintf("The terminal driver sent SIGINT to its foreground process group, %d, and to nobody else: not to the background job, not even to the shell, though all three share the terminal and the session. `+` in ps's STAT column marks the foreground group; `s` the session leader.", stats[1].PGID),
	), nil
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

func ttyAndFg(st proc.Stat) string {
	return fmt.Sprintf("%s, %d", proc.TTYName(st.TTY), st.TPGID)
}

// psStat is the STAT column of ps for what it shows here: the state, "s"
// for a session leader, "+" for the foreground process group.
func psStat(st proc.Stat) string {
	s := string(st.State)
	if st.IsSessionLeader() {
		s += "s"
	}
	if st.InForeground() {
		s += "+"
	}
	return s
}
