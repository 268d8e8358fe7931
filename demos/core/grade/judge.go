package grade

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"dlab/demos/core/proc"
)

// Why each item matters, with the daemon(7) step behind it.
const (
	whyBounded     = "A program that forks without bound fills the process table and takes the machine down with it; dlab held it in a pids cgroup or under RLIMIT_NPROC and ended every process."
	whyReturns     = "The shell (or the init script) that started a daemon waits for the command to finish; a SysV daemon's original process exits as soon as the daemon runs, so control comes back (daemon(7) steps 5 and 15)."
	whyExitStatus  = "An init script reads the start command's exit status: anything but 0 reports a failed start (daemon(7) step 15)."
	whySurvivor    = "The daemon is the process that goes on running after the start command returned; its parent has exited, so it is adopted by init or the nearest subreaper (daemon(7) step 8)."
	whyNoCtty      = "A process with a controlling terminal gets that terminal's signals (^C, ^Z, the hang-up) and job control can stop it; setsid() in the child leaves the terminal behind (daemon(7) step 6)."
	whyNewSession  = "A login session ends when the user logs out or closes the terminal, and what belongs to it can be ended with it; setsid() puts the daemon in a session of its own (daemon(7) step 6)."
	whyNotLeader   = "A session leader that opens a terminal device without O_NOCTTY acquires it as its controlling terminal; a second fork after setsid() makes the daemon a non-leader, so that can never happen (daemon(7) step 7)."
	whyStdio       = "On a terminal that has hung up, writes fail with EIO, a background read stops the process (SIGTTIN), and the open descriptors keep the terminal from being freed; connect 0, 1 and 2 to /dev/null or a log (daemon(7) step 9)."
	whyOtherFDs    = "Every inherited descriptor should be closed, except 0, 1 and 2: one left on the terminal keeps it open and ties the daemon to it (daemon(7) step 1)."
	whyCwd         = "A daemon's working directory is busy for as long as it runs: a filesystem holding it cannot be unmounted; chdir(\"/\") avoids that (daemon(7) step 11)."
	whyUmask       = "Files the daemon creates should get the modes it asks for, not whatever umask the person who started it had; reset it to 0 or a chosen value (daemon(7) step 10)."
	whyPIDFile     = "Init scripts and administrators find and signal the daemon through its PID file; it must name the daemon itself, so it is written after the last fork (daemon(7) step 12)."
	whyHangup      = "Closing the terminal window or losing an ssh connection hangs the terminal up: the kernel sends SIGHUP to the session leader, the shell, which passes it on to its jobs; a daemon must be out of reach of both."
	whySIGHUP      = "By convention SIGHUP asks a daemon to reload its configuration (nginx, sshd, rsyslog); a daemon has no terminal to hang up, so an administrator who sends it expects a reload, not a dead service. Catch it or ignore it."
	whySIGTERM     = "shutdown, init scripts and service managers stop a daemon with SIGTERM and follow with SIGKILL after a while; a daemon that ignores SIGTERM loses whatever it had not written when SIGKILL comes."
	whyPIDRemoved  = "A PID file left behind names a PID that the kernel will later give to an unrelated process, which the next 'stop' would then signal."
	whyLeftovers   = "When the daemon ends, so should everything it started; anything left runs on unsupervised, with nobody to stop it."
	whyForeground  = "A service manager supervises the process it started: if that process exits, the service counts as stopped (Type=simple) and everything left is killed; a new-style daemon stays in the foreground and does not fork (daemon(7), new-style daemons)."
	whyNoForkAway  = "A process that forks and leaves its parent escapes the service manager's tracking of the main process; the manager already provides the session, the cwd and the missing terminal that the SysV steps arrange (daemon(7), new-style daemons)."
	whyStderr      = "A service manager captures stderr (systemd sends it to the journal, with time stamps and the unit's name): a new-style daemon just writes its log lines there, no syslog or log file needed (daemon(7), new-style daemons)."
	whyReady       = "With Type=notify the service manager waits for READY=1 on the socket named in $NOTIFY_SOCKET before it starts what depends on the service (sd_notify(3)); without it, only Type=simple or Type=exec fit."
	whySIGTERMNew  = "systemctl stop sends SIGTERM and waits (TimeoutStopSec, 90s by default) before SIGKILL; a new-style daemon exits cleanly and promptly on SIGTERM (daemon(7), new-style daemons)."
	helperStandsIn = "dlab's harness, which stands in for init"
)

// Judge grades an observation. It is pure: the same observation gives the
// same result.
func Judge(o Observation) Result {
	r := Result{Mode: o.Mode, Command: o.Command, Output: o.Output, Aborted: o.Aborted, Observation: o}
	if o.ForkBomb != nil {
		r.Items = append(r.Items, boundedItem(o))
	}
	if o.Mode == NewStyle {
		r.Items = append(r.Items, newStyleItems(o)...)
	} else {
		r.Items = append(r.Items, sysvItems(o)...)
	}
	r.Passed = !o.Aborted
	var failed, unchecked []string
	for _, it := range r.Items {
		switch {
		case it.Status == Warn:
			r.Warnings++
		case it.Status == Fail:
			r.Failures++
			failed = append(failed, it.Title)
		case it.Status == Skip && it.Required:
			unchecked = append(unchecked, fmt.Sprintf("%s: %s", it.Title, strings.TrimPrefix(it.Observed, "not checked: ")))
		}
		// A required item that passes with a warning (stdin closed rather
		// than on /dev/null) still passes.
		if it.Required && it.Status != Pass && it.Status != Warn {
			r.Passed = false
		}
	}
	name := commandName(o.Command)
	kind := "a SysV daemon"
	if o.Mode == NewStyle {
		kind = "a new-style daemon"
	}
	switch {
	case o.Aborted:
		r.Summary = fmt.Sprintf("INTERRUPTED: the check of %s was stopped before it finished; everything it started has been ended", name)
	case r.Passed && r.Warnings == 0:
		r.Summary = fmt.Sprintf("PASS: %s behaves as %s", name, kind)
	case r.Passed:
		r.Summary = fmt.Sprintf("PASS: %s behaves as %s, with %s", name, kind, plural(r.Warnings, "warning"))
	case len(failed) > 0:
		r.Summary = fmt.Sprintf("FAIL: %s is not %s: %s failed (%s)", name, kind, plural(len(failed), "required check"), strings.Join(failed, "; "))
	case len(unchecked) > 0:
		r.Summary = fmt.Sprintf("FAIL: %s could not be checked as %s: %s not checked (%s)", name, kind, plural(len(unchecked), "required item"), strings.Join(unchecked, "; "))
	case len(o.Problems) > 0:
		r.Summary = fmt.Sprintf("FAIL: %s could not be checked as %s: %s", name, kind, o.Problems[0])
	default:
		r.Summary = fmt.Sprintf("FAIL: %s could not be checked as %s", name, kind)
	}
	if o.ForkBomb != nil {
		r.Notes = append(r.Notes, "contained by "+o.Containment)
	}
	if o.Ended > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("dlab ended %s still running at the end of the check", plural(o.Ended, "process")))
	}
	if o.RemovedPIDFile != "" {
		r.Notes = append(r.Notes, fmt.Sprintf("dlab removed %s: it named a process of the program that dlab ended, and a PID file left behind names a PID the kernel will give to another process", o.RemovedPIDFile))
	}
	r.Notes = append(r.Notes, o.Problems...)
	return r
}

func boundedItem(o Observation) Item {
	b := o.ForkBomb
	seen := fmt.Sprintf("%d processes at once %s", b.Seen, b.During)
	if b.LimitHit {
		seen = fmt.Sprintf("reached the limit of %d processes %s: more forks were refused", b.Max, b.During)
	}
	return Item{ID: "bounded", Title: "it starts a bounded number of processes", Required: true, Status: Fail,
		Observed: seen + "; it forks without bound, so dlab stopped and killed every one", Why: whyBounded}
}

// stage says why later items were not checked.
func stage(o Observation) string {
	switch {
	case o.Aborted:
		return "not checked: the check was interrupted"
	case o.ForkBomb != nil:
		return "not checked: the program forked without bound"
	case o.Original == nil:
		return "not checked: the program was not started"
	case o.Original.StartError != "":
		return "not checked: the program could not be started"
	case !o.Original.Exited:
		return "not checked: control never returned"
	case o.Daemon == nil:
		return "not checked: no process was left running"
	}
	return "not checked"
}

func sysvItems(o Observation) []Item {
	skip := stage(o)
	items := []Item{returnsItem(o), exitStatusItem(o, skip), survivorItem(o, skip)}
	d := o.Daemon
	if d == nil {
		for _, it := range []Item{
			{ID: "no-ctty", Title: "it has no controlling terminal", Required: true, Why: whyNoCtty},
			{ID: "new-session", Title: "it is in a new session", Required: true, Why: whyNewSession},
			{ID: "not-session-leader", Title: "it is not a session leader (second fork)", Why: whyNotLeader},
			{ID: "stdio", Title: "its stdin, stdout and stderr are not on the terminal", Required: true, Why: whyStdio},
			{ID: "other-fds", Title: "no other descriptor is on the terminal", Why: whyOtherFDs},
			{ID: "cwd", Title: "its working directory is /", Why: whyCwd},
			{ID: "umask", Title: "it sets its own umask", Why: whyUmask},
			{ID: "pidfile", Title: "a PID file names the daemon", Why: whyPIDFile},
			{ID: "hangup", Title: "it survives the terminal hanging up", Required: true, Why: whyHangup},
			{ID: "sighup", Title: "SIGHUP does not kill it", Why: whySIGHUP},
			{ID: "sigterm", Title: "SIGTERM ends it promptly", Required: true, Why: whySIGTERM},
			{ID: "pidfile-removed", Title: "it removes its PID file when it stops", Why: whyPIDRemoved},
			{ID: "leftovers", Title: "nothing it started outlives it", Why: whyLeftovers},
		} {
			it.Status, it.Observed = Skip, skip
			items = append(items, it)
		}
		return items
	}
	f := d.Facts
	after := "not checked: an earlier trial ended the daemon"
	if o.Aborted {
		after = "not checked: the check was interrupted"
	}

	// Controlling terminal: stat field 7.
	tty := Item{ID: "no-ctty", Title: "it has no controlling terminal", Required: true, Why: whyNoCtty}
	if !f.HasTTY() {
		tty.Status, tty.Observed = Pass, "no controlling terminal (tty_nr 0, ps shows ?)"
	} else {
		tty.Status, tty.Observed = Fail, fmt.Sprintf("its controlling terminal is %s%s", f.TTY, sameTerminal(f.TTY, o.Terminal))
	}

	sess := Item{ID: "new-session", Title: "it is in a new session", Required: true, Why: whyNewSession}
	if f.SID != o.CallerSID {
		sess.Status, sess.Observed = Pass, fmt.Sprintf("session %d, not the shell's session %d", f.SID, o.CallerSID)
	} else {
		sess.Status, sess.Observed = Fail, fmt.Sprintf("still in the shell's session %d: it never called setsid()", f.SID)
	}

	leader := Item{ID: "not-session-leader", Title: "it is not a session leader (second fork)", Why: whyNotLeader}
	switch {
	case f.SID == o.CallerSID:
		leader.Status, leader.Observed = Skip, "not checked: it has no session of its own"
	case f.SessionLeader:
		leader.Status, leader.Observed = Warn, fmt.Sprintf("PID %d leads session %d (SID = PID): it called setsid() but did not fork again", f.PID, f.SID)
	default:
		leader.Status, leader.Observed = Pass, fmt.Sprintf("PID %d is not the leader of session %d: it forked again after setsid()", f.PID, f.SID)
	}

	items = append(items, tty, sess, leader, stdioItem(o, f.FD), otherFDsItem(o, d), cwdItem(f.Cwd), umaskItem(o, f.Umask), pidFileItem(o))

	// The hang-up.
	hup := Item{ID: "hangup", Title: "it survives the terminal hanging up", Required: true, Why: whyHangup}
	switch h := o.Hangup; {
	case h == nil:
		hup.Status, hup.Observed = Skip, after
	case h.Alive:
		reach := "it is not in the terminal's session, so neither the kernel nor the shell sends it the SIGHUP"
		if h.InSession {
			reach = "it is still in the terminal's session, but its shell had no job left to pass SIGHUP to"
		}
		hup.Status, hup.Observed = Pass, fmt.Sprintf("dlab hung up the terminal (the shell got SIGHUP and exited); PID %d is still running: %s", f.PID, reach)
	default:
		hup.Status, hup.Observed = Fail, fmt.Sprintf("PID %d %s when the terminal hung up (SIGHUP %s)", f.PID, h.How, h.Disposition)
	}

	hupSig := Item{ID: "sighup", Title: "SIGHUP does not kill it", Why: whySIGHUP}
	switch h := o.SIGHUP; {
	case h == nil:
		hupSig.Status, hupSig.Observed = Skip, after
	case h.NotDone != "":
		hupSig.Status, hupSig.Observed = Skip, "not checked: "+h.NotDone
	case h.Alive:
		hupSig.Status, hupSig.Observed = Pass, fmt.Sprintf("after kill -HUP it is still running (SIGHUP %s)%s", h.Disposition, fresh(h))
	default:
		hupSig.Status, hupSig.Observed = Warn, fmt.Sprintf("kill -HUP: %s (SIGHUP %s)%s", h.How, h.Disposition, fresh(h))
	}

	items = append(items, hup, hupSig, sigtermItem(o.SIGTERM, after, whySIGTERM))

	removed := Item{ID: "pidfile-removed", Title: "it removes its PID file when it stops", Why: whyPIDRemoved}
	switch pf := o.PIDFile; {
	case o.SIGTERM == nil:
		removed.Status, removed.Observed = Skip, after
	case o.SIGTERM.NotDone != "":
		removed.Status, removed.Observed = Skip, "not checked: SIGTERM could not be tried"
	case pf == nil || !pf.Found || pf.Removed == nil:
		removed.Status, removed.Observed = Skip, "not checked: no PID file was found"
	case o.SIGTERM.Killed:
		removed.Status, removed.Observed = Skip, "not checked: it had to be killed with SIGKILL"
	case *pf.Removed:
		removed.Status, removed.Observed = Pass, fmt.Sprintf("%s is gone after it stopped", pf.Path)
	default:
		removed.Status, removed.Observed = Warn, fmt.Sprintf("%s is still there after it stopped", pf.Path)
	}
	items = append(items, removed, leftoversItem(o, after))
	return items
}

func returnsItem(o Observation) Item {
	it := Item{ID: "returns", Title: "control returns to the caller promptly", Required: true, Why: whyReturns}
	og := o.Original
	switch {
	case og == nil:
		it.Status, it.Observed = Skip, stage(o)
	case og.StartError != "":
		it.Status, it.Observed = Fail, "could not start it: "+og.StartError
	case og.Exited:
		it.Status, it.Observed = Pass, fmt.Sprintf("the original process (PID %d) %s after %s", og.PID, og.How, ms(og.After))
	case o.ForkBomb != nil:
		it.Status, it.Observed = Skip, stage(o)
	case o.Aborted:
		it.Status, it.Observed = Skip, stage(o)
	default:
		where := "the shell is still waiting for it"
		if og.StillForeground {
			where = "it is still running in the foreground, like a normal program"
		}
		within := o.Timeout.String()
		if o.StretchedFor != "" {
			within += " (" + o.StretchedFor + ")"
		}
		it.Status, it.Observed = Fail, fmt.Sprintf("did not return control within %s: %s (if it is meant to run under a service manager, check it with --new-style)", within, where)
	}
	return it
}

func exitStatusItem(o Observation, skip string) Item {
	it := Item{ID: "exit-status", Title: "the original process reports success", Why: whyExitStatus}
	og := o.Original
	switch {
	case og == nil || !og.Exited:
		it.Status, it.Observed = Skip, skip
	case og.ExitCode == 0:
		it.Status, it.Observed = Pass, "exit status 0"
	case og.ExitCode == 127:
		it.Status, it.Observed = Warn, og.How+": a command in it was not found"
	default:
		it.Status, it.Observed = Warn, og.How
	}
	return it
}

func survivorItem(o Observation, skip string) Item {
	it := Item{ID: "survivor", Title: "a process keeps running after the original exits", Required: true, Why: whySurvivor}
	switch {
	case o.Original == nil || !o.Original.Exited || o.ForkBomb != nil || o.Aborted && o.Daemon == nil:
		it.Status, it.Observed = Skip, skip
	case o.Daemon == nil:
		it.Status, it.Observed = Fail, "nothing was left running: the program exited without leaving a daemon behind"
	default:
		f := o.Daemon.Facts
		parent := fmt.Sprintf("its parent is PID %d (%s)", f.PPID, f.ParentComm)
		if f.PPID == o.Harness {
			parent = fmt.Sprintf("its parent is now PID %d, %s", f.PPID, helperStandsIn)
		}
		s := fmt.Sprintf("PID %d (%s), %s; %s", f.PID, f.Comm, o.Daemon.Chosen, parent)
		if n := len(o.Survivors); n > 1 {
			s += fmt.Sprintf("; %d processes in all", n)
		}
		it.Status, it.Observed = Pass, s
	}
	return it
}

func stdioItem(o Observation, fds [3]string) Item {
	it := Item{ID: "stdio", Title: "its stdin, stdout and stderr are not on the terminal", Required: true, Why: whyStdio}
	var parts, onTTY, closed []string
	for i, t := range fds {
		switch {
		case t == "":
			parts = append(parts, fmt.Sprintf("%d closed", i))
			closed = append(closed, fmt.Sprint(i))
		default:
			parts = append(parts, fmt.Sprintf("%d → %s", i, t))
			if proc.IsTerminalDevice(t) {
				onTTY = append(onTTY, fmt.Sprint(i))
			}
		}
	}
	seen := strings.Join(parts, ", ")
	switch {
	case len(onTTY) > 0:
		it.Status, it.Observed = Fail, fmt.Sprintf("%s: fd %s still on the terminal%s", seen, strings.Join(onTTY, ", "), sameTerminal(fds[firstIndex(fds)], o.Terminal))
	case len(closed) > 0:
		it.Status, it.Observed = Warn, fmt.Sprintf("%s: a closed fd 0-2 is taken by the next file the daemon opens, which then receives what it prints; connect it to /dev/null", seen)
	default:
		it.Status, it.Observed = Pass, seen
	}
	return it
}

func firstIndex(fds [3]string) int {
	for i, t := range fds {
		if proc.IsTerminalDevice(t) {
			return i
		}
	}
	return 0
}

func sameTerminal(tty, terminal string) string {
	if terminal != "" && (strings.TrimPrefix(terminal, "/dev/") == tty || terminal == tty) {
		return ", the terminal it was started from"
	}
	return ""
}

func otherFDsItem(o Observation, d *Daemon) Item {
	it := Item{ID: "other-fds", Title: "no other descriptor is on the terminal", Why: whyOtherFDs}
	var others []string
	for _, n := range d.TerminalFDs {
		if n > 2 {
			others = append(others, fmt.Sprint(n))
		}
	}
	if len(others) == 0 {
		it.Status, it.Observed = Pass, "no descriptor above 2 points at the terminal"
	} else {
		it.Status, it.Observed = Warn, fmt.Sprintf("fd %s → %s", strings.Join(others, ", "), o.Terminal)
	}
	return it
}

func cwdItem(cwd string) Item {
	it := Item{ID: "cwd", Title: "its working directory is /", Why: whyCwd}
	switch cwd {
	case "":
		it.Status, it.Observed = Skip, "not checked: its cwd could not be read"
	case "/":
		it.Status, it.Observed = Pass, "cwd /"
	default:
		it.Status, it.Observed = Warn, "cwd "+cwd
	}
	return it
}

func umaskItem(o Observation, umask int) Item {
	it := Item{ID: "umask", Title: "it sets its own umask", Why: whyUmask}
	switch {
	case umask < 0:
		it.Status, it.Observed = Skip, "not checked: this kernel does not show the umask (Linux 4.7+ does)"
	case umask == o.InheritedUmask:
		it.Status, it.Observed = Warn, fmt.Sprintf("umask %04o, the one it inherited from dlab's shell: it did not set its own", umask)
	default:
		it.Status, it.Observed = Pass, fmt.Sprintf("umask %04o (it was started with %04o)", umask, o.InheritedUmask)
	}
	return it
}

func pidFileItem(o Observation) Item {
	it := Item{ID: "pidfile", Title: "a PID file names the daemon", Why: whyPIDFile}
	pf, d := o.PIDFile, o.Daemon
	switch {
	case pf == nil || (!pf.Found && pf.Path == ""):
		where := "the usual places"
		if pf != nil && len(pf.Searched) > 0 {
			where = strings.Join(pf.Searched, ", ")
		}
		it.Status, it.Observed = Warn, fmt.Sprintf("no PID file found: none named in its arguments, and no new *.pid file naming it in %s (tell dlab with --pidfile PATH)", where)
	case pf.Refused != "":
		it.Status, it.Observed = Warn, fmt.Sprintf("dlab did not read it: %s (%s)", pf.Refused, pf.Source)
	case !pf.Found:
		it.Status, it.Observed = Warn, fmt.Sprintf("%s (%s) was never written", pf.Path, pf.Source)
	case pf.PID == 0:
		it.Status, it.Observed = Warn, fmt.Sprintf("%s holds %q, not a PID", pf.Path, clip(pf.Content))
	case pf.PID == d.Facts.PID:
		it.Status, it.Observed = Pass, fmt.Sprintf("%s (%s) holds %d, the daemon", pf.Path, pf.Source, pf.PID)
	case o.Original != nil && pf.PID == o.Original.PID:
		it.Status, it.Observed = Warn, fmt.Sprintf("%s holds %d, the original process that exited, not the daemon (%d): write it after the last fork", pf.Path, pf.PID, d.Facts.PID)
	default:
		it.Status, it.Observed = Warn, fmt.Sprintf("%s holds %d, but the daemon is %d", pf.Path, pf.PID, d.Facts.PID)
	}
	return it
}

// fresh says that a trial was done on a second start of the program.
func fresh(t *Trial) string {
	if t.FreshPID == 0 {
		return ""
	}
	return fmt.Sprintf(", tried on a fresh start of the program (PID %d), since an earlier trial had ended the first daemon or would have", t.FreshPID)
}

func sigtermItem(t *Trial, skip, why string) Item {
	it := Item{ID: "sigterm", Title: "SIGTERM ends it promptly", Required: true, Why: why}
	switch {
	case t == nil:
		it.Status, it.Observed = Skip, skip
	case t.NotDone != "":
		it.Status, it.Observed = Skip, "not checked: "+t.NotDone
	case t.Killed:
		why := "SIGTERM " + t.Disposition
		switch proc.Disposition(t.Disposition) {
		case proc.Ignored:
			why = "it ignores SIGTERM (SigIgn)"
		case proc.Caught:
			why = "it catches SIGTERM (SigCgt) but its handler does not end it"
		case proc.Default:
			why = "SIGTERM has its default action, so it is probably blocked (SigBlk)"
		}
		it.Status, it.Observed = Fail, fmt.Sprintf("still running %s after SIGTERM: %s; dlab killed it with SIGKILL%s", ms(t.After), why, fresh(t))
	default:
		it.Status, it.Observed = Pass, fmt.Sprintf("%s %s after SIGTERM%s", t.How, ms(t.After), fresh(t))
	}
	return it
}

func leftoversItem(o Observation, skip string) Item {
	it := Item{ID: "leftovers", Title: "nothing it started outlives it", Why: whyLeftovers}
	switch {
	case o.SIGTERM == nil:
		it.Status, it.Observed = Skip, skip
	case o.SIGTERM.NotDone != "":
		it.Status, it.Observed = Skip, "not checked: SIGTERM could not be tried"
	case len(o.Leftovers) == 0:
		it.Status, it.Observed = Pass, "nothing of it is left running"
	default:
		var ps []string
		for _, p := range o.Leftovers {
			ps = append(ps, fmt.Sprintf("%d (%s)", p.PID, p.Comm))
		}
		it.Status, it.Observed = Warn, fmt.Sprintf("still running after it ended: %s; dlab ended them", strings.Join(ps, ", "))
	}
	return it
}

func newStyleItems(o Observation) []Item {
	skip := stage(o)
	s := o.Service
	fg := Item{ID: "foreground", Title: "it stays in the foreground", Required: true, Why: whyForeground}
	fork := Item{ID: "no-fork-away", Title: "it does not fork away", Required: true, Why: whyNoForkAway}
	logs := Item{ID: "stderr", Title: "it logs to stderr", Why: whyStderr}
	ready := Item{ID: "ready", Title: "it sends READY=1 to $NOTIFY_SOCKET", Why: whyReady}
	if s == nil {
		if o.Original != nil && o.Original.StartError != "" {
			fg.Status, fg.Observed = Fail, "could not start it: "+o.Original.StartError
		} else {
			fg.Status, fg.Observed = Skip, skip
		}
		items := []Item{fg, fork, logs, ready, {ID: "sigterm", Title: "SIGTERM ends it promptly", Required: true, Why: whySIGTERMNew}, {ID: "leftovers", Title: "nothing it started outlives it", Why: whyLeftovers}}
		for i := 1; i < len(items); i++ {
			items[i].Status, items[i].Observed = Skip, skip
		}
		return items
	}
	var escaped []string
	for _, p := range s.Escaped {
		escaped = append(escaped, fmt.Sprintf("PID %d (%s)", p.PID, p.Comm))
	}
	switch {
	case o.ForkBomb != nil || o.Aborted:
		fg.Status, fg.Observed = Skip, skip
	case !s.Exited && s.Ready:
		fg.Status, fg.Observed = Pass, fmt.Sprintf("PID %d is still running after READY=1", s.PID)
	case !s.Exited:
		fg.Status, fg.Observed = Pass, fmt.Sprintf("PID %d is still running after %s", s.PID, ms(s.Window))
	case len(escaped) > 0:
		fg.Status, fg.Observed = Fail, fmt.Sprintf("the started process (PID %d) %s after %s, leaving %s running in the background: it daemonized itself", s.PID, s.How, ms(s.After), strings.Join(escaped, ", "))
	default:
		fg.Status, fg.Observed = Fail, fmt.Sprintf("the started process (PID %d) %s after %s and left nothing running", s.PID, s.How, ms(s.After))
	}
	switch {
	case o.ForkBomb != nil || o.Aborted:
		fork.Status, fork.Observed = Skip, skip
	case len(escaped) == 0:
		fork.Status, fork.Observed = Pass, "no process left its tree"
	default:
		fork.Status, fork.Observed = Fail, fmt.Sprintf("%s left its tree and was adopted by %s, standing in for the service manager", strings.Join(escaped, ", "), helperStandsIn)
	}
	switch {
	case s.StderrLines > 0:
		logs.Status, logs.Observed = Pass, fmt.Sprintf("%s on stderr, the first: %q", plural(s.StderrLines, "line"), clip(s.FirstStderr))
	case s.StdoutLines > 0:
		logs.Status, logs.Observed = Warn, fmt.Sprintf("nothing on stderr, %s on stdout: systemd reads stdout too, but many runtimes buffer stdout on a pipe, so lines arrive late or are lost on a crash", plural(s.StdoutLines, "line"))
	default:
		logs.Status, logs.Observed = Warn, "nothing on stderr or stdout: the journal would have nothing from it"
	}
	if s.Ready {
		ready.Status, ready.Observed = Pass, fmt.Sprintf("READY=1 after %s", ms(s.ReadyAfter))
	} else {
		ready.Status, ready.Observed = Warn, fmt.Sprintf("no READY=1 within %s: fine for Type=simple or Type=exec; a Type=notify unit would wait for it and fail", ms(s.Window))
	}
	after := "not checked: it had already exited"
	if o.Aborted || o.ForkBomb != nil {
		after = skip
	}
	return []Item{fg, fork, logs, ready, sigtermItem(o.SIGTERM, after, whySIGTERMNew), leftoversItem(o, after)}
}

func commandName(cmd []string) string {
	if len(cmd) == 0 {
		return "the program"
	}
	return filepath.Base(cmd[0])
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "s") {
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// ms rounds a duration for people: "12ms", "1.2s".
func ms(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
