package inspect

import (
	"strings"
	"testing"

	"dlab/demos/core/proc"
)

// base is a SysV daemon as Gather would read it: no terminal, its own
// session, parent PID 1 (systemd), stdio on /dev/null, SIGHUP at default.
func base() Facts {
	return Facts{
		PID: 500, Comm: "food", State: "S", PPID: 1, SID: 500, PGID: 500, TTY: "?", TPGID: -1,
		SessionLeader: true, FD: [3]string{"/dev/null", "/dev/null", "/dev/null"}, Cwd: "/",
		UID: 0, EUID: 0, SUID: 0, Umask: 0, LoginUID: -1, AuditSess: -1, PID1Comm: "systemd",
		Signals:  map[string]string{"SIGHUP": "default", "SIGINT": "default", "SIGTERM": "default"},
		Ancestry: []Ancestor{{PID: 1, Comm: "systemd", TTY: "?", Verdict: Daemon}},
	}
}

// withParent makes p the parent, above PID 1.
func withParent(f Facts, pid int, comm, tty string, v Verdict) Facts {
	f.PPID = pid
	f.Ancestry = append([]Ancestor{{PID: pid, Comm: comm, TTY: tty, Verdict: v}}, f.Ancestry...)
	return f
}

func TestKindIsBaseCasePlusOneChange(t *testing.T) {
	for _, c := range []struct {
		what    string
		change  func(Facts) Facts
		verdict Verdict
		kind    Kind
	}{
		{"the base: setsid, parent PID 1", func(f Facts) Facts { return f }, Daemon, KindSysV},
		{"double fork: not the session leader", func(f Facts) Facts { f.SID, f.PGID, f.SessionLeader = 499, 499, false; return f }, Daemon, KindSysV},
		{"a job whose shell exited: own group, session's leader gone", func(f Facts) Facts {
			f.SID, f.SessionLeader = 400, false
			return f
		}, Normal, KindDetachedJob},
		{"a systemd service", func(f Facts) Facts { f.CgroupKind, f.CgroupUnit = CgroupService, "food.service"; return f }, Daemon, KindManaged},
		{"a cron job", func(f Facts) Facts { return withParent(f, 420, "cron", "?", Daemon) }, Normal, KindBatchJob},
		{"ssh host cmd", func(f Facts) Facts { return withParent(f, 600, "sshd", "?", Daemon) }, Normal, KindBatchJob},
		{"a script's child", func(f Facts) Facts {
			f = withParent(f, 700, "sh", "?", Daemon)
			f.SessionLeader, f.SID = false, 700
			return f
		}, Normal, KindBatchJob},
		{"setsid under a live parent, stdio on /dev/null", func(f Facts) Facts { return withParent(f, 700, "python3", "?", Daemon) }, Normal, KindBatchJob},
		{"a sandbox's shell: its own session, stdio pipes to a live parent", func(f Facts) Facts {
			f.FD = [3]string{"pipe:[1]", "pipe:[2]", "pipe:[3]"}
			return withParent(f, 700, "agent", "?", Daemon)
		}, Normal, KindBatchJob},
		{"a supervisord program", func(f Facts) Facts { return withParent(f, 300, "supervisord", "?", Daemon) }, Daemon, KindSupervised},
		{"a runsv service", func(f Facts) Facts { return withParent(f, 301, "runsv", "?", Daemon) }, Daemon, KindSupervised},
		{"libslack daemon(1)'s client", func(f Facts) Facts { return withParent(f, 302, "daemon", "?", Daemon) }, Daemon, KindSupervised},
		{"a worker of its master", func(f Facts) Facts {
			f.Comm = "nginx"
			return withParent(f, 800, "nginx", "?", Daemon)
		}, Daemon, KindWorker},
		{"supervisord itself", func(f Facts) Facts { f.Comm = "supervisord"; return f }, Daemon, KindServiceManager},
		{"setsid with the terminal's fds", func(f Facts) Facts { f.FD = [3]string{"/dev/pts/0", "/dev/pts/0", "/dev/pts/0"}; return f }, Daemon, KindDetachedJob},
		{"a sandbox's job: PID 1 is no init, stdio pipes", func(f Facts) Facts {
			f.PID1Comm, f.Ancestry[0].Comm = "process_api", "process_api"
			f.FD = [3]string{"pipe:[1]", "pipe:[2]", "pipe:[2]"}
			return f
		}, Normal, KindBatchJob},
		{"on a terminal, in the foreground", func(f Facts) Facts {
			f.TTY, f.TTYNr, f.TPGID, f.SessionLeader, f.Foreground = "pts/0", 34816, 500, true, true
			return f
		}, Normal, KindInteractive},
		{"a shell while dlab holds the foreground", func(f Facts) Facts {
			f.TTY, f.TTYNr, f.TPGID, f.SessionLeader = "pts/0", 34816, 900, true
			f.Observer = Observer{Known: true, PGID: 900, TTYNr: 34816}
			return f
		}, Normal, KindInteractive},
		{"a background job", func(f Facts) Facts {
			f.TTY, f.TTYNr, f.TPGID, f.SessionLeader, f.SID = "pts/0", 34816, 700, false, 700
			return f
		}, Normal, KindBackgroundJob},
		{"a nohup job", func(f Facts) Facts {
			f.TTY, f.TTYNr, f.TPGID, f.SessionLeader, f.SID = "pts/0", 34816, 700, false, 700
			f.Signals["SIGHUP"] = "ignored"
			return f
		}, Normal, KindHangupProof},
		{"a zombie", func(f Facts) Facts { f.State = "Z"; return f }, Zombie, KindZombie},
	} {
		f := c.change(base())
		v, k, why := classify(f)
		if v != c.verdict || k != c.kind || why == "" {
			t.Errorf("%s: %s %s, want %s %s (%s)", c.what, v, k, c.verdict, c.kind, why)
		}
	}
}

func TestSignalFateIsBaseCasePlusOneChange(t *testing.T) {
	for _, c := range []struct {
		what     string
		change   func(Facts) Facts
		effect   Effect
		contains string
	}{
		{"default: terminates", func(f Facts) Facts { return f }, EffectEnds, "terminates"},
		{"ignored", func(f Facts) Facts { f.Signals["SIGHUP"] = "ignored"; return f }, EffectSurvives, "ignores"},
		{"the init of a PID namespace", func(f Facts) Facts { f.NSpid = []int{500, 1}; return f }, EffectSurvives, "drops signals"},
		{"blocked", func(f Facts) Facts { f.SigBlk = []string{"SIGHUP"}; return f }, EffectProgramDecides, "stays pending"},
		{"caught by nginx", func(f Facts) Facts { f.Comm, f.Signals["SIGHUP"] = "nginx", "caught"; return f }, EffectProgramDecides, "rereads its configuration"},
		{"caught by runsvdir", func(f Facts) Facts { f.Comm, f.Signals["SIGHUP"] = "runsvdir", "caught"; return f }, EffectProgramDecides, "it stops"},
		{"caught by an unknown program", func(f Facts) Facts { f.Signals["SIGHUP"] = "caught"; return f }, EffectProgramDecides, "By convention (not a kernel rule)"},
		{"status unreadable", func(f Facts) Facts { f.Signals = nil; f.Hidden = []string{"status"}; return f }, EffectUnknown, "could not read"},
		{"traced", func(f Facts) Facts { f.TracerPID, f.TracerComm = 77, "strace"; return f }, EffectEnds, "traced by strace"},
	} {
		f := c.change(base())
		e, text := fate(f, "SIGHUP")
		if e != c.effect || !strings.Contains(text, c.contains) {
			t.Errorf("%s: %s %q, want %s containing %q", c.what, e, text, c.effect, c.contains)
		}
	}
}

func TestPredictionsIsBaseCasePlusOneChange(t *testing.T) {
	term := func(f Facts) Facts {
		f.TTY, f.TTYNr, f.SID, f.PGID, f.TPGID, f.SessionLeader = "pts/0", 34816, 700, 500, 600, false
		f.SessionComm = "bash"
		return withParent(f, 700, "bash", "pts/0", Normal)
	}
	for _, c := range []struct {
		what     string
		change   func(Facts) Facts
		event    string
		effect   Effect
		contains string
	}{
		{"a daemon: no hang-up", func(f Facts) Facts { return f }, EventTerminalCloses, EffectSurvives, "no controlling terminal"},
		{"a shell's background job: disown is invisible", term, EventTerminalCloses, EffectUnknown, "disowned"},
		{"a background process no shell tracks", func(f Facts) Facts {
			f = term(f)
			f.PPID, f.Ancestry = 1, f.Ancestry[1:]
			return f
		}, EventTerminalCloses, EffectSurvives, "no SIGHUP reaches it"},
		{"its parent holds the pty master", func(f Facts) Facts {
			f = term(f)
			f.SessionLeader, f.SID = true, 500
			f.TermHolder = &Holder{PID: 700, Comm: "script", Confirmed: true}
			return f
		}, EventParentExits, EffectEnds, "hangs up"},
		{"its parent is supervisord", func(f Facts) Facts { return withParent(f, 300, "supervisord", "?", Daemon) }, EventParentExits, EffectEnds, "supervisord stops every program"},
		{"its parent is a master", func(f Facts) Facts { f.Comm = "postgres"; return withParent(f, 300, "postgres", "?", Daemon) }, EventParentExits, EffectUnknown, "PR_SET_PDEATHSIG"},
		{"another user asks", func(f Facts) Facts { f.Observer = Observer{Known: true, UID: 1000, EUID: 1000}; return f }, EventTERM, EffectEnds, "EPERM"},
		{"root asks", func(f Facts) Facts { f.Observer = Observer{Known: true, Root: true}; return f }, EventTERM, EffectEnds, "terminates"},
	} {
		f := c.change(base())
		v, k, _ := classify(f)
		var p Prediction
		for _, q := range predict(f, v, k) {
			if q.Event == c.event {
				p = q
			}
		}
		if p.Effect != c.effect || !strings.Contains(p.Outcome, c.contains) {
			t.Errorf("%s: %s: %s %q, want %s containing %q", c.what, c.event, p.Effect, p.Outcome, c.effect, c.contains)
		}
	}
}

func TestSocketRole(t *testing.T) {
	for _, c := range []struct {
		what string
		s    proc.Socket
		want string
	}{
		{"a TCP listener", proc.Socket{Proto: "tcp", Port: 80, Listen: true}, RoleListens},
		{"a UDP server on a service port", proc.Socket{Proto: "udp", Port: 53, Listen: true}, RoleBound},
		{"a UDP socket the kernel bound when it sent", proc.Socket{Proto: "udp", Port: 41234, Listen: true}, RoleClient},
		{"a unix stream listener", proc.Socket{Proto: "unix", Type: proc.Stream, Local: "/run/x.sock", Listen: true}, RoleListens},
		{"rsyslogd's /dev/log", proc.Socket{Proto: "unix", Type: proc.Datagram, Local: "/dev/log"}, RoleBound},
		{"a connected datagram client", proc.Socket{Proto: "unix", Type: proc.Datagram, Local: "/tmp/c", Connected: true}, ""},
		{"an unnamed unix socket", proc.Socket{Proto: "unix", Type: proc.Stream}, ""},
		{"an established TCP connection", proc.Socket{Proto: "tcp", Port: 5555, Connected: true}, ""},
	} {
		if got := SocketRole(c.s); got != c.want {
			t.Errorf("%s: %q, want %q", c.what, got, c.want)
		}
	}
}

// A start time after the uptime read never prints a negative age.
func TestStartTimeInTheFutureIsNotANegativeAge(t *testing.T) {
	f := base()
	f.StartedAt, f.Uptime = 500, 100
	r := startTimeRow(f)
	if strings.Contains(r.Observed, "-") || !strings.Contains(r.Observed, "can't be told") {
		t.Errorf("observed %q", r.Observed)
	}
}
