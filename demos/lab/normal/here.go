package normal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/event"
	"dlab/demos/launch/registry"

	"golang.org/x/sys/unix"
)

// ErrNoTerminal means RunHere can't use the caller's terminal: there is
// none, or dlab is not in its foreground (started with &).
var ErrNoTerminal = errors.New("no terminal in the foreground")

// Here is what RunHere saw.
type Here struct {
	PID    int     `json:"pid"`
	TTY    string  `json:"tty"`
	How    string  `json:"how"` // "killed by SIGINT", "exited with status 0"
	Events []Event `json:"events"`
}

// RunHere runs the reporting program as the foreground job of dlab's own
// controlling terminal (tty, opened from /dev/tty), with dlab acting as the
// job-control shell: the program gets its own process group, which becomes
// the terminal's foreground group, so ^C, ^Z and ^\ typed by the user reach
// the program and not dlab. The program tells the user what it receives;
// note tells dlab's side (a stop, the end). When the program stops, dlab
// resumes it with SIGCONT, as fg would. It returns when the program has
// ended, with the terminal's settings and foreground group given back, or
// when ctx ends (dlab got a signal), after hanging the job up.
func RunHere(ctx context.Context, tty *os.File, opts Options, note func(string)) (Here, error) {
	if opts.Lifetime <= 0 {
		opts.Lifetime = DefaultLifetime
	}
	fd := int(tty.Fd())
	saved, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return Here{}, fmt.Errorf("%w: %v", ErrNoTerminal, err)
	}
	fg, err := foregroundGroup(fd)
	if err != nil || fg != unix.Getpgrp() {
		return Here{}, ErrNoTerminal
	}
	store, err := storeOf(opts)
	if err != nil {
		return Here{}, err
	}

	r, w, err := os.Pipe()
	if err != nil {
		return Here{}, err
	}
	// dlab is not the session leader here, so its death would leave the
	// program running, stealing the user's keys from the shell: have the
	// kernel hang it up if dlab is killed.
	job, err := startJob(tty, w, roleArgs{Report: true, Lifetime: opts.Lifetime}, true)
	w.Close()
	if err != nil {
		r.Close()
		return Here{}, fmt.Errorf("cannot start the demo normal program: %w", err)
	}
	pid := job.Process.Pid
	// dlab is in the background of its terminal now; with the terminal's
	// tostop flag set, writing to it would stop dlab with SIGTTOU.
	signal.Ignore(syscall.SIGTTOU)
	defer func() {
		restoreTermios(fd, saved)
		takeForeground(fd, unix.Getpgrp())
	}()

	here := Here{PID: pid}
	if st, err := proc.Live().Stat(pid); err == nil {
		here.TTY = proc.TTYName(st.TTY)
		store.Add(registry.Entry{PID: pid, StartTime: st.StartTime, Kind: "normal", Run: registry.RunID(), Owner: registry.Self()})
		defer store.Remove(pid)
	}
	eventsDone := make(chan []Event, 1)
	go func() {
		var events []Event
		event.Read(context.Background(), r, func(ev event.Event) error {
			var e Event
			if ev.Decode(&e) == nil {
				events = append(events, e)
			}
			return nil
		})
		r.Close()
		eventsDone <- events
	}()

	changes := watchJob(pid)
	var kill <-chan time.Time
	done := ctx.Done()
	for {
		select {
		case c := <-changes:
			switch c.Kind {
			case "stopped":
				note(fmt.Sprintf("the program was %s (ps state T). A shell would print \"Stopped\" and give you the prompt back; dlab resumes it with SIGCONT, as fg does.", c.How))
				signalGroup(pid, unix.SIGCONT)
			case "ended":
				here.How = c.How
				here.Events = <-eventsDone
				return here, nil
			}
		case <-done:
			// dlab itself got ^C from elsewhere, SIGTERM or SIGHUP: do
			// what a shell does to its jobs when it is hung up.
			done = nil
			note("dlab was asked to end: sending SIGHUP to the program, as a shell does to its jobs when it is hung up")
			signalGroup(pid, unix.SIGHUP)
			signalGroup(pid, unix.SIGCONT)
			kill = time.After(2 * time.Second)
		case <-kill:
			signalGroup(pid, unix.SIGKILL)
			kill = nil
		}
	}
}
