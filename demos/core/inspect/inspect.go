// Package inspect decides whether a process is a daemon, a normal process, a
// kernel thread or a zombie, and gives the evidence for that verdict.
//
// Gather reads the live facts (the only side effect); Judge is a pure
// function of those facts; Explain does both. The demos, the lessons and the
// grader all read processes through Explain, so what they show is what
// `dlab explain` shows.
package inspect

import (
	"dlab/demos/core/proc"
)

// Verdict is what a process is, in the terms of the lesson.
type Verdict string

const (
	Daemon       Verdict = "daemon"
	Normal       Verdict = "normal"
	KernelThread Verdict = "kernel-thread"
	Zombie       Verdict = "zombie"
)

// Row is one piece of evidence: an aspect of the process, what was observed
// and where, and what it means.
type Row struct {
	Aspect     string `json:"aspect"`
	Observed   string `json:"observed"`
	Source     string `json:"source"`      // file and field, e.g. "/proc/4054/stat field 7 tty_nr"
	DaemonLike *bool  `json:"daemon_like"` // nil when it can't be known or says nothing either way
	Why        string `json:"why"`
	Raw        string `json:"raw,omitempty"` // the line(s) as read, for --raw
}

// Prediction is what would happen to the process on an event, predicted from
// the evidence.
type Prediction struct {
	Event   string `json:"event"`   // a stable id: EventTerminalCloses, EventHUP, ...
	Effect  Effect `json:"effect"`  // ends, survives, stops, program-decides, unknown
	Outcome string `json:"outcome"` // in plain words
	Why     string `json:"why"`
}

// Facts are the values read from /proc that the verdict rests on. They are
// plain data, so demos can show them side by side and tests can build them.
type Facts struct {
	PID           int               `json:"pid"`
	Comm          string            `json:"comm"`
	Cmdline       []string          `json:"cmdline"`
	State         string            `json:"state"`
	PPID          int               `json:"ppid"`
	ParentComm    string            `json:"parent_comm"`
	SID           int               `json:"sid"`
	PGID          int               `json:"pgid"`
	TTY           string            `json:"tty"` // "pts/3", or "?" for none
	TPGID         int               `json:"tpgid"`
	SessionLeader bool              `json:"session_leader"`
	Foreground    bool              `json:"foreground"`
	FD            [3]string         `json:"fds"` // targets of fds 0, 1, 2; "" when closed or unreadable
	Cwd           string            `json:"cwd"` // "" when unreadable
	Umask         int               `json:"umask"`
	UID           int               `json:"uid"`
	User          string            `json:"user"`
	Signals       map[string]string `json:"signals"`              // "SIGHUP" -> "ignored" | "caught" | "default"
	StartTime     uint64            `json:"start_time"`           // clock ticks after boot; identifies the process with its PID
	Unreadable    []string          `json:"unreadable,omitempty"` // what could not be read, and what would be needed

	// Added with dlab explain (issue 3).
	SessionComm string   `json:"session_comm"` // the session leader's name, "" when gone
	TTYNr       int      `json:"tty_nr"`       // stat field 7 as read
	Flags       uint64   `json:"flags"`        // stat field 9: PF_* flags
	Threads     int      `json:"threads"`      // stat field 20
	EUID        int      `json:"euid"`         // effective uid: what the kernel checks
	GID         int      `json:"gid"`          // real gid
	Group       string   `json:"group"`        // name of GID, "" when unknown
	CapEff      uint64   `json:"cap_eff"`      // effective capabilities
	NoNewPrivs  bool     `json:"no_new_privs"`
	SigIgn      []string `json:"sig_ign"` // decoded SigIgn
	SigCgt      []string `json:"sig_cgt"` // decoded SigCgt
	SigBlk      []string `json:"sig_blk"` // signals every thread blocks (a process-directed one stays pending)
	// MainThreadSigBlk is status's SigBlk, the main thread's own mask,
	// when it differs from what every thread blocks.
	MainThreadSigBlk []string   `json:"main_thread_sig_blk,omitempty"`
	GoVersion        string     `json:"go_version,omitempty"` // set when the executable is a Go program
	GoHint           string     `json:"go_hint,omitempty"`    // how dlab knows (build info, or SIGURG caught)
	Exe              string     `json:"exe,omitempty"`
	Cgroup           string     `json:"cgroup"`                // the path dlab interprets (unified, else the systemd one)
	CgroupKind       string     `json:"cgroup_kind"`           // service, session scope, user manager, container, root, other
	CgroupUnit       string     `json:"cgroup_unit,omitempty"` // "nginx.service", "session-3.scope"
	Listening        []Listener `json:"listening"`
	Ancestry         []Ancestor `json:"ancestry"`             // parent first, up to PID 1 (or where the chain breaks)
	LoginUID         int64      `json:"loginuid"`             // -1 when unset (4294967295) or unreadable
	AuditSess        int64      `json:"audit_session"`        // -1 when unset or unreadable
	StartedAt        float64    `json:"started_after_boot_s"` // seconds after boot
	Uptime           float64    `json:"uptime_s"`             // seconds since boot, when read
	PID1Comm         string     `json:"pid1_comm"`            // what PID 1 of this PID namespace is ("systemd", "process_api")
	PID1Start        float64    `json:"pid1_started_after_boot_s"`
	TermHolder       *Holder    `json:"terminal_holder,omitempty"` // who holds the master of its pseudo-terminal
	Hidden           []string   `json:"hidden,omitempty"`          // machine keys of what could not be read: "status", "fds", "cwd", "exe", "cgroup", "sockets", "loginuid"

	// Added with issue 9.
	SUID       int          `json:"suid"`                   // saved uid: with the real uid, what kill(2) compares against
	NSpid      []int        `json:"nspid,omitempty"`        // its PID in each nested PID namespace, outermost first
	TracerPID  int          `json:"tracer_pid"`             // the process ptrace-attached to it, 0 if none
	TracerComm string       `json:"tracer_comm,omitempty"`  // the tracer's name
	ExeDeleted bool         `json:"exe_deleted"`            // the executable was replaced or removed since it started
	FDDenied   [3]bool      `json:"fd_denied"`              // fd 0-2 exists but readlink was refused (EACCES), not closed
	Bound      []Listener   `json:"bound,omitempty"`        // bound but not listening sockets: unix datagram servers, UDP clients
	Parent     *ParentFacts `json:"parent_facts,omitempty"` // what dlab read about the parent, to name a supervisor
	// Observer is who runs dlab: kill(2) permission and "dlab holds the
	// foreground" depend on it. Zero values when unknown (a fixture).
	Observer Observer `json:"observer"`

	// raw keeps the lines as read, by source, for Row.Raw.
	raw map[string]string
}

// Listener is a socket the process listens on (or, for UDP, is bound to).
type Listener struct {
	Proto string `json:"proto"` // tcp, tcp6, udp, udp6, unix
	Addr  string `json:"addr"`  // "127.0.0.1:8080", "/run/x.sock", "@abstract"
	Port  int    `json:"port,omitempty"`
	FD    int    `json:"fd"`
	Inode uint64 `json:"inode"`
	// Role is "listens" (TCP or unix stream in LISTEN), "bound" (a unix
	// datagram socket with a path: a server like rsyslogd's /dev/log, or a
	// UDP socket on a service port) or "client" (a UDP socket on an
	// ephemeral port, as the kernel binds one that only sent).
	Role string `json:"role"`
}

// ParentFacts are what dlab read about the parent beyond its stat: its
// command line names a supervisor and its config.
type ParentFacts struct {
	PID     int      `json:"pid"`
	Comm    string   `json:"comm"`
	Cmdline []string `json:"cmdline,omitempty"`
	Exe     string   `json:"exe,omitempty"`
}

// Observer is the process asking (dlab): its credentials and its process
// group, read by the command, not from the fixture.
type Observer struct {
	Known bool `json:"known"`
	UID   int  `json:"uid"`  // real uid
	EUID  int  `json:"euid"` // effective uid
	Root  bool `json:"root"` // CAP_KILL: may signal any process
	PGID  int  `json:"pgid"` // dlab's own process group
	TTYNr int  `json:"tty_nr"`
}

// Ancestor is one process on the way from a process up to PID 1.
type Ancestor struct {
	PID       int     `json:"pid"`
	Comm      string  `json:"comm"`
	TTY       string  `json:"tty"`
	SID       int     `json:"sid"`
	Verdict   Verdict `json:"verdict"`
	StartTime uint64  `json:"start_time"`
	// Subreaper is why dlab thinks the process is a child subreaper
	// (prctl(PR_SET_CHILD_SUBREAPER)): the kernel shows that flag nowhere
	// in /proc, so dlab knows it only for programs known to set it.
	Subreaper string `json:"subreaper,omitempty"`
}

// Holder is the process that holds the master side of a pseudo-terminal:
// a terminal emulator, sshd, tmux or screen.
type Holder struct {
	PID  int    `json:"pid"`
	Comm string `json:"comm"`
	// Confirmed is true when dlab saw the master in the holder's fds
	// (/proc/PID/fdinfo/N tty-index); false when it is only the parent of the
	// session leader, the usual holder.
	Confirmed bool `json:"confirmed"`
}

// Report is the whole explanation of one process.
type Report struct {
	PID     int     `json:"pid"`
	Command string  `json:"command"`
	Verdict Verdict `json:"verdict"`
	// Kind is the finer answer an expert gives: which kind of daemon or
	// normal process (KindBatchJob, KindSupervised, ...).
	Kind Kind `json:"kind"`
	// KindWhy says why, in one sentence.
	KindWhy     string       `json:"kind_why"`
	Summary     string       `json:"summary"`
	Facts       Facts        `json:"facts"`
	Evidence    []Row        `json:"evidence"`
	Predictions []Prediction `json:"predictions"`
	// Mixed is true when some evidence points the other way: a nohup job
	// on a terminal, a setsid job that kept the terminal's fds. Summary says
	// which, in plain words.
	Mixed bool `json:"mixed"`
}

// Explain reads process pid from fs and judges it. Errors wrap proc.ErrGone
// and proc.ErrPermission where that is the cause.
func Explain(fs proc.FS, pid int) (Report, error) {
	f, err := Gather(fs, pid)
	if err != nil {
		return Report{}, err
	}
	return Judge(f), nil
}
