package compare

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/lab/sysv"
	"dlab/demos/launch/pidfd"

	"golang.org/x/sys/unix"
)

// How long to wait for a reaction, on an idle machine and at most (see
// patience). A process reacts to a signal in microseconds to milliseconds,
// and every expected outcome is an event (an exit, a log line) that ends
// the wait at once; the wait runs out only for a reaction that never
// comes, or one that a busy machine delays.
const (
	reactBase  = 750 * time.Millisecond
	reactLimit = 30 * time.Second
)

// How long to wait for the exit status of a process that has exited: it
// is readable at once (PIDFD_INFO_EXIT, or field 52 of a zombie's stat)
// but for a moment between the two.
const (
	exitStatusBase  = 250 * time.Millisecond
	exitStatusLimit = 10 * time.Second
)

// pfExiting is PF_EXITING in /proc/PID/stat field 9: set once the process
// has begun to exit.
const pfExiting = 0x4

// stillRunning checks that a process is alive and will stay so: not a
// zombie, not exiting, and with no signal pending. A signal that kills by
// default makes the whole process exit at once when it is sent (the
// kernel queues SIGKILL to every thread), so "alive" alone could be a
// process in its last microseconds; these three together are not.
func stillRunning(pid int, startTime uint64) (bool, string) {
	st, err := proc.Live().Stat(pid)
	if err != nil || st.StartTime != startTime {
		return false, "gone"
	}
	if st.State == 'Z' || st.State == 'X' {
		return false, fmt.Sprintf("a zombie (state %c)", st.State)
	}
	if st.Flags&pfExiting != 0 {
		return false, "exiting (PF_EXITING set in /proc/" + strconv.Itoa(pid) + "/stat flags)"
	}
	pending, err := pendingSignals(pid)
	if err != nil {
		return false, err.Error()
	}
	if pending != 0 {
		return false, "signals pending: " + pending.String()
	}
	return true, fmt.Sprintf("running (state %c), not exiting (PF_EXITING clear), no signal pending (SigPnd and ShdPnd empty in /proc/%d/status)", st.State, pid)
}

// pendingSignals reads SigPnd (this thread) and ShdPnd (the whole process)
// from /proc/PID/status; proc.Status leaves them out.
func pendingSignals(pid int) (proc.SignalSet, error) {
	b, err := proc.Live().ReadFile(pid, "status")
	if err != nil {
		return 0, err
	}
	var set proc.SignalSet
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		k, v, ok := bytes.Cut(line, []byte{':'})
		if !ok || (string(k) != "SigPnd" && string(k) != "ShdPnd") {
			continue
		}
		m, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 16, 64)
		if err != nil {
			return 0, fmt.Errorf("bad %s line %q in /proc/%d/status", k, line, pid)
		}
		set |= proc.SignalSet(m)
	}
	return set, nil
}

// disposition is what pid does with sig now, from /proc/PID/status.
func disposition(pid int, sig unix.Signal) string {
	st, err := proc.Live().Status(pid)
	if err != nil {
		return "unreadable"
	}
	return string(st.DispositionOf(sig))
}

// daemonUnderTest is a SysV daemon held by our own pidfd, opened right
// after it started: the daemon is not our child (it was double-forked),
// and only a pidfd opened before it is reaped can still say how it ended.
type daemonUnderTest struct {
	*sysv.Daemon
	p *pidfd.Process
}

// observeDaemonSignal sends sig to the daemon and watches what it does:
// it exits (how, read through the pidfd; did it log its shutdown and
// remove its PID file?), or it logs that it reloaded, or nothing happens
// in the time the machine's load allows.
func observeDaemonSignal(ctx context.Context, pat patience, d daemonUnderTest, sig unix.Signal) Experiment {
	event := Event(proc.SignalName(sig))
	how := fmt.Sprintf("kill -%s %d, through a pidfd", strings.TrimPrefix(proc.SignalName(sig), "SIG"), d.PID)
	disp := disposition(d.PID, sig)
	t0 := time.Now()
	if err := d.p.Signal(sig); err != nil {
		return newExperiment(event, SysVDaemon, d.PID, how, disp, Observation{Outcome: NotObserved, Text: "could not send it: " + err.Error()})
	}
	o := watchDaemon(ctx, pat, d, disp)
	e := newExperiment(event, SysVDaemon, d.PID, how, disp, o)
	e.TookMS = ms(time.Since(t0))
	return e
}

// watchDaemon waits for the first sign of what the daemon did.
func watchDaemon(ctx context.Context, pat patience, d daemonUnderTest, disp string) Observation {
	if disp == string(proc.Ignored) {
		// An ignored signal is discarded when it is sent (signal(7)):
		// by the time kill returned, it was handled.
		ok, state := stillRunning(d.PID, d.StartTime)
		if ok {
			return Observation{Outcome: Ignored, Text: "ignored: still running", Evidence: []string{"SigIgn had it before it was sent: the kernel discards an ignored signal when it is sent", state}}
		}
	}
	t0 := time.Now()
	wctx, cancel := pat.context(ctx, reactBase, reactLimit)
	defer cancel()
	reloaded := make(chan error, 1)
	go func() { reloaded <- d.WaitLog(wctx, sysv.LogReloaded) }()
	select {
	case <-d.p.Exited():
		return daemonExit(ctx, pat, d)
	case err := <-reloaded:
		if err == nil {
			ok, state := stillRunning(d.PID, d.StartTime)
			if ok {
				return Observation{Outcome: Reloaded, Text: "reloaded its configuration, still running",
					Evidence: []string{"its log: " + logLine(d, sysv.LogReloaded), state}}
			}
			return daemonExit(ctx, pat, d)
		}
	}
	// The log can't be watched, or the wait ran out: an exit may still
	// come, or have come meanwhile.
	select {
	case <-d.p.Exited():
		return daemonExit(ctx, pat, d)
	case <-wctx.Done():
	}
	if ctx.Err() != nil {
		return Observation{Outcome: NotObserved, Text: "interrupted"}
	}
	_, state := stillRunning(d.PID, d.StartTime)
	waited := fmt.Sprintf("no exit and no new log line within %v", time.Since(t0).Round(time.Millisecond))
	if b := tooBusy(wctx); b != nil {
		return Observation{Outcome: Inconclusive, Text: "inconclusive: " + b.Error(), Evidence: []string{waited, state}}
	}
	return Observation{Outcome: NoReaction, Text: "no reaction: still running", Evidence: []string{waited, state}}
}

// daemonExit says how the daemon ended and what it left behind.
func daemonExit(ctx context.Context, pat patience, d daemonUnderTest) Observation {
	ectx, cancel := pat.context(ctx, exitStatusBase, exitStatusLimit)
	defer cancel()
	exit, _ := d.p.ExitStatus(ectx)
	shutdown := logLine(d, "shutting down")
	_, pidFileErr := os.Stat(d.PIDFile)
	pidFileGone := errors.Is(pidFileErr, os.ErrNotExist)
	var ev []string
	if exit.Known {
		ev = append(ev, exit.String()+", read from "+exit.Source+" (it is not our child: PID 1 or a subreaper reaps it)")
	}
	if shutdown != "" {
		ev = append(ev, "its log: "+shutdown)
	} else {
		ev = append(ev, "no shutdown line in its log")
	}
	if pidFileGone {
		ev = append(ev, "its PID file is gone")
	} else {
		ev = append(ev, "its PID file was left behind: "+d.PIDFile)
	}
	switch {
	case !exit.Known && ctx.Err() != nil:
		return Observation{Outcome: NotObserved, Text: "interrupted", Evidence: ev}
	case !exit.Known:
		// Without the status, a shutdown line or its absence is not
		// enough to tell a clean exit, or which signal killed it.
		why := "its exit status went to its reaper only (Linux 6.15+ keeps it for pidfd holders)"
		if b := tooBusy(ectx); b != nil {
			why = "its exit status was not readable in time: " + b.Error()
		}
		return Observation{Outcome: Inconclusive, Text: "inconclusive: it ended, but how is unknown: " + why, Evidence: ev}
	case shutdown != "" && pidFileGone && exit.Status.Exited() && exit.Status.ExitStatus() == 0:
		return Observation{Outcome: CleanShutdown, Text: "shut down cleanly: logged it, removed its PID file, exited 0", Evidence: ev}
	case exit.Signal() != 0:
		out, sig := observedKilled(exit.String())
		return Observation{Outcome: out, Signal: sig, Text: exit.String() + ", no clean shutdown", Evidence: ev}
	}
	return Observation{Outcome: OtherExit, Text: exit.String(), Evidence: ev}
}

// logLine returns the daemon's first log line holding substr, or "".
func logLine(d daemonUnderTest, substr string) string {
	log, _ := d.Log()
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, substr) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// observeDaemonUntouched checks that the daemon is still running after an
// event that never reached it (witness: what the same event did to the
// normal process, which proves it happened).
func observeDaemonUntouched(event Event, d daemonUnderTest, how, witness string) Experiment {
	sig := unix.SIGINT
	if event == HangUp {
		sig = unix.SIGHUP
	}
	disp := disposition(d.PID, sig)
	ok, state := stillRunning(d.PID, d.StartTime)
	o := Observation{Outcome: StillRunning, Text: "not reached: still running", Evidence: []string{witness, "the daemon: " + state}}
	if !ok {
		o = Observation{Outcome: OtherExit, Text: "not running: " + state, Evidence: []string{witness}}
	}
	return newExperiment(event, SysVDaemon, d.PID, how, disp, o)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
