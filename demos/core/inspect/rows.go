package inspect

import (
	"fmt"
	"strconv"
	"strings"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

var (
	yes = func() *bool { b := true; return &b }()
	no  = func() *bool { b := false; return &b }()
)

// statSource names a field of /proc/PID/stat with the value read, as a
// student would find it by hand.
func statSource(f Facts, field int, value any) string {
	return fmt.Sprintf("/proc/%d/stat field %d %s = %v", f.PID, field, proc.StatFieldName(field), value)
}

// statusSource names lines of /proc/PID/status as read ("SigIgn 0000000000000001").
func statusSource(f Facts, keys ...string) (source, raw string) {
	var parts, lines []string
	for _, k := range keys {
		line := f.raw["status:"+k]
		if line == "" {
			parts = append(parts, k)
			continue
		}
		_, v, _ := strings.Cut(line, ":")
		parts = append(parts, k+" "+strings.Join(strings.Fields(v), " "))
		lines = append(lines, line)
	}
	return fmt.Sprintf("/proc/%d/status %s", f.PID, strings.Join(parts, ", ")), strings.Join(lines, "\n")
}

func (f Facts) hidden(key string) bool {
	for _, k := range f.Hidden {
		if k == key {
			return true
		}
	}
	return false
}

// unreadableRow is a row for a fact dlab could not read: it says so and what
// would be needed, and never guesses.
func unreadableRow(f Facts, aspect, source string) Row {
	why := "dlab could not read it"
	for _, u := range f.Unreadable {
		if strings.Contains(u, "permission denied") {
			why = fmt.Sprintf("permission denied: it belongs to another user; run dlab as root (sudo dlab explain %d) or as its owner to see it", f.PID)
			break
		}
	}
	return Row{Aspect: aspect, Observed: "unreadable", Source: source, Why: why}
}

func terminalRow(f Facts) Row {
	r := Row{Aspect: "terminal", Source: statSource(f, 7, f.TTYNr), Raw: f.raw["stat"]}
	if !f.hasTTY() {
		r.Observed = "none (ps shows ?)"
		r.DaemonLike = yes
		r.Why = "no controlling terminal, so no terminal can hang it up, interrupt or stop it"
		switch {
		case f.SessionLeader:
			r.Why += ": it, or whoever started it, called setsid() (daemon(7) step 6 for a SysV daemon; systemd and cron do it for their services and jobs)"
		case f.SID > 0 && f.PGID != f.SID:
			r.Why += "; its group is not its session's, so it did not get here by setsid: a session loses its terminal when its leader exits"
		}
		r.Why += ". Necessary for a daemon, not sufficient: a cron job or `ssh host cmd` has none either"
		return r
	}
	r.Observed = "controlling terminal " + f.TTY
	r.DaemonLike = no
	r.Why = fmt.Sprintf("%s can reach it: its hang-up sends SIGHUP to the session, and ^C, ^\\ and ^Z signal the foreground group", f.TTY)
	return r
}

func sessionRow(f Facts) Row {
	r := Row{Aspect: "session", Source: statSource(f, 6, f.SID), Raw: f.raw["stat"]}
	leader := fmt.Sprintf("PID %d", f.SID)
	if f.SessionComm != "" {
		leader = fmt.Sprintf("%s (PID %d)", f.SessionComm, f.SID)
	}
	hasTTY := f.hasTTY()
	switch {
	case f.SID == 0:
		r.Observed = "session 0"
		r.Why = "the kernel's own session: PID 1 and kernel threads start in it and a process stays there until it calls setsid(); in a container, 0 also means the session's leader is outside this PID namespace"
	case f.SessionLeader && !hasTTY:
		r.Observed = fmt.Sprintf("session %d, which it leads (SID = PID)", f.SID)
		r.DaemonLike = yes
		r.Why = "a session of its own with no terminal: setsid() (daemon(7) step 6); a systemd service is one too"
	case f.SessionLeader:
		r.Observed = fmt.Sprintf("session %d, which it leads, owning %s", f.SID, f.TTY)
		r.DaemonLike = no
		r.Why = fmt.Sprintf("it is the controlling process of %s: the kernel sends it SIGHUP when the terminal hangs up (a login shell, or a program started on a fresh pty)", f.TTY)
	case !hasTTY && f.SessionComm == "" && f.PGID != f.SID:
		r.Observed = fmt.Sprintf("session %d, whose leader is gone; its own group %d", f.SID, f.PGID)
		r.DaemonLike = nil
		r.Why = "a job-control shell puts each job in a group of its own inside the shell's session: this was such a job, and the session lost its terminal when the shell exited. It ran no setsid and no second fork"
	case !hasTTY && f.SessionComm == "":
		r.Observed = fmt.Sprintf("session %d, whose leader is gone", f.SID)
		r.DaemonLike = yes
		r.Why = "a session without a terminal whose leader exited: the shape of the classic double fork (setsid in the first child, daemon(7) step 6; the second fork, step 7, so it can never acquire a terminal)"
	case !hasTTY:
		r.Observed = fmt.Sprintf("session %d, led by %s", f.SID, leader)
		r.DaemonLike = yes
		r.Why = "a session without a terminal that it does not lead, so it can never acquire one; it shares the session of " + leader
	default:
		r.Observed = fmt.Sprintf("session %d, led by %s, owning %s", f.SID, leader, f.TTY)
		r.DaemonLike = no
		r.Why = "it shares the session, and so the terminal, of " + leader
	}
	return r
}

func groupRow(f Facts) Row {
	r := Row{Aspect: "process group", Raw: f.raw["stat"],
		Source: fmt.Sprintf("/proc/%d/stat field 5 pgrp = %d, field 8 tpgid = %d", f.PID, f.PGID, f.TPGID)}
	own := ""
	if f.PGID == f.PID {
		own = " (its own)"
	}
	switch {
	case !f.hasTTY():
		r.Observed = fmt.Sprintf("group %d%s; no terminal, so no foreground group (tpgid %d)", f.PGID, own, f.TPGID)
		r.Why = "without a terminal, foreground and background mean nothing: only a kill of the whole group reaches it as a group"
	case f.Foreground:
		r.Observed = fmt.Sprintf("group %d%s, the foreground group of %s", f.PGID, own, f.TTY)
		r.DaemonLike = no
		r.Why = fmt.Sprintf("^C (SIGINT), ^\\ (SIGQUIT) and ^Z (SIGTSTP) typed on %s go to this group", f.TTY)
	case f.observerHoldsForeground():
		r.Observed = fmt.Sprintf("group %d%s; the foreground group of %s is %d, dlab's own, while dlab runs", f.PGID, own, f.TTY, f.TPGID)
		r.DaemonLike = no
		r.Why = "the shell gave the terminal to dlab for as long as it runs, as it does for every command; it takes it back when dlab exits, and ^C, ^\\ and ^Z reach this group again"
	default:
		r.Observed = fmt.Sprintf("group %d%s, a background group of %s (foreground is %d)", f.PGID, own, f.TTY, f.TPGID)
		r.DaemonLike = no
		r.Why = "a background job: ^C doesn't reach it, but reading the terminal stops it (SIGTTIN) and a hang-up still reaches it"
	}
	return r
}

var fdNames = [3]string{"stdin", "stdout", "stderr"}

// fdKind sorts an fd target into what matters for a daemon.
func fdKind(target string) string {
	switch {
	case target == "":
		return "closed"
	case target == "/dev/null":
		return "null"
	case proc.IsTerminalDevice(target):
		return "terminal"
	case strings.HasPrefix(target, "pipe:"):
		return "pipe"
	case strings.HasPrefix(target, "socket:"):
		return "socket"
	case strings.HasPrefix(target, "/"):
		return "file"
	}
	return "other"
}

func fdRows(f Facts) []Row {
	var rows []Row
	for i := 0; i < 3; i++ {
		aspect := fmt.Sprintf("fd %d (%s)", i, fdNames[i])
		source := fmt.Sprintf("/proc/%d/fd/%d", f.PID, i)
		if f.hidden("fds") || f.FDDenied[i] {
			r := unreadableRow(f, aspect, source)
			if f.FDDenied[i] {
				r.Source = source + ": readlink refused (EACCES), so it is open but dlab may not see where it points"
			}
			rows = append(rows, r)
			continue
		}
		t := f.FD[i]
		r := Row{Aspect: aspect, Observed: t, Source: source + " -> " + t, Raw: f.raw["fd/"+strconv.Itoa(i)]}
		switch fdKind(t) {
		case "closed":
			r.Observed = "closed"
			r.DaemonLike = nil
			r.Source = source + " does not exist"
			r.Why = "daemon(7) step 9 connects 0-2 to /dev/null rather than leave them closed: the next open() would get this fd, and a stray write would land in that file"
		case "null":
			r.DaemonLike = yes
			r.Why = "/dev/null, as daemon(7) step 9 says: nothing to read, nowhere to print"
		case "terminal":
			r.DaemonLike = no
			r.Why = "a terminal: a daemon detaches its stdio from every terminal"
			if !f.hasTTY() {
				r.Why = "a terminal it does not control (setsid without redirection): when that terminal goes, reads get EOF and writes fail with EIO"
			}
		case "pipe":
			r.Why = "a pipe to another process: a logger or supervisor (daemon(1), runit), or whoever runs it as a job (a shell pipeline, cron collecting output)"
		case "socket":
			r.Why = "a socket: systemd connects a service's stdout and stderr to the journal this way, inetd and sshd hand a program a socket; or the program closed its stdio and a later socket() reused the number (/proc can't tell which)"
			if l, ok := servedOn(f, t); ok {
				r.DaemonLike = yes
				r.Why = fmt.Sprintf("its own server socket (%s %s): it closed its stdio and a later socket() got the lowest free number, %d (as rsyslogd does). Not stdio at all", l.Proto, l.Addr, i)
			}
		case "file":
			if i == 0 {
				r.Why = "a file on fd 0: input redirected from it, or stdin closed and the number reused by a later open() (rsyslogd's /proc/kmsg); /proc can't tell which"
			} else {
				r.DaemonLike = yes
				r.Why = "a file: a log file instead of the terminal (daemon(7) allows one in place of /dev/null; nohup.out is one too), or the program closed its stdio and a later open() reused the number"
			}
		default:
			r.Why = "neither a terminal nor /dev/null"
		}
		rows = append(rows, r)
	}
	return rows
}

// stdioAway describes a normal process's stdout and stderr when they don't
// go to its terminal, or "" when they do.
func stdioAway(f Facts) string {
	if f.hidden("fds") {
		return ""
	}
	away := func(i int) bool { k := fdKind(f.FD[i]); return k == "null" || k == "file" }
	switch {
	case away(1) && away(2) && f.FD[1] == f.FD[2]:
		return "its stdout and stderr go to " + f.FD[1] + ", not the terminal"
	case away(1) && away(2):
		return fmt.Sprintf("its stdout goes to %s and its stderr to %s, not the terminal", f.FD[1], f.FD[2])
	case away(1):
		return "its stdout goes to " + f.FD[1] + ", not the terminal"
	case away(2):
		return "its stderr goes to " + f.FD[2] + ", not the terminal"
	}
	return ""
}

// stdioOnTerminal describes a daemon's fds that still point at a terminal.
func stdioOnTerminal(f Facts) string {
	if f.hidden("fds") {
		return ""
	}
	var on []string
	target := ""
	for i := 0; i < 3; i++ {
		if fdKind(f.FD[i]) == "terminal" {
			on = append(on, fdNames[i])
			target = f.FD[i]
		}
	}
	if len(on) == 0 {
		return ""
	}
	verb := "still point"
	if len(on) == 1 {
		verb = "still points"
	}
	return fmt.Sprintf("its %s %s at %s, a terminal it doesn't control (as after `setsid` without redirection): once that terminal closes, its reads get EOF and its writes fail", joinAnd(on), verb, target)
}

// joinAnd joins words as "a, b and c".
func joinAnd(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func stdioPipes(f Facts) bool {
	if f.hidden("fds") {
		return false
	}
	for i := 0; i < 3; i++ {
		if k := fdKind(f.FD[i]); k == "pipe" || k == "socket" {
			return true
		}
	}
	return false
}

func allNull(f Facts) bool {
	if f.hidden("fds") {
		return false
	}
	return f.FD[0] == "/dev/null" && f.FD[1] == "/dev/null" && f.FD[2] == "/dev/null"
}

func parentRow(f Facts) Row {
	r := Row{Aspect: "parent", Source: statSource(f, 4, f.PPID), Raw: f.raw["stat"]}
	p, ok := parentOf(f)
	switch {
	case f.PPID == 0:
		r.Observed = "none (PPID 0)"
		r.Why = "started by the kernel itself, as PID 1 and kthreadd (PID 2) are"
		return r
	case !ok:
		r.Observed = fmt.Sprintf("PID %d (gone, or not readable)", f.PPID)
		r.Why = "dlab could not read the parent: it may have exited while dlab was reading"
		return r
	}
	r.Observed = fmt.Sprintf("%s (PID %d)", p.Comm, p.PID)
	switch {
	case p.PID == 1:
		r.DaemonLike = yes
		r.Why = "init adopts orphans: a double-forked daemon's first child exits (daemon(7) step 8), so PID 1 becomes its parent; systemd also starts services directly"
		if !f.hasTTY() && !f.SessionLeader && f.SID > 0 && f.PGID != f.SID && f.SessionComm == "" {
			r.DaemonLike = nil
			r.Why = "adopted by PID 1 when the process that started it exited; its own group inside a leaderless session says it was a shell's job, not a daemon(7) double fork"
		}
		if c := pid1Name(f); c != "systemd" && c != "init" {
			r.Why += fmt.Sprintf(". Here PID 1 is %s, not an init system: it is the parent because it adopted the orphan (or started it), nothing more", c)
		}
	case p.Subreaper != "":
		r.DaemonLike = yes
		r.Why = fmt.Sprintf("%s is a child subreaper (%s): it adopts orphans below it in place of PID 1", p.Comm, p.Subreaper)
	case p.Verdict == KernelThread:
		r.Why = "kthreadd (PID 2) starts every kernel thread"
	case p.Verdict == Normal && !f.hasTTY():
		r.DaemonLike = no
		r.Why = fmt.Sprintf("started by %s, which is on terminal %s, and still its child: the child of a terminal session, though itself without a terminal", p.Comm, p.TTY)
	case p.Verdict == Normal:
		r.DaemonLike = no
		r.Why = fmt.Sprintf("started by %s on %s and still its child, as a shell's command is", p.Comm, p.TTY)
	case p.Verdict == Daemon && !f.hasTTY():
		r.DaemonLike = yes
		r.Why = fmt.Sprintf("%s has no terminal either: this is a child of a daemon, a worker (nginx, sshd) or a job it runs (cron)", p.Comm)
	case p.Verdict == Daemon:
		r.Why = fmt.Sprintf("started by %s, a process without a terminal that gave it one (sshd, tmux and terminal emulators hold the terminals of their sessions)", p.Comm)
	}
	return r
}

func ancestryRow(f Facts) Row {
	parts := []string{fmt.Sprintf("%d %s", f.PID, f.Comm)}
	var subreapers []string
	for _, a := range f.Ancestry {
		s := fmt.Sprintf("%d %s", a.PID, a.Comm)
		if a.Subreaper != "" {
			s += " (subreaper)"
			subreapers = append(subreapers, a.Subreaper)
		}
		parts = append(parts, s)
	}
	r := Row{
		Aspect:   "ancestry",
		Observed: strings.Join(parts, " <- "),
		Source:   fmt.Sprintf("/proc/PID/stat field 4 ppid, from %d up; each parent's field 22 starttime checked to be no later than its child's", f.PID),
		Why:      "who started whom, as far as the kernel still knows: once a process is reparented, its original parent is forgotten",
	}
	if n := len(f.Ancestry); n > 0 && f.Ancestry[n-1].PID != 1 && f.PPID != 0 {
		r.Why += fmt.Sprintf("; the walk stops at PID %d, whose parent is outside this PID namespace or exited while dlab read it", f.Ancestry[n-1].PID)
	}
	if len(subreapers) > 0 {
		r.Why += "; subreapers: " + strings.Join(subreapers, "; ") + " (the kernel doesn't show this flag in /proc: dlab knows it only for these programs)"
	} else {
		r.Why += "; no known subreaper on the way (the kernel doesn't show PR_SET_CHILD_SUBREAPER in /proc; dlab recognises systemd --user, tini, containerd-shim and conmon)"
	}
	return r
}

func startupRow(f Facts) Row {
	r := Row{Aspect: "startup",
		Source: fmt.Sprintf("/proc/%d/loginuid = %s, /proc/%d/sessionid = %s", f.PID, rawOr(f, "loginuid"), f.PID, rawOr(f, "sessionid"))}
	switch {
	case f.hidden("loginuid"):
		return unreadableRow(f, "startup", fmt.Sprintf("/proc/%d/loginuid", f.PID))
	case f.LoginUID >= 0:
		r.Observed = fmt.Sprintf("from a login of uid %d (audit session %d)", f.LoginUID, f.AuditSess)
		r.DaemonLike = no
		r.Why = "pam_loginuid marks a login (login, sshd, cron) and everything started from it; a service started by init or systemd has no login uid (but a SysV init script run by hand from a root shell passes it on)"
	case f.PID1Start >= 0 && f.StartedAt-f.PID1Start < 60 && f.PID != 1 && !f.hasTTY():
		// A process on a terminal was started from it, boot or not; in a
		// fresh container everything starts within a minute of PID 1.
		r.Observed = fmt.Sprintf("no login recorded; started %.1f s after PID 1", f.StartedAt-f.PID1Start)
		r.DaemonLike = yes
		r.Why = "started with the system, before anyone could log in, and no login uid: as init starts services at boot"
	default:
		r.Observed = "no login recorded (loginuid unset)"
		r.Why = "not started from a login that pam_loginuid recorded: started by init or a service, or on a system that records no logins (containers, CI machines); the kernel keeps no record of who ran it"
	}
	return r
}

func rawOr(f Facts, key string) string {
	if v, ok := f.raw[key]; ok {
		return v
	}
	return "?"
}

func startTimeRow(f Facts) Row {
	r := Row{Aspect: "start time", Raw: f.raw["stat"],
		Source: fmt.Sprintf("/proc/%d/stat field 22 starttime = %d ticks (USER_HZ %d); /proc/uptime %.2f", f.PID, f.StartTime, 100, f.Uptime)}
	r.Observed = fmt.Sprintf("%s after boot", duration(f.StartedAt))
	switch {
	case f.Uptime > 0 && f.StartedAt > f.Uptime:
		// A start time after the uptime read: a fixture, or a PID
		// namespace with a time namespace offset. Never a negative age.
		r.Observed += fmt.Sprintf(", which is after the uptime read (%s): its age can't be told", duration(f.Uptime))
	case f.Uptime > 0:
		r.Observed += fmt.Sprintf(", running for %s", duration(f.Uptime-f.StartedAt))
	}
	r.Why = "when it started says little by itself: services start at boot, but also restart later; with its PID, the start time names this process uniquely (a reused PID gets a later one)"
	return r
}

// duration prints seconds the way people read them: 3.2 s, 4m05s, 2h03m, 3d04h.
func duration(s float64) string {
	if s < 0 {
		s = 0
	}
	switch {
	case s < 60:
		return fmt.Sprintf("%.1f s", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", int(s)/60, int(s)%60)
	case s < 86400:
		return fmt.Sprintf("%dh%02dm", int(s)/3600, int(s)%3600/60)
	}
	return fmt.Sprintf("%dd%02dh", int(s)/86400, int(s)%86400/3600)
}

func lifecycleRow(f Facts) Row {
	r := Row{Aspect: "lifecycle", Source: statSource(f, 7, f.TTYNr) + "; /proc/" + strconv.Itoa(f.PID) + "/cgroup", Raw: f.raw["stat"]}
	switch {
	case f.hasTTY() && f.Signals["SIGHUP"] == "ignored":
		r.Observed = "survives a hang-up of " + f.TTY + " (SIGHUP ignored), but stays in its session"
		r.DaemonLike = no
		r.Why = "like a nohup job: the hang-up no longer ends it, but it is still in the terminal's session and job control"
	case f.hasTTY():
		r.Observed = "bound to " + f.TTY + "'s session"
		r.DaemonLike = no
		r.Why = "it ends when its terminal hangs up or its session ends (SIGHUP), or with ^C if in the foreground: it lives as long as the user's session"
	case f.CgroupKind == CgroupSession:
		r.Observed = "in login session scope " + f.CgroupUnit
		r.DaemonLike = no
		r.Why = "no terminal, but systemd-logind ends every process of the scope at logout when KillUserProcesses=yes"
	default:
		r.Observed = "nothing ties it to a terminal or a login"
		r.DaemonLike = yes
		r.Why = "it runs until it exits, is signalled (by a service manager, an admin) or the machine stops"
	}
	return r
}

func cgroupRow(f Facts) Row {
	src := fmt.Sprintf("/proc/%d/cgroup", f.PID)
	if f.hidden("cgroup") {
		return unreadableRow(f, "cgroup", src)
	}
	r := Row{Aspect: "cgroup", Observed: f.Cgroup, Source: src + " " + f.Cgroup, Raw: f.raw["cgroup"]}
	switch f.CgroupKind {
	case CgroupService:
		r.Observed += " (system service " + f.CgroupUnit + ")"
		r.DaemonLike = yes
		r.Why = "systemd runs each system service in its own cgroup under system.slice"
	case CgroupSession:
		r.Observed += " (login session " + f.CgroupUnit + ")"
		r.DaemonLike = no
		r.Why = "systemd-logind puts each login's processes in a session scope"
	case CgroupUserManager:
		r.Observed += " (the user's service manager)"
		r.Why = "under user@UID.service: a user service, or an app or terminal of a desktop session; it lives as long as the user's manager (lingering keeps it after logout)"
	case CgroupContainer:
		r.Observed += " (a container: " + f.CgroupUnit + ")"
		r.Why = "in a container, PID 1 is the container's own and 'parent is PID 1' is a property of the container"
	case CgroupRoot:
		r.Observed = "/ (the root cgroup)"
		r.Why = "nothing placed it in a cgroup of its own"
		if pid1Name(f) != "systemd" {
			r.Why += fmt.Sprintf(": PID 1 here is %s, not systemd, so there are no service or session cgroups to tell by", pid1Name(f))
		}
	default:
		r.Why = "not a systemd service or session cgroup"
		if pid1Name(f) != "systemd" {
			r.Why += fmt.Sprintf(" (PID 1 here is %s, not systemd)", pid1Name(f))
		}
	}
	return r
}

func listenerList(ls []Listener, max int) string {
	var parts []string
	for i, l := range ls {
		if i == max {
			parts = append(parts, fmt.Sprintf("%d more", len(ls)-max))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s", l.Proto, l.Addr))
	}
	return strings.Join(parts, ", ")
}

func purposeRow(f Facts) Row {
	r := Row{Aspect: "purpose",
		Source: fmt.Sprintf("/proc/%d/fd socket inodes matched in /proc/%d/net/{tcp,tcp6,udp,udp6,unix}; /proc/%d/fd/0", f.PID, f.PID, f.PID)}
	switch {
	case len(f.Listening) > 0:
		r.Observed = "serves: listens on " + listenerList(f.Listening, 3)
		r.DaemonLike = yes
		r.Why = "a listening socket is the clearest sign of a service: it waits for clients"
	case (f.hidden("fds") || f.hidden("sockets")):
		return unreadableRow(f, "purpose", r.Source)
	case fdKind(f.FD[0]) == "terminal" && f.Foreground:
		r.Observed = "interactive: reads its terminal in the foreground"
		r.DaemonLike = no
		r.Why = "the kernel records no purpose, but a foreground process reading a terminal is talking to a person"
	default:
		r.Observed = "no listening socket, no interactive terminal"
		r.Why = "the kernel records no purpose; many services listen on a socket, but a worker, a timer job or a batch job needs none"
	}
	return r
}

func socketsRow(f Facts) Row {
	src := fmt.Sprintf("/proc/%d/fd -> socket:[INODE], /proc/%d/net/*", f.PID, f.PID)
	if f.hidden("fds") || f.hidden("sockets") {
		return unreadableRow(f, "listening sockets", src)
	}
	r := Row{Aspect: "listening sockets", Observed: "none", Source: src,
		Why: "a socket in state LISTEN, or one bound to serve (a UDP port below the ephemeral range, a unix datagram socket with a path), held by one of its fds"}
	if f.hidden("fd-links") {
		r.Observed = "none readable"
		r.Why = "some of its fd links could not be read (permission denied), so it may hold sockets dlab can't see; run dlab as root"
	}
	if len(f.Bound) > 0 {
		var cl []string
		for _, l := range f.Bound {
			cl = append(cl, fmt.Sprintf("%s %s (fd %d)", l.Proto, l.Addr, l.FD))
		}
		r.Why += "; also a client socket: " + strings.Join(cl, ", ") + " (UDP on an ephemeral port, bound by the kernel when it sent: it serves nothing)"
	}
	if len(f.Listening) > 0 {
		var parts, raws []string
		for _, l := range f.Listening {
			parts = append(parts, fmt.Sprintf("%s %s (fd %d, %s)", l.Proto, l.Addr, l.FD, roleWords(l)))
			raws = append(raws, f.raw["net:"+strconv.FormatUint(l.Inode, 10)])
		}
		r.Observed = strings.Join(parts, ", ")
		r.Raw = strings.Join(raws, "\n")
		l := f.Listening[0]
		r.Source = fmt.Sprintf("/proc/%d/fd/%d -> socket:[%d], found in /proc/%d/net/%s", f.PID, l.FD, l.Inode, f.PID, l.Proto)
	}
	return r
}

func namingRow(f Facts) Row {
	r := Row{Aspect: "naming", Observed: fmt.Sprintf("%q", f.Comm), Source: fmt.Sprintf("/proc/%d/stat field 2 comm = (%s)", f.PID, f.Comm)}
	if strings.HasSuffix(f.Comm, "d") {
		r.DaemonLike = yes
		r.Why = "the name ends in d, a weak hint only: many daemons do (sshd, crond), many don't (cron, nginx, tmux), and kthreadd is a kernel thread"
	} else {
		r.Why = "the name doesn't end in d, which says nothing: cron, nginx and redis-server are daemons, and 'dlab' ends in b"
	}
	return r
}

// systemAccount is true for uids that Debian and most distributions give to
// services: below 1000 (but not root), and nobody.
func systemAccount(uid int) bool { return uid > 0 && uid < 1000 || uid == 65534 }

func privilegesRow(f Facts) Row {
	src, raw := statusSource(f, "Uid", "Gid")
	if f.hidden("status") {
		return unreadableRow(f, "privileges", fmt.Sprintf("/proc/%d/status", f.PID))
	}
	r := Row{Aspect: "privileges", Source: src, Raw: raw, Observed: userGroup(f)}
	switch {
	case f.UID == 0:
		r.Why = "root runs daemons and administrators' shells alike; daemon(7) step 13 asks a daemon to drop privileges where it can"
	case systemAccount(f.UID):
		r.DaemonLike = yes
		r.Why = "a system account (uid below 1000), the kind created for a service to run as"
	default:
		r.DaemonLike = no
		r.Why = "a login user's account: daemons usually run as root or a system account, though any user can start one"
	}
	return r
}

func privilegesRowNeutral(f Facts) Row {
	r := privilegesRow(f)
	r.DaemonLike = nil
	if f.UID == 0 {
		r.Why = "kernel threads run with root's credentials"
	}
	return r
}

func userGroup(f Facts) string {
	name := func(n string, id int) string {
		if n == "" {
			return fmt.Sprintf("uid %d", id)
		}
		return fmt.Sprintf("%s (uid %d)", n, id)
	}
	s := name(f.User, f.UID)
	if f.Group != "" {
		s += fmt.Sprintf(", group %s (gid %d)", f.Group, f.GID)
	} else if f.GID >= 0 {
		s += fmt.Sprintf(", gid %d", f.GID)
	}
	if f.EUID >= 0 && f.EUID != f.UID {
		s += fmt.Sprintf(", effective uid %d", f.EUID)
	}
	return s
}

func capabilitiesRow(f Facts) Row {
	if f.hidden("status") {
		return unreadableRow(f, "capabilities", fmt.Sprintf("/proc/%d/status", f.PID))
	}
	src, raw := statusSource(f, "CapEff", "NoNewPrivs")
	r := Row{Aspect: "capabilities", Source: src, Raw: raw, Observed: proc.DescribeCaps(f.CapEff)}
	if f.NoNewPrivs {
		r.Observed += "; no_new_privs set"
	}
	r.Why = "what the kernel lets it do beyond an ordinary user; a service manager can narrow it (CapabilityBoundingSet, NoNewPrivileges)"
	return r
}

func cwdRow(f Facts) Row {
	src := fmt.Sprintf("/proc/%d/cwd", f.PID)
	if f.hidden("cwd") {
		return unreadableRow(f, "working directory", src)
	}
	r := Row{Aspect: "working directory", Observed: f.Cwd, Source: src + " -> " + f.Cwd}
	switch {
	case f.Cwd == "/":
		r.DaemonLike = yes
		r.Why = "daemon(7) step 11: chdir(\"/\"), so it holds no directory that would keep a file system from being unmounted"
	case isHome(f.Cwd):
		r.DaemonLike = no
		r.Why = "a home directory: where a user's shell was when it was started"
	default:
		r.Why = "neither / nor a home directory; real daemons often keep their own (nginx its prefix, cron /var/spool/cron)"
	}
	return r
}

func umaskRow(f Facts) Row {
	if f.hidden("status") {
		return unreadableRow(f, "umask", fmt.Sprintf("/proc/%d/status", f.PID))
	}
	src, raw := statusSource(f, "Umask")
	r := Row{Aspect: "umask", Source: src, Raw: raw}
	switch {
	case f.Umask < 0:
		r.Observed = "not shown"
		r.Why = "the kernel shows the umask in /proc/PID/status only since Linux 4.7"
	case f.Umask == 0:
		r.Observed = "0000"
		r.DaemonLike = yes
		r.Why = "daemon(7) step 10 resets it to 0, so files get exactly the modes the daemon asks for"
	default:
		r.Observed = fmt.Sprintf("%04o", f.Umask)
		r.Why = "the usual login default; many daemons keep the umask they were started with"
	}
	return r
}

func (f Facts) isGo() bool { return f.GoVersion != "" || f.GoHint != "" }

func signalRow(f Facts, sig string) Row {
	if f.hidden("status") {
		return unreadableRow(f, sig, fmt.Sprintf("/proc/%d/status", f.PID))
	}
	src, raw := statusSource(f, "SigIgn", "SigCgt")
	num := map[string]int{"SIGHUP": 1, "SIGINT": 2, "SIGTERM": 15}[sig]
	d := f.Signals[sig]
	r := Row{Aspect: sig, Observed: d, Raw: raw,
		Source: fmt.Sprintf("%s (bit %d = signal %d)", src, num-1, num)}
	hasTTY := f.hasTTY()
	goRuntime := d == "caught" && f.isGo()
	if goRuntime {
		r.Observed = "caught (by the Go runtime)"
	}
	switch sig {
	case "SIGHUP":
		switch {
		case d == "ignored":
			r.DaemonLike = yes
			r.Why = "a hang-up can't end it: nohup and APUE's daemonize() ignore SIGHUP (an ignored signal stays ignored across exec)"
		case goRuntime:
			r.Why = "the Go runtime catches every signal: unless the program called signal.Notify or signal.Ignore for SIGHUP, the runtime ends it on SIGHUP; /proc can't tell which"
		case d == "caught":
			r.Why = "a handler runs: daemons reload their configuration on SIGHUP by convention (nginx, sshd, rsyslog), an editor saves its work"
		case hasTTY:
			r.DaemonLike = no
			r.Why = "default action: a hang-up of " + f.TTY + " ends it"
		default:
			r.Why = "default action (terminate), but with no terminal only a kill -HUP could send it"
		}
	case "SIGTERM":
		switch {
		case d == "ignored":
			r.Why = "kill's default signal does nothing; a service manager escalates to SIGKILL"
		case goRuntime:
			r.Why = "the Go runtime catches it: the program shuts down cleanly if it called signal.Notify for SIGTERM, else the runtime ends it"
		case d == "caught":
			r.Why = "it can shut down cleanly: SIGTERM is what kill and service managers send to stop a process"
		default:
			r.Why = "it terminates at once, without cleanup, when sent SIGTERM"
		}
	case "SIGINT":
		switch {
		case d == "ignored":
			r.Why = "^C can't end it (a non-interactive shell starts background jobs with SIGINT ignored)"
		case goRuntime && !hasTTY:
			r.Why = "the Go runtime catches it; but no terminal can send it ^C, so only a kill -INT by hand would reach it"
		case !hasTTY:
			r.Why = "no terminal can send it ^C; real daemons mostly leave SIGINT at its default (the classic table's 'usually ignored' is not what they show)"
		case goRuntime:
			r.Why = "the Go runtime catches it: ^C ends the program unless it called signal.Notify for SIGINT"
		case d == "caught":
			r.Why = "a handler runs on ^C (an interactive program that cleans up or asks first)"
		case f.Foreground:
			r.DaemonLike = no
			r.Why = "default action: ^C on " + f.TTY + " ends it"
		default:
			r.Why = "default action, but as a background job ^C on " + f.TTY + " doesn't reach it"
		}
	}
	return r
}

func masksRow(f Facts) Row {
	if f.hidden("status") {
		return unreadableRow(f, "signal masks", fmt.Sprintf("/proc/%d/status", f.PID))
	}
	src, raw := statusSource(f, "SigBlk", "SigIgn", "SigCgt")
	list := func(names []string) string {
		if len(names) == 0 {
			return "none"
		}
		if len(names) > 12 {
			// A Go program catches almost every signal: name what is left.
			have := map[string]bool{}
			for _, n := range names {
				have[n] = true
			}
			var missing []string
			for sig := 1; sig <= 64; sig++ {
				if n := proc.SignalName(unix.Signal(sig)); !have[n] {
					missing = append(missing, n)
				}
			}
			return fmt.Sprintf("all but %s", strings.Join(missing, ", "))
		}
		return strings.Join(names, ", ")
	}
	r := Row{Aspect: "signal masks", Source: src, Raw: raw,
		Observed: fmt.Sprintf("ignored: %s; caught: %s; blocked: %s", list(f.SigIgn), list(f.SigCgt), list(f.SigBlk))}
	r.Why = "SigIgn, SigCgt and SigBlk are bitmasks: bit N-1 set means signal N is ignored, has a handler, or is blocked"
	if f.MainThreadSigBlk != nil {
		r.Source += fmt.Sprintf(", and SigBlk of each thread in /proc/%d/task/*/status", f.PID)
		r.Why += fmt.Sprintf(". Status's SigBlk is the main thread's mask (%s); a signal sent to the process goes to any thread that does not block it, so only what every thread blocks stays pending", list(f.MainThreadSigBlk))
	}
	if f.isGo() {
		r.Why += ". This is a Go program (" + f.GoHint + "): the Go runtime installs handlers for almost every signal, so SigCgt says nothing about which signals the program itself handles"
	}
	return r
}

func programRow(f Facts) Row {
	src := fmt.Sprintf("/proc/%d/exe", f.PID)
	if f.hidden("exe") {
		r := unreadableRow(f, "program", src)
		if len(f.Cmdline) > 0 {
			r.Observed = strings.Join(f.Cmdline, " ")
			r.Source = fmt.Sprintf("/proc/%d/cmdline (exe unreadable)", f.PID)
		}
		return r
	}
	r := Row{Aspect: "program", Observed: f.Exe, Source: src + " -> " + f.Exe}
	if len(f.Cmdline) > 0 {
		r.Observed = fmt.Sprintf("%s, run as: %s", f.Exe, strings.Join(f.Cmdline, " "))
	}
	r.Why = "the program file it runs"
	if f.ExeDeleted {
		r.Why = "the program file it runs was deleted or replaced since it started (\" (deleted)\" in the link): an upgrade it hasn't been restarted for; it still runs the old code"
	}
	if f.GoVersion != "" && f.GoVersion != "unknown" {
		r.Why += "; a Go program built with " + f.GoVersion + " (its build information is in the executable)"
	}
	return r
}

var stateNames = map[string]string{
	"R": "running", "S": "sleeping", "D": "in uninterruptible sleep", "Z": "zombie",
	"T": "stopped", "t": "stopped by a tracer", "X": "dead", "I": "idle kernel thread",
	"P": "parked", "W": "waking", "K": "wakekill",
}

func stateRow(f Facts) Row {
	r := Row{Aspect: "state", Source: statSource(f, 3, f.State), Raw: f.raw["stat"]}
	r.Observed = f.State
	if n, ok := stateNames[f.State]; ok {
		r.Observed = f.State + " (" + n + ")"
	}
	if f.Threads > 1 {
		r.Observed += fmt.Sprintf(", %d threads", f.Threads)
	}
	switch f.State {
	case "Z":
		r.Why = "it has exited and waits for its parent to collect its exit status"
	case "T":
		r.Why = "stopped by a signal (^Z, SIGSTOP): a stopped process of an orphaned process group gets SIGHUP and SIGCONT"
	default:
		r.Why = "what the scheduler is doing with it; it says nothing about daemon or not"
	}
	return r
}

func roleWords(l Listener) string {
	switch {
	case l.Role == RoleBound && l.Proto == "unix":
		return "datagram, bound"
	case l.Role == RoleBound:
		return "bound"
	}
	return "listening"
}

// servedOn finds the listening or bound socket an fd target names.
func servedOn(f Facts, target string) (Listener, bool) {
	ino, ok := proc.SocketInode(target)
	if !ok {
		return Listener{}, false
	}
	for _, l := range f.Listening {
		if l.Inode == ino {
			return l, true
		}
	}
	return Listener{}, false
}

// tracerRow shows a ptrace tracer (strace, gdb), which sees every signal
// first.
func tracerRow(f Facts) (Row, bool) {
	if f.TracerPID == 0 {
		return Row{}, false
	}
	src, raw := statusSource(f, "TracerPid")
	name := fmt.Sprintf("PID %d", f.TracerPID)
	if f.TracerComm != "" {
		name = fmt.Sprintf("%s (PID %d)", f.TracerComm, f.TracerPID)
	}
	return Row{Aspect: "tracer", Observed: "traced by " + name, Source: src, Raw: raw,
		Why: "a tracer (strace, gdb) attached with ptrace: every signal stops the process first and the tracer decides whether it is delivered"}, true
}

// namespaceRow shows the PID namespace when the process is in a nested one.
func namespaceRow(f Facts) (Row, bool) {
	if len(f.NSpid) < 2 {
		return Row{}, false
	}
	src, raw := statusSource(f, "NSpid")
	inner := f.NSpid[len(f.NSpid)-1]
	r := Row{Aspect: "PID namespace", Source: src, Raw: raw,
		Observed: fmt.Sprintf("PID %d here, %d in its own PID namespace (NSpid %s)", f.NSpid[0], inner, joinInts(f.NSpid))}
	if inner == 1 {
		r.Observed += ": the namespace's init"
		r.Why = "PID 1 of a PID namespace adopts its orphans, and the kernel drops every signal it has no handler for (SIGKILL and SIGSTOP from outside excepted); if it exits, the kernel kills the whole namespace"
	} else {
		r.Why = "it runs in a nested PID namespace (a container, unshare -p): inside, it sees other PIDs, and its PID 1 is that namespace's init"
	}
	return r, true
}
