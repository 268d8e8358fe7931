package inspect

import (
	"fmt"
	"strings"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// Judge decides the verdict from the facts and lays out the evidence, the
// summary and the predictions. It is pure: the same facts give the same
// report.
func Judge(f Facts) Report {
	r := Report{PID: f.PID, Command: f.Comm, Facts: f}
	r.Verdict, r.Kind, r.KindWhy = classify(f)
	switch r.Verdict {
	case KernelThread:
		r.Evidence = kernelThreadRows(f)
	case Zombie:
		r.Evidence = zombieRows(f)
	default:
		r.Evidence = processRows(f)
	}
	r.Summary, r.Mixed = summarize(f, r.Verdict, r.Kind, r.KindWhy)
	r.Predictions = predict(f, r.Verdict, r.Kind)
	return r
}

func processRows(f Facts) []Row {
	rows := []Row{
		terminalRow(f),
		sessionRow(f),
		groupRow(f),
	}
	rows = append(rows, fdRows(f)...)
	rows = append(rows,
		parentRow(f),
		ancestryRow(f),
		startupRow(f),
		startTimeRow(f),
		lifecycleRow(f),
		cgroupRow(f),
		purposeRow(f),
		socketsRow(f),
		namingRow(f),
		privilegesRow(f),
		capabilitiesRow(f),
		cwdRow(f),
		umaskRow(f),
		signalRow(f, "SIGHUP"),
		signalRow(f, "SIGTERM"),
		signalRow(f, "SIGINT"),
		masksRow(f),
		programRow(f),
		stateRow(f),
	)
	if r, ok := namespaceRow(f); ok {
		rows = append(rows, r)
	}
	if r, ok := tracerRow(f); ok {
		rows = append(rows, r)
	}
	return rows
}

func kernelThreadRows(f Facts) []Row {
	flag := Row{
		Aspect:   "kernel thread",
		Observed: fmt.Sprintf("PF_KTHREAD (0x00200000) set in flags 0x%08x", f.Flags),
		Source:   statSource(f, 9, f.Flags),
		Why:      "the kernel marks its own threads with PF_KTHREAD: they run kernel code only, with no program, no terminal and no user",
		Raw:      f.raw["stat"],
	}
	cmd := Row{
		Aspect:   "program",
		Observed: "none (empty cmdline)",
		Source:   fmt.Sprintf("/proc/%d/cmdline is empty", f.PID),
		Why:      "a kernel thread executes no program file, so it has no argument vector; ps shows its name in brackets",
	}
	if len(f.Cmdline) > 0 {
		cmd.Observed = strings.Join(f.Cmdline, " ")
	}
	term := terminalRow(f)
	term.DaemonLike = nil
	term.Why = "kernel threads never have a controlling terminal: that is why ps lists them with the daemons, though they are neither"
	parent := parentRow(f)
	parent.DaemonLike = nil
	name := namingRow(f)
	name.DaemonLike = nil
	name.Why = "a kernel thread's name says what it does in the kernel; kthreadd ends in d and is no daemon"
	return []Row{flag, cmd, term, parent, name, privilegesRowNeutral(f), stateRow(f), startTimeRow(f)}
}

func zombieRows(f Facts) []Row {
	state := stateRow(f)
	state.Why = "it has exited; the kernel keeps its PID and exit status until its parent collects them with wait()"
	parent := parentRow(f)
	parent.DaemonLike = nil
	parent.Why = "the parent must reap it with wait(); until it does, or exits and hands the zombie to PID 1 or a subreaper, the zombie stays"
	if f.PPID == 1 {
		parent.Why = "PID 1 is its parent and must reap it: an init that doesn't call wait() collects zombies (" + pid1Name(f) + " here)"
	}
	// What it had when it ran no longer matters: a zombie is neither.
	term, hup := terminalRow(f), signalRow(f, "SIGHUP")
	term.DaemonLike, hup.DaemonLike = nil, nil
	term.Why = "what it had when it ran; a zombie runs nothing, so no terminal can reach it"
	hup.Why = "a zombie can't be signalled: it has already exited"
	return []Row{state, parent, ancestryRow(f), term, hup, startTimeRow(f)}
}

// summarize writes the verdict in plain words, and what evidence points the
// other way.
func summarize(f Facts, v Verdict, k Kind, why string) (string, bool) {
	name := fmt.Sprintf("%s (PID %d)", f.Comm, f.PID)
	switch v {
	case KernelThread:
		return fmt.Sprintf("%s is a kernel thread: PF_KTHREAD is set in its flags (/proc/%d/stat field 9). "+
			"It runs only kernel code, with no program (empty cmdline), no terminal and no user, and it was started by the kernel, "+
			"so it is neither a daemon nor a normal process, though `ps aux | grep \"?\"` lists it with the daemons.", name, f.PID), false
	case Zombie:
		parent := fmt.Sprintf("PID %d", f.PPID)
		if f.ParentComm != "" {
			parent = fmt.Sprintf("%s (PID %d)", f.ParentComm, f.PPID)
		}
		return fmt.Sprintf("%s is a zombie: it has exited (state Z) and holds nothing but its PID and exit status until its parent, %s, "+
			"collects them with wait(). It runs nothing, so \"daemon or normal\" no longer applies. If the parent never waits, "+
			"the zombie stays until the parent exits and %s adopts and reaps it.", name, parent, reaperName(f)), false
	case Normal:
		if k == KindDetachedJob {
			return summarizeDetached(f, name, why)
		}
		return summarizeNormal(f, name, k, why)
	}
	return summarizeDaemon(f, name, k, why)
}

func summarizeNormal(f Facts, name string, k Kind, why string) (string, bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is a normal process, %s: %s.", name, kindPhrase(k), why)
	if k == KindBatchJob {
		fmt.Fprintf(&b, " It has no controlling terminal (/proc/%d/stat tty_nr = 0), which alone doesn't make a daemon: daemon(7)'s daemon is a long-running service, and this is a job its parent runs.", f.PID)
		if len(f.Listening) > 0 {
			fmt.Fprintf(&b, " It does listen on %s, as a server run in the foreground by a script or a test does.", listenerList(f.Listening, 3))
			return b.String(), true
		}
		return b.String(), false
	}
	fmt.Fprintf(&b, " It has a controlling terminal, %s (/proc/%d/stat tty_nr = %d)", f.TTY, f.PID, f.TTYNr)
	switch {
	case f.Foreground:
		b.WriteString(", and is in its foreground process group, so that terminal can hang it up, interrupt it (^C) and stop it (^Z).")
	case f.observerHoldsForeground():
		b.WriteString(", so that terminal can hang it up, and ^C and ^Z reach it whenever it is in the foreground again.")
	default:
		fmt.Fprintf(&b, "; ^C doesn't reach it while its group %d is not the foreground group %d, but a hang-up of the terminal still can.", f.PGID, f.TPGID)
	}
	var daemonLike []string
	if f.Signals["SIGHUP"] == "ignored" {
		daemonLike = append(daemonLike, "it ignores SIGHUP (as `nohup` arranges), so a hang-up won't end it")
	}
	if h := f.TermHolder; h != nil && isTerminalServer(h.Comm) {
		daemonLike = append(daemonLike, fmt.Sprintf("its terminal is held by %s (PID %d), a daemon, so the terminal and the process outlive the window or ssh connection you attached from", h.Comm, h.PID))
	}
	if redirected := stdioAway(f); redirected != "" {
		daemonLike = append(daemonLike, redirected)
	}
	if f.PPID == 1 {
		daemonLike = append(daemonLike, fmt.Sprintf("its parent is PID 1 (%s): whatever started it is gone", pid1Name(f)))
	}
	if len(daemonLike) == 0 {
		return b.String(), false
	}
	fmt.Fprintf(&b, " Daemon-like: %s. The verdict stays \"normal\" because it still has a controlling terminal, whose hang-up and job control reach its session.", joinSentences(daemonLike))
	return b.String(), true
}

// summarizeDetached is for a job that left its terminal behind (a nohup job
// after the hang-up, setsid without redirection): out of reach of the
// terminal like a daemon, but a job, not a service, so daemon(7) would not
// call it a daemon.
func summarizeDetached(f Facts, name, why string) (string, bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is a normal process, %s: %s.", name, kindPhrase(KindDetachedJob), why)
	daemonLike := []string{fmt.Sprintf("it has no controlling terminal (/proc/%d/stat tty_nr = 0), so no terminal can hang it up, interrupt it or stop it", f.PID)}
	if f.Disposition(unix.SIGHUP) == proc.Ignored {
		daemonLike = append(daemonLike, "it ignores SIGHUP (as `nohup` arranges)")
	}
	if redirected := stdioAway(f); redirected != "" {
		daemonLike = append(daemonLike, redirected)
	}
	if f.PPID == 1 {
		daemonLike = append(daemonLike, fmt.Sprintf("its parent is PID 1 (%s): whatever started it is gone", pid1Name(f)))
	}
	fmt.Fprintf(&b, " Daemon-like: %s.", joinSentences(daemonLike))
	notDaemon := []string{"it is a job someone started by hand, not a service that supervises the system or serves other processes (daemon(7)'s definition)"}
	if on := stdioOnTerminal(f); on != "" {
		notDaemon = append(notDaemon, on)
	}
	if f.CgroupKind == CgroupSession {
		notDaemon = append(notDaemon, "it sits in the login session scope "+f.CgroupUnit+", which systemd-logind can end at logout")
	}
	if isHome(f.Cwd) {
		notDaemon = append(notDaemon, "its working directory is a home directory, "+f.Cwd)
	}
	fmt.Fprintf(&b, " Not daemon-like: %s.", joinSentences(notDaemon))
	return b.String(), true
}

func summarizeDaemon(f Facts, name string, k Kind, why string) (string, bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is a daemon, %s: %s. It has no controlling terminal (/proc/%d/stat tty_nr = 0), so no terminal can hang it up, interrupt it or stop it.", name, kindPhrase(k), why, f.PID)
	var support []string
	if f.SessionLeader && f.PID != 1 && k != KindSysV {
		support = append(support, "it leads its own session")
	}
	if allNull(f) {
		support = append(support, "its stdin, stdout and stderr are /dev/null")
	}
	if len(f.Listening) > 0 {
		support = append(support, "it listens on "+listenerList(f.Listening, 3))
	}
	if f.CgroupKind == CgroupService && k != KindManaged {
		support = append(support, "it runs in the system service "+f.CgroupUnit)
	}
	if len(support) > 0 {
		fmt.Fprintf(&b, " Also: %s.", joinSentences(support))
	}
	var notDaemon []string
	if on := stdioOnTerminal(f); on != "" {
		notDaemon = append(notDaemon, on)
	}
	if f.CgroupKind == CgroupSession {
		notDaemon = append(notDaemon, "it sits in the login session scope "+f.CgroupUnit+", which systemd-logind can end at logout")
	} else if f.LoginUID >= 0 && k != KindWorker {
		notDaemon = append(notDaemon, fmt.Sprintf("it belongs to a login that PAM recorded (loginuid %d, audit session %d; login, sshd and cron open one)", f.LoginUID, f.AuditSess))
	}
	if isHome(f.Cwd) {
		notDaemon = append(notDaemon, "its working directory is a home directory, "+f.Cwd)
	}
	if len(notDaemon) == 0 && k != KindDetachedJob {
		return b.String(), false
	}
	if len(notDaemon) > 0 {
		fmt.Fprintf(&b, " Not daemon-like: %s.", joinSentences(notDaemon))
	}
	if k == KindDetachedJob {
		b.WriteString(" The verdict is \"daemon\" because nothing of a terminal reaches it any more; an expert would call it a detached job rather than a service.")
	} else {
		b.WriteString(" The verdict stays \"daemon\": no terminal reaches it and it runs as a service.")
	}
	return b.String(), true
}

// joinSentences joins clauses as "a; b; and c".
func joinSentences(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], "; ") + "; and " + parts[len(parts)-1]
}

func parentOf(f Facts) (Ancestor, bool) {
	if len(f.Ancestry) > 0 && f.Ancestry[0].PID == f.PPID {
		return f.Ancestry[0], true
	}
	return Ancestor{}, false
}

func pid1Name(f Facts) string {
	if f.PID1Comm == "" {
		return "init"
	}
	return f.PID1Comm
}

// reaperName names who would adopt the process if its parent exited.
func reaperName(f Facts) string {
	if r, ok := Reaper(f.Ancestry); ok && r.PID != 1 {
		return fmt.Sprintf("the subreaper %s (PID %d)", r.Comm, r.PID)
	}
	return fmt.Sprintf("PID 1 (%s)", pid1Name(f))
}

// isTerminalServer is true for programs that hold pseudo-terminals for
// sessions that outlive the client: tmux and screen.
func isTerminalServer(comm string) bool {
	return strings.HasPrefix(comm, "tmux") || strings.EqualFold(comm, "screen")
}

func isHome(dir string) bool {
	return dir == "/root" || strings.HasPrefix(dir, "/root/") || strings.HasPrefix(dir, "/home/")
}
