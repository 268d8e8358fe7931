package sysv

import (
	"fmt"
	"os"

	"dlab/demos/core/proc"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
)

func init() {
	reexec.Register("sysv-stage1", runStage1)
	reexec.Register("sysv-daemon", runDaemon)
}

// resetInheritance is daemon(7) steps 3, 1 and 2, which the recipe puts
// before the first fork; dlab's own process must keep its fds and handlers,
// so each child does them first thing instead. keep are the signals the
// caller has already passed to signal.Notify.
func resetInheritance(keep ...os.Signal) error {
	// Step 3: an empty signal mask. A blocked signal survives fork and exec;
	// if one is blocked, this re-executes the process with an empty mask
	// (same PID, same session) and does not return.
	if _, err := reexec.EmptySignalMask(); err != nil {
		return err
	}
	// Step 1: close the file descriptors inherited from dlab, but 0-2 and
	// the readiness pipe. They would pass on to the daemon otherwise.
	if err := closeInheritedFDs(readyFD); err != nil {
		return err
	}
	// Step 2: default signal handlers. exec already reset the caught ones;
	// an ignored one (nohup's SIGHUP, the SIGINT a non-interactive shell
	// ignores for background jobs) stays ignored across exec unless reset.
	return reexec.DefaultSignals(keep...)
}

// runStage1 is the first child. The launcher started it with setsid (step 6
// happens in the child between fork and exec: SysProcAttr.Setsid), so it
// leads a new session with no controlling terminal.
func runStage1(args []string) int {
	ready := os.NewFile(readyFD, "readiness pipe")
	fail := func(err error) int {
		sendError(ready, "first child", err)
		return 1
	}
	a, err := parseRoleArgs("sysv-stage1", args)
	if err != nil {
		return fail(err)
	}

	// Steps 3, 1 and 2, the first thing the new process does.
	if err := resetInheritance(); err != nil {
		return fail(err)
	}
	// Step 4 was done by the launcher: this process got a sanitized
	// environment, and passes it on.

	// Step 6 has happened: show it.
	me, err := selfStage("first child", "after setsid (step 6): leads a new session, no terminal")
	if err != nil {
		return fail(err)
	}
	if err := sendStage(ready, me); err != nil {
		return 1 // the launcher is gone: don't start a daemon nobody waits for
	}

	// Step 7: fork again. No setsid this time: the daemon stays in this
	// session, whose leader is about to exit, so it is not a session leader
	// and can never acquire a controlling terminal.
	a.FirstChild = os.Getpid()
	cmd, err := reexec.Command("sysv-daemon", a.flags()...)
	if err != nil {
		return fail(err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr // as fork would; step 9 replaces them
	cmd.ExtraFiles = []*os.File{ready}
	if err := cmd.Start(); err != nil {
		return fail(fmt.Errorf("step 7, second fork: %w", err))
	}
	// Recorded at once, before it says a word (the daemon records itself
	// again, with its PID file and log, before it is ready).
	registry.Store{Dir: a.Registry}.Started(cmd.Process.Pid, registry.Entry{Kind: "sysv-daemon", Run: a.Run, Owner: a.Owner})
	// Show the daemon as it is now, while this process is still its parent:
	// once it exits, the daemon's parent changes.
	if st, err := proc.Live().Stat(cmd.Process.Pid); err == nil {
		sendStage(ready, Stage{
			Name: "daemon", When: "after the second fork (step 7): in the first child's session, not its leader",
			PID: st.PID, PPID: st.PPID, PGID: st.PGID, SID: st.SID, TTY: proc.TTYName(st.TTY), StartTime: st.StartTime,
		})
	}

	// Step 8: exit at once, without waiting for the daemon: it is reparented
	// to PID 1 or the nearest subreaper, which will reap it one day.
	return 0
}
