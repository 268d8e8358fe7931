package spectrum

import (
	"fmt"
	"strings"

	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"

	"golang.org/x/sys/unix"
)

// The checks are pure functions of what the inspector saw: the claims of
// the lesson (facts.md) on one side, the observed values on the other. A
// claim that doesn't hold is reported as such, never dropped.

func find(snaps []Snapshot, role string) Snapshot {
	for _, s := range snaps {
		if s.Role == role {
			return s
		}
	}
	return Snapshot{Member: Member{Role: role}}
}

func check(claim string, holds bool, observed string, a ...any) Check {
	return Check{Claim: claim, Observed: fmt.Sprintf(observed, a...), Holds: holds}
}

// fdsOn reports whether fds 0-2 all name the terminal.
func fdsOn(f inspect.Facts, tty string) bool {
	for _, fd := range f.FD {
		if !strings.HasPrefix(fd, "/dev/"+tty) {
			return false
		}
	}
	return proc.HasTTYName(tty)
}

func fdList(f inspect.Facts) string {
	return fmt.Sprintf("0 %s, 1 %s, 2 %s", orNone(f.FD[0]), orNone(f.FD[1]), orNone(f.FD[2]))
}

func orNone(s string) string {
	if s == "" {
		return "(closed or unreadable)"
	}
	return s
}

func state(s Snapshot) string {
	if s.Alive() {
		return fmt.Sprintf("PID %d is running (state %s)", s.PID, s.Facts().State)
	}
	if s.Gone != "" {
		return fmt.Sprintf("PID %d %s", s.PID, s.Gone)
	}
	return fmt.Sprintf("PID %d is gone", s.PID)
}

// terminalJobChecks are the claims about a nohup or setsid job typed into
// shellName; termLog is the terminal's log, which says how the shell ended.
func terminalJobChecks(kind Kind, shellName, tty string, before, after []Snapshot, termLog []string) []Check {
	prog, shell := find(before, "program"), find(before, "shell")
	pf, sf := prog.Facts(), shell.Facts()
	var cs []Check
	switch kind {
	case Nohup:
		cs = append(cs,
			check("nohup made the program ignore SIGHUP, and the ignored disposition survived exec",
				pf.Disposition(unix.SIGHUP) == proc.Ignored, "SIGHUP %s (SigIgn)", pf.Signals["SIGHUP"]),
			check("it is still on the terminal",
				pf.TTY == tty && tty != "", "controlling terminal %s", pf.TTY),
			check("it is still in the shell's session",
				pf.SID == shell.PID, "session %d; the shell is PID %d", pf.SID, shell.PID),
			check("it is a background job: a process group of its own, not the terminal's foreground group",
				pf.PGID == pf.PID && pf.TPGID != pf.PGID && pf.TPGID == sf.PGID,
				"process group %d; the terminal's foreground group is %d, the shell's", pf.PGID, pf.TPGID),
			check("its output goes to nohup.out, its input is not the terminal",
				strings.HasSuffix(pf.FD[1], "/nohup.out") && strings.HasSuffix(pf.FD[2], "/nohup.out") && !strings.HasPrefix(pf.FD[0], "/dev/pts/"),
				"fds %s", fdList(pf)),
		)
	case Setsid:
		cs = append(cs,
			check("the program leads a new session",
				pf.SID == pf.PID && pf.SID != shell.PID, "session %d (its own PID); the shell's session is %d", pf.SID, sf.SID),
			check("it has no controlling terminal",
				!pf.HasTTY(), "controlling terminal %s", pf.TTY),
			check("but its stdin, stdout and stderr are still the terminal",
				fdsOn(pf, tty), "fds %s", fdList(pf)),
			check("setsid(1) forked first (the job led a process group, and setsid(2) fails for a group leader), so the program is not the shell's child",
				pf.PPID != shell.PID && pf.PPID != 0, "parent PID %d (%s)", pf.PPID, pf.ParentComm),
		)
	}
	if after == nil {
		return cs
	}
	prog2, shell2, job2 := find(after, "program"), find(after, "shell"), find(after, "job")
	p2 := prog2.Facts()
	shellEnd := ""
	for _, l := range termLog {
		if i := strings.Index(l, "the shell, "); i >= 0 && strings.Contains(l, " was ") {
			shellEnd = l[i:]
		}
	}
	cs = append(cs,
		check("the shell, the terminal's controlling process, got SIGHUP from the kernel and died of it",
			!shell2.Alive() && strings.HasSuffix(shellEnd, "was killed by SIGHUP"), "%s; the terminal, its parent, saw: %q", state(shell2), shellEnd),
	)
	// What reached the plain job is the shell's doing: the kernel sends no
	// background group SIGHUP at a hang-up.
	if shellName == "bash" {
		cs = append(cs, check("bash passed SIGHUP on to its jobs: the plain background job, which nothing protected, died of it",
			!job2.Alive() && strings.Contains(job2.Gone, "SIGHUP"), "%s", state(job2)))
	} else {
		cs = append(cs, check(shellName+" passes no SIGHUP on to its jobs (bash does): even the plain background job survived",
			job2.Alive(), "%s", state(job2)))
	}
	cs = append(cs, check("the program survived the hang-up", prog2.Alive(), "%s", state(prog2)))
	if !prog2.Alive() {
		return cs
	}
	switch kind {
	case Nohup:
		cs = append(cs,
			check("the hang-up took the terminal from the whole session: the program has none now",
				!p2.HasTTY(), "controlling terminal %s", p2.TTY),
			check("it is still in the dead shell's session: nohup never made it a session of its own",
				p2.SID == shell.PID, "session %d", p2.SID),
		)
	case Setsid:
		cs = append(cs,
			check("its fds still name the terminal, which is gone: writes now fail",
				strings.HasPrefix(p2.FD[1], "/dev/pts/"), "fds %s", fdList(p2)),
		)
	}
	return cs
}

// outcomeOfHangup says in one line what the hang-up did.
func outcomeOfHangup(after []Snapshot, shellName string) string {
	prog, shell, job := find(after, "program"), find(after, "shell"), find(after, "job")
	how := func(s Snapshot) string {
		if s.Alive() {
			return "is still running"
		}
		h := strings.TrimPrefix(state(s), fmt.Sprintf("PID %d ", s.PID))
		if strings.HasPrefix(h, "killed") {
			h = "was " + h
		}
		return h
	}
	return fmt.Sprintf("the shell (%s) %s; the plain job %s; the program %s", shellName, how(shell), how(job), how(prog))
}

// ptyServerChecks are the claims about a program on a server's pty.
func ptyServerChecks(tty string, before, after []Snapshot, how *pidfd.Exit) []Check {
	prog, server := find(before, "program"), find(before, "server")
	pf, sf := prog.Facts(), server.Facts()
	cs := []Check{
		check("the server has a session of its own and no terminal: nothing a terminal does reaches it",
			sf.SID == server.PID && !sf.HasTTY(), "session %d (its own PID), controlling terminal %s", sf.SID, sf.TTY),
		check("the program leads the pseudo-terminal's session, with the pts as its controlling terminal",
			pf.SID == prog.PID && pf.TTY == tty && tty != "", "session %d (its own PID), controlling terminal %s", pf.SID, pf.TTY),
		check("it is the terminal's foreground process group",
			pf.Foreground, "process group %d, the terminal's foreground group %d", pf.PGID, pf.TPGID),
		check("its parent is the server", pf.PPID == server.PID, "parent PID %d (%s)", pf.PPID, pf.ParentComm),
		check("its stdin, stdout and stderr are the pts", fdsOn(pf, tty), "fds %s", fdList(pf)),
	}
	if after == nil || how == nil {
		return cs
	}
	return append(cs,
		check("when the server closed the master, the kernel sent SIGHUP to the program, the terminal's controlling process, and it died of it",
			how.Signal() == unix.SIGHUP, "the program was %s (read from %s)", how, how.Source),
		check("the server is gone", !find(after, "server").Alive(), "%s", state(find(after, "server"))),
	)
}

// supervisedChecks are the claims about a supervised new-style daemon.
func supervisedChecks(before, after []Snapshot, restart *Restart) []Check {
	svc, sup := find(before, "service"), find(before, "supervisor")
	vf, uf := svc.Facts(), sup.Facts()
	cs := []Check{
		check("the service runs in the foreground: it did not fork, its parent is the supervisor",
			vf.PPID == sup.PID, "parent PID %d; the supervisor is PID %d", vf.PPID, sup.PID),
		check("in a session of its own (the supervisor called setsid for it, as systemd does), with no terminal",
			vf.SID == svc.PID && !vf.HasTTY(), "session %d, controlling terminal %s", vf.SID, vf.TTY),
		check("its stdin is /dev/null, its stdout and stderr one pipe to the supervisor's journal",
			vf.FD[0] == "/dev/null" && strings.HasPrefix(vf.FD[1], "pipe:") && vf.FD[1] == vf.FD[2], "fds %s", fdList(vf)),
		check("its working directory is /", vf.Cwd == "/", "cwd %s", orNone(vf.Cwd)),
		check("the supervisor has no terminal either", !uf.HasTTY(), "controlling terminal %s", uf.TTY),
	}
	if after == nil || restart == nil {
		return cs
	}
	svc2 := find(after, "service")
	return append(cs,
		check("the supervisor saw the service die, as its parent, through wait(2)",
			restart.Killed.Signal() == unix.SIGKILL, "PID %d was %s", restart.Old.PID, restart.Killed),
		check("and started it again, with a new PID, which said READY=1",
			restart.New.PID != restart.Old.PID && svc2.PID == restart.New.PID && svc2.Alive(),
			"new run: %s", state(svc2)),
		check("the new run is again the supervisor's child",
			svc2.Facts().PPID == sup.PID, "parent PID %d", svc2.Facts().PPID),
	)
}
