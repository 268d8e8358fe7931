package inspect

import (
	"fmt"
	"strings"
)

// Events the predictions cover, in the order they are shown.
const (
	EventTerminalCloses = "terminal closes"
	EventLogout         = "user logs out"
	EventParentExits    = "parent exits"
	EventHUP            = "kill -HUP"
	EventInterrupt      = "^C on its terminal"
	EventTERM           = "kill (SIGTERM)"
)

// predict says what would happen to the process on each event, from the
// evidence alone. The demos and lessons check these live.
func predict(f Facts, v Verdict) []Prediction {
	switch v {
	case KernelThread:
		return []Prediction{
			{EventTerminalCloses, "nothing", "a kernel thread has no terminal"},
			{EventLogout, "nothing", "a kernel thread belongs to no login"},
			{EventParentExits, "can't happen", "its parent is kthreadd or the kernel itself, which never exits while the system runs"},
			{EventHUP, "nothing", "kernel threads ignore signals unless their code asks for one"},
		}
	case Zombie:
		return []Prediction{
			{EventTerminalCloses, "nothing", "it has already exited"},
			{EventLogout, "nothing", "it has already exited"},
			{EventParentExits, fmt.Sprintf("it is adopted by %s and reaped, and disappears", reaperName(f)),
				"reparenting a zombie to PID 1 or a subreaper is how zombies normally go away: the new parent calls wait()"},
			{EventHUP, "nothing", "a zombie can't be signalled back to life: only its parent's wait() removes it"},
		}
	}
	return []Prediction{
		predictHangup(f),
		predictLogout(f),
		predictParentExit(f),
		predictSignal(f, "SIGHUP", EventHUP),
		predictInterrupt(f),
		predictSignal(f, "SIGTERM", EventTERM),
	}
}

// outcome says what a signal does to the process, from its disposition.
func outcome(f Facts, sig string) string {
	switch f.Signals[sig] {
	case "ignored":
		return "nothing (it ignores " + sig + ")"
	case "default":
		if f.PID == 1 {
			// The kernel drops a signal to init whose action is the default
			// (SIGNAL_UNKILLABLE): init must ask for a signal to get it.
			return "nothing (the kernel delivers to PID 1 only the signals it has a handler for, when they come from its own PID namespace)"
		}
		return "it terminates (the default action of " + sig + ")"
	case "caught":
		if f.isGo() {
			return fmt.Sprintf("the Go runtime catches %s: the program handles it if it called signal.Notify for it, otherwise it exits", sig)
		}
		if sig == "SIGHUP" {
			return "its handler runs: by convention a daemon reloads its configuration (nginx, sshd), an interactive program saves and exits"
		}
		return "its handler runs; what it does is up to the program (usually clean up and exit)"
	}
	return "unknown: dlab could not read its signal dispositions (/proc/PID/status)"
}

func predictHangup(f Facts) Prediction {
	p := Prediction{Event: EventTerminalCloses}
	if !f.hasTTY() {
		p.Outcome = "nothing (it has no controlling terminal, so no hang-up is sent to it)"
		p.Why = "the kernel sends SIGHUP on a hang-up only to the session that owns the terminal"
		if on := stdioOnTerminal(f); on != "" {
			p.Outcome = "no SIGHUP, but its I/O to that terminal starts failing"
			p.Why = "it has no controlling terminal, yet " + strings.TrimPrefix(on, "its ")
		}
		return p
	}
	if h := f.TermHolder; h != nil && isTerminalServer(h.Comm) {
		p.Outcome = fmt.Sprintf("closing the window or ssh connection you attached from does nothing to it: %s (PID %d) holds %s and keeps it open", h.Comm, h.PID, f.TTY)
		p.Why = "only when the server closes the pane (kill-pane, the server exiting) does " + f.TTY + " hang up; then: " + outcome(f, "SIGHUP")
		return p
	}
	p.Outcome = outcome(f, "SIGHUP")
	switch {
	case f.SessionLeader:
		p.Why = fmt.Sprintf("it leads the session that owns %s, so the kernel sends it SIGHUP (then SIGCONT) when the terminal hangs up", f.TTY)
	case f.Foreground:
		p.Why = fmt.Sprintf("the kernel sends SIGHUP to the session leader (%s); an interactive shell passes it on to its jobs, and when the leader exits the kernel sends SIGHUP to the foreground group, this one", leaderName(f))
	default:
		p.Why = fmt.Sprintf("the kernel sends SIGHUP to the session leader (%s); an interactive shell passes it on to every job it hasn't disowned, this background one included", leaderName(f))
	}
	return p
}

func leaderName(f Facts) string {
	if f.SessionComm != "" {
		return fmt.Sprintf("%s, PID %d", f.SessionComm, f.SID)
	}
	return fmt.Sprintf("PID %d", f.SID)
}

func predictLogout(f Facts) Prediction {
	p := Prediction{Event: EventLogout}
	systemd := pid1Name(f) == "systemd"
	switch {
	case f.CgroupKind == CgroupSession && systemd:
		p.Outcome = "it is killed if systemd-logind has KillUserProcesses=yes; otherwise " + logoutByTerminal(f)
		p.Why = "it is in the login's scope " + f.CgroupUnit + ", which logind ends at logout only with KillUserProcesses=yes (the upstream default; Debian ships no)"
	case f.CgroupKind == CgroupUserManager && systemd:
		p.Outcome = "it keeps running while the user's service manager runs: until the last session of that user ends, or for good with lingering (loginctl enable-linger)"
		p.Why = "it belongs to user@UID.service, not to the login session itself"
	case f.CgroupKind == CgroupService:
		p.Outcome = "nothing happens"
		p.Why = "it belongs to the system service " + f.CgroupUnit + ", outside every login session"
	case !systemd:
		p.Outcome = logoutByTerminal(f)
		p.Why = fmt.Sprintf("PID 1 here is %s, not systemd: there is no systemd-logind to end a session's processes, so only the login's terminal closing matters", pid1Name(f))
	default:
		p.Outcome = logoutByTerminal(f)
		p.Why = "it is in no login session scope, so logind has nothing to end; only the login's terminal closing matters"
	}
	return p
}

func logoutByTerminal(f Facts) string {
	if !f.hasTTY() {
		return "nothing happens (it has no terminal for the logout to close)"
	}
	if h := f.TermHolder; h != nil && isTerminalServer(h.Comm) {
		return fmt.Sprintf("nothing happens (its terminal is held by %s, which keeps running after the logout)", h.Comm)
	}
	return "its terminal closes, and then " + outcome(f, "SIGHUP")
}

func predictParentExit(f Facts) Prediction {
	p := Prediction{Event: EventParentExits}
	parent, ok := parentOf(f)
	switch {
	case f.PPID == 0:
		p.Outcome = "can't happen (it has no parent process)"
		p.Why = "PID 1 is started by the kernel; if PID 1 exits, the kernel panics (in a container, the whole PID namespace is killed)"
		return p
	case f.PPID == 1 || (ok && len(f.Ancestry) == 1):
		p.Outcome = fmt.Sprintf("can't happen while the system runs: its parent is PID 1 (%s)", pid1Name(f))
		p.Why = "if the init of a PID namespace exits, the kernel kills every process in it (on a host, the kernel panics)"
		return p
	}
	reaper := reaperName(f)
	p.Outcome = fmt.Sprintf("it keeps running and %s becomes its parent", reaper)
	p.Why = "the kernel reparents an orphan to the nearest child subreaper above it, else to PID 1, which must then reap it when it exits"
	if pid1Name(f) != "systemd" && !strings.HasPrefix(reaper, "the subreaper") {
		p.Why += fmt.Sprintf(". Here PID 1 is %s, not systemd: it is whoever reaps orphans on this machine, so 'daemons have PID 1 as parent' is a property of the machine", pid1Name(f))
	}
	if f.hasTTY() && ok && parent.PID == f.SID && f.Foreground {
		p.Outcome += "; and because its parent leads the session that owns " + f.TTY + ", the kernel sends SIGHUP to the foreground group: " + outcome(f, "SIGHUP")
	}
	if f.State == "T" {
		p.Outcome += "; as a stopped member of a process group that becomes orphaned, it gets SIGHUP then SIGCONT: " + outcome(f, "SIGHUP")
	}
	return p
}

func predictSignal(f Facts, sig, event string) Prediction {
	p := Prediction{Event: event, Outcome: outcome(f, sig)}
	p.Why = fmt.Sprintf("its disposition of %s, read from SigIgn and SigCgt in /proc/%d/status", sig, f.PID)
	if sig == "SIGHUP" {
		p.Why += "; the kernel gives SIGHUP no meaning beyond its default, terminate: reloading on SIGHUP is a daemon convention"
	}
	return p
}

func predictInterrupt(f Facts) Prediction {
	p := Prediction{Event: EventInterrupt}
	switch {
	case !f.hasTTY():
		p.Outcome = "can't happen (no terminal can send it ^C)"
		p.Why = "^C sends SIGINT to the foreground group of the terminal it is typed on; a kill -INT by hand would: " + outcome(f, "SIGINT")
	case f.Foreground:
		p.Outcome = outcome(f, "SIGINT")
		p.Why = fmt.Sprintf("the terminal driver sends SIGINT to %s's foreground group, which is its group %d", f.TTY, f.PGID)
	default:
		p.Outcome = "nothing (it is a background job)"
		p.Why = fmt.Sprintf("^C goes to %s's foreground group %d, not to its group %d", f.TTY, f.TPGID, f.PGID)
	}
	return p
}
