package inspect

import (
	"fmt"
	"strings"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// Events the predictions cover, in the order they are shown. The ids are
// stable: scripts and the live tests match on them.
const (
	EventTerminalCloses = "terminal-closes"
	EventLogout         = "logout"
	EventParentExits    = "parent-exits"
	EventHUP            = "sighup"
	EventCtrlC          = "ctrl-c"
	EventINT            = "sigint"
	EventTERM           = "sigterm"
)

// EventLabel is how the text output names an event.
func EventLabel(event string) string {
	if l, ok := eventLabels[event]; ok {
		return l
	}
	return event
}

var eventLabels = map[string]string{
	EventTerminalCloses: "terminal closes", EventLogout: "user logs out", EventParentExits: "parent exits",
	EventHUP: "kill -HUP", EventCtrlC: "^C on its terminal", EventINT: "kill -INT", EventTERM: "kill (SIGTERM)",
}

// Effect is what an event does to the process, in one word a test can
// check by making the event happen.
type Effect string

const (
	EffectEnds           Effect = "ends"
	EffectSurvives       Effect = "survives"
	EffectStops          Effect = "stops"           // job control stops it
	EffectProgramDecides Effect = "program-decides" // a handler runs, or the signal waits blocked: the program's choice
	EffectUnknown        Effect = "unknown"         // the deciding fact can't be read from /proc
)

// predict says what would happen to the process on each event, from the
// evidence alone. The live tests make each event happen and compare.
func predict(f Facts, v Verdict, k Kind) []Prediction {
	switch v {
	case KernelThread:
		return []Prediction{
			{EventTerminalCloses, EffectSurvives, "nothing", "a kernel thread has no terminal"},
			{EventLogout, EffectSurvives, "nothing", "a kernel thread belongs to no login"},
			{EventParentExits, EffectSurvives, "can't happen", "its parent is kthreadd or the kernel itself, which never exits while the system runs"},
			{EventHUP, EffectSurvives, "nothing", "kernel threads ignore signals unless their code asks for one"},
		}
	case Zombie:
		return []Prediction{
			{EventTerminalCloses, EffectSurvives, "nothing", "it has already exited"},
			{EventLogout, EffectSurvives, "nothing", "it has already exited"},
			{EventParentExits, EffectEnds, fmt.Sprintf("it is adopted by %s and reaped, and disappears", reaperName(f)),
				"reparenting a zombie to PID 1 or a subreaper is how zombies normally go away: the new parent calls wait()"},
			{EventHUP, EffectSurvives, "nothing", "a zombie can't be signalled back to life: only its parent's wait() removes it"},
		}
	}
	return []Prediction{
		predictHangup(f),
		predictLogout(f),
		predictParentExit(f, k),
		predictSignal(f, "SIGHUP", EventHUP),
		predictInterrupt(f),
		predictSignal(f, "SIGINT", EventINT),
		predictSignal(f, "SIGTERM", EventTERM),
	}
}

var signalNumbers = map[string]unix.Signal{"SIGHUP": unix.SIGHUP, "SIGINT": unix.SIGINT, "SIGTERM": unix.SIGTERM}

func (f Facts) blocked(sig string) bool {
	for _, s := range f.SigBlk {
		if s == sig {
			return true
		}
	}
	return false
}

// fate is what a signal does to the process once the kernel delivers it,
// with the rule that decides it.
func fate(f Facts, sig string) (Effect, string) {
	d := f.Signals[sig]
	if f.hidden("status") || d == "" {
		return EffectUnknown, "unknown: dlab could not read its signal dispositions (/proc/PID/status)"
	}
	var e Effect
	var text string
	switch {
	case d == "ignored":
		e, text = EffectSurvives, "nothing (it ignores "+sig+")"
	case f.isNamespaceInit() && d == "default":
		// The kernel marks a namespace's init SIGNAL_UNKILLABLE: a signal
		// without a handler is dropped, whoever sends it (only SIGKILL and
		// SIGSTOP from an ancestor namespace get through).
		e, text = EffectSurvives, fmt.Sprintf("nothing: it is PID 1 of its PID namespace%s, and the kernel drops signals its init has no handler for, from inside the namespace and from ancestor namespaces alike (only SIGKILL and SIGSTOP from an ancestor get through)", nspidNote(f))
	case f.blocked(sig):
		e, text = EffectProgramDecides, fmt.Sprintf("it stays pending: %s is blocked (SigBlk), so the kernel holds it until the program unblocks it or reads it with signalfd or sigwait (as script(1) does); then its disposition, %s, applies", sig, d)
	case d == "caught":
		e, text = EffectProgramDecides, caughtText(f, sig)
	default:
		e, text = EffectEnds, "it terminates (the default action of "+sig+")"
	}
	if f.TracerPID > 0 {
		text += fmt.Sprintf("; it is traced by %s (PID %d): each signal stops it first for the tracer, which may pass the signal on or suppress it", f.TracerComm, f.TracerPID)
	}
	return e, text
}

func nspidNote(f Facts) string {
	if len(f.NSpid) > 1 {
		return fmt.Sprintf(" (NSpid %s: PID %d outside, 1 inside)", joinInts(f.NSpid), f.NSpid[0])
	}
	return ""
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, " ")
}

// caughtText says what a handled signal does: known behaviour for programs
// whose manual documents it, the convention as a convention otherwise.
func caughtText(f Facts, sig string) string {
	if b, ok := knownHandlers[f.Comm][sig]; ok {
		return "its handler runs; " + b
	}
	if f.isGo() {
		return fmt.Sprintf("the Go runtime catches %s: the program handles it if it called signal.Notify for it, otherwise the runtime ends it", sig)
	}
	if sig == "SIGHUP" {
		return "its handler runs: what it does is the program's choice. By convention (not a kernel rule) a daemon reloads its configuration or reopens its logs; an interactive program cleans up and exits"
	}
	return "its handler runs: what it does is the program's choice (usually clean up and exit)"
}

// knownHandlers are what programs do with the signals they catch, from
// their manual pages.
var knownHandlers = map[string]map[string]string{
	"nginx": {"SIGHUP": "nginx(8): the master rereads its configuration, starts new workers and gracefully retires the old ones; it keeps running",
		"SIGTERM": "nginx(8): fast shutdown: the master and its workers exit", "SIGINT": "nginx(8): fast shutdown"},
	"sshd":        {"SIGHUP": "sshd(8): it re-executes itself with the options it was started with, rereading its configuration; same PID, keeps running"},
	"runsvdir":    {"SIGHUP": "runsvdir(8): it sends SIGTERM to every runsv it monitors and exits (111): it stops, and its services with it", "SIGTERM": "runsvdir(8): it exits at once, leaving its runsv processes running"},
	"runsv":       {"SIGTERM": "runsv(8): as `sv x`: it takes its service down and exits"},
	"chronyd":     {"SIGHUP": "chronyd treats SIGHUP like SIGTERM: it exits", "SIGTERM": "chronyd exits cleanly"},
	"haproxy":     {"SIGHUP": "haproxy(1): it only writes the state of its servers to its logs; it keeps running"},
	"rsyslogd":    {"SIGHUP": "rsyslogd(8): it closes and reopens its output files (for log rotation); it keeps running"},
	"supervisord": {"SIGHUP": "supervisord(1): it stops all its programs, rereads its configuration and starts them again; it keeps running", "SIGTERM": "supervisord(1): it stops its programs and exits"},
	"dnsmasq":     {"SIGHUP": "dnsmasq(8): it clears its cache and rereads /etc/hosts; it keeps running"},
	"apache2":     {"SIGHUP": "apachectl(8) restart: the parent kills its children, rereads its configuration and starts new ones; it keeps running"},
	"postgres":    {"SIGHUP": "postgres: the server rereads its configuration files; it keeps running"},
	"cron":        {"SIGHUP": "cron(8) on Debian: it rereads its crontabs; it keeps running"},
	"script":      {"SIGHUP": "script(1) reads signals through a signalfd: on a hang-up it ends its child and exits"},
	"bash":        {"SIGHUP": "an interactive bash resends SIGHUP to its jobs and exits", "SIGTERM": "an interactive bash ignores SIGTERM"},
}

// permission says whether the observer's own kill would be allowed:
// kill(2) lets an unprivileged sender signal a process only when the
// sender's real or effective uid equals the target's real or saved uid.
func permission(f Facts) (string, bool) {
	o := f.Observer
	if !o.Known || o.Root || f.UID < 0 {
		return "", true
	}
	for _, s := range []int{o.UID, o.EUID} {
		if s == f.UID || s == f.SUID {
			return "", true
		}
	}
	return fmt.Sprintf("your own kill would fail with EPERM: you are uid %d and it runs as uid %d (kill(2) needs the same real or saved uid, or CAP_KILL: root)", o.UID, f.UID), false
}

func predictSignal(f Facts, sig, event string) Prediction {
	e, text := fate(f, sig)
	p := Prediction{Event: event, Effect: e, Outcome: text}
	p.Why = fmt.Sprintf("its disposition of %s (signal %d), read from SigBlk, SigIgn and SigCgt in /proc/%d/status", sig, signalNumbers[sig], f.PID)
	if sig == "SIGHUP" {
		p.Why += "; the kernel gives SIGHUP no meaning beyond its default, terminate: reloading on SIGHUP is a daemon convention"
	}
	if msg, ok := permission(f); !ok {
		p.Outcome = msg + ". Sent by root or its owner: " + p.Outcome
	}
	return p
}

func predictHangup(f Facts) Prediction {
	p := Prediction{Event: EventTerminalCloses}
	if !f.hasTTY() {
		p.Effect = EffectSurvives
		p.Outcome = "nothing (it has no controlling terminal, so no hang-up is sent to it)"
		p.Why = "the kernel sends SIGHUP on a hang-up only to the session that owns the terminal"
		if on := stdioOnTerminal(f); on != "" {
			p.Outcome = "no SIGHUP, but its I/O to that terminal starts failing"
			p.Why = "it has no controlling terminal, yet " + strings.TrimPrefix(on, "its ")
		}
		return p
	}
	if h := f.TermHolder; h != nil && isTerminalServer(h.Comm) {
		e, text := fate(f, "SIGHUP")
		p.Effect = EffectSurvives
		p.Outcome = fmt.Sprintf("closing the window or ssh connection you attached from does nothing to it: %s (PID %d) holds %s and keeps it open", h.Comm, h.PID, f.TTY)
		p.Why = fmt.Sprintf("only when the server closes the pane (kill-pane, the server exiting) does %s hang up; then: %s (%s)", f.TTY, text, e)
		return p
	}
	e, text := fate(f, "SIGHUP")
	switch {
	case f.SessionLeader:
		p.Effect, p.Outcome = e, text
		p.Why = fmt.Sprintf("it leads the session that owns %s, so the kernel sends it SIGHUP (then SIGCONT) when the terminal hangs up", f.TTY)
	case f.Foreground:
		p.Effect, p.Outcome = e, text
		p.Why = fmt.Sprintf("the kernel sends SIGHUP to the session leader (%s); an interactive shell passes it on to its jobs, and when the leader exits the kernel sends SIGHUP to the foreground group, this one", leaderName(f))
	case f.PPID == f.SID && e == EffectEnds:
		// Its parent is the session's shell: a job, unless it was disowned.
		p.Effect = EffectUnknown
		p.Outcome = "it ends if the shell still tracks it as a job (the shell resends SIGHUP to its jobs: " + text + "); if it was disowned, it gets no SIGHUP and keeps running without its terminal"
		p.Why = fmt.Sprintf("the kernel sends SIGHUP to the session leader (%s) and the foreground group only; the shell forwards it to the jobs it still tracks, and `disown` leaves no trace in /proc", leaderName(f))
	case f.PPID == f.SID:
		p.Effect, p.Outcome = e, text
		p.Why = fmt.Sprintf("the shell (%s) resends SIGHUP to its jobs, this one included unless it was disowned", leaderName(f))
	default:
		p.Effect = EffectSurvives
		p.Outcome = "no SIGHUP reaches it: it keeps running, but its reads of the terminal get EOF and its writes fail"
		p.Why = fmt.Sprintf("it is a background process whose parent is not the session's shell (%s), so no shell tracks it as a job: the kernel sends SIGHUP only to the session leader and the foreground group", leaderName(f))
		if f.State == "T" {
			p.Effect, p.Outcome = e, "as a stopped member of a process group that becomes orphaned, it gets SIGHUP then SIGCONT: "+text
		}
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
	hang := predictHangup(f)
	switch {
	case f.CgroupKind == CgroupSession && systemd:
		p.Effect = EffectUnknown
		p.Outcome = "it is killed if systemd-logind has KillUserProcesses=yes; otherwise " + logoutByTerminal(f)
		p.Why = "it is in the login's scope " + f.CgroupUnit + ", which logind ends at logout only with KillUserProcesses=yes (the upstream default; Debian ships no)"
	case f.CgroupKind == CgroupUserManager && systemd:
		p.Effect = EffectSurvives
		p.Outcome = "it keeps running while the user's service manager runs: until the last session of that user ends, or for good with lingering (loginctl enable-linger)"
		p.Why = "it belongs to user@UID.service, not to the login session itself"
	case f.CgroupKind == CgroupService:
		p.Effect = EffectSurvives
		p.Outcome = "nothing happens"
		p.Why = "it belongs to the system service " + f.CgroupUnit + ", outside every login session"
	case !systemd:
		p.Effect = hang.Effect
		p.Outcome = logoutByTerminal(f)
		p.Why = fmt.Sprintf("PID 1 here is %s, not systemd: there is no systemd-logind to end a session's processes, so only the login's terminal closing matters", pid1Name(f))
	default:
		p.Effect = hang.Effect
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
	return "its terminal closes, and then: " + predictHangup(f).Outcome
}

// parentHoldsMaster is true when the parent holds the master side of the
// process's pseudo-terminal (script, tmux, sshd, a terminal emulator):
// when it exits, the terminal hangs up.
func parentHoldsMaster(f Facts) bool {
	h := f.TermHolder
	return f.hasTTY() && h != nil && h.PID == f.PPID && h.Confirmed
}

const pdeathsig = "a parent-death signal (prctl PR_SET_PDEATHSIG) is invisible in /proc: a process that asked for one gets that signal when its parent exits"

func predictParentExit(f Facts, k Kind) Prediction {
	p := Prediction{Event: EventParentExits}
	parent, ok := parentOf(f)
	switch {
	case f.PPID == 0:
		p.Effect = EffectSurvives
		p.Outcome = "can't happen (it has no parent process)"
		p.Why = "PID 1 is started by the kernel; if PID 1 exits, the kernel panics (in a container, the whole PID namespace is killed)"
		return p
	case f.PPID == 1 || (ok && len(f.Ancestry) == 1):
		p.Effect = EffectSurvives
		p.Outcome = fmt.Sprintf("can't happen while the system runs: its parent is PID 1 (%s)", pid1Name(f))
		p.Why = "if the init of a PID namespace exits, the kernel kills every process in it (on a host, the kernel panics)"
		return p
	case !ok:
		p.Effect = EffectUnknown
		p.Outcome = "unknown: dlab could not read its parent"
		p.Why = pdeathsig
		return p
	}
	if parentHoldsMaster(f) {
		e, text := fate(f, "SIGHUP")
		p.Why = fmt.Sprintf("%s (PID %d) holds the master side of %s: when it exits the master closes, the terminal hangs up and the kernel sends SIGHUP to the session leader (and then to the foreground group)", parent.Comm, parent.PID, f.TTY)
		if f.SessionLeader || f.Foreground {
			p.Effect, p.Outcome = e, "its terminal hangs up and it gets SIGHUP: "+text
		} else {
			p.Effect, p.Outcome = EffectUnknown, "its terminal hangs up; it is not the session leader nor in the foreground, so whether SIGHUP reaches it depends on the session's shell"
		}
		return p
	}
	if s, sup := supervisorOf(f); sup {
		if s.OnStop != "" {
			p.Effect = s.StopEffect
			p.Outcome = "when " + s.OnStop + ", it ends; if the supervisor is killed outright (SIGKILL), it is orphaned and keeps running, adopted by " + reaperName(f)
		} else {
			p.Effect = EffectUnknown
			p.Outcome = fmt.Sprintf("unknown: dlab doesn't know what %s does to its service when it exits", s.Name)
		}
		p.Why = fmt.Sprintf("its parent is %s, which supervises it; %s", s.Name, pdeathsig)
		return p
	}
	if k == KindWorker {
		p.Effect = EffectUnknown
		p.Outcome = fmt.Sprintf("unknown: a master like %s usually ends its workers when it exits the usual way, and workers that watch their master (postgres, apache) exit when it dies; if not, it keeps running, adopted by %s. dlab can't tell which: a parent-death signal (PR_SET_PDEATHSIG) is invisible in /proc", parent.Comm, reaperName(f))
		p.Why = pdeathsig
		return p
	}
	reaper := reaperName(f)
	p.Effect = EffectSurvives
	p.Outcome = fmt.Sprintf("it keeps running and %s becomes its parent", reaper)
	p.Why = "the kernel reparents an orphan to the nearest child subreaper above it, else to PID 1, which must then reap it when it exits; " + pdeathsig
	if pid1Name(f) != "systemd" && !strings.HasPrefix(reaper, "the subreaper") {
		p.Why += fmt.Sprintf(". Here PID 1 is %s, not systemd: it is whoever reaps orphans on this machine", pid1Name(f))
	}
	if f.hasTTY() && parent.PID == f.SID && f.Foreground {
		e, text := fate(f, "SIGHUP")
		p.Effect = e
		p.Outcome = "its parent leads the session that owns " + f.TTY + ": when it exits, the kernel sends SIGHUP to the foreground group, this one: " + text
		p.Why = "when a session leader exits, the kernel hangs up its terminal for the rest of the session: SIGHUP (and SIGCONT) to the foreground process group; the orphan is then reparented to " + reaper
	}
	if f.State == "T" {
		e, text := fate(f, "SIGHUP")
		p.Effect = e
		p.Outcome += "; as a stopped member of a process group that becomes orphaned, it gets SIGHUP then SIGCONT: " + text
	}
	return p
}

func predictInterrupt(f Facts) Prediction {
	p := Prediction{Event: EventCtrlC}
	switch {
	case !f.hasTTY():
		p.Effect = EffectSurvives
		p.Outcome = "can't happen (no terminal can send it ^C)"
		p.Why = "^C sends SIGINT to the foreground group of the terminal it is typed on; it has none"
	case f.Foreground:
		p.Effect, p.Outcome = fate(f, "SIGINT")
		p.Why = fmt.Sprintf("the terminal driver sends SIGINT to %s's foreground group, which is its group %d", f.TTY, f.PGID)
	case f.observerHoldsForeground():
		p.Effect = EffectSurvives
		p.Outcome = "while dlab runs, ^C goes to dlab, not to it; typed at its prompt later, " + func() string { _, t := fate(f, "SIGINT"); return t }()
		p.Why = fmt.Sprintf("the foreground group of %s is dlab's (%d) while dlab runs", f.TTY, f.TPGID)
	default:
		p.Effect = EffectSurvives
		p.Outcome = "nothing (it is a background job)"
		p.Why = fmt.Sprintf("^C goes to %s's foreground group %d, not to its group %d", f.TTY, f.TPGID, f.PGID)
	}
	return p
}

var _ = proc.SignalName
