// Package inspect decides whether a process is a daemon, a normal process, a
// kernel thread or a zombie, and gives the evidence for that verdict.
//
// Gather reads the live facts (the only side effect); Judge is a pure
// function of those facts; Explain does both. The demos, the lessons and the
// grader all read processes through Explain, so what they show is what
// `dlab explain` shows.
package inspect

import (
	"dlab/demos/proc"
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
	Event   string `json:"event"`   // "terminal closes", "user logs out", "parent exits", "kill -HUP"
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
}

// Report is the whole explanation of one process.
type Report struct {
	PID         int          `json:"pid"`
	Command     string       `json:"command"`
	Verdict     Verdict      `json:"verdict"`
	Summary     string       `json:"summary"`
	Facts       Facts        `json:"facts"`
	Evidence    []Row        `json:"evidence"`
	Predictions []Prediction `json:"predictions"`
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
