package grade

import (
	"time"

	"dlab/demos/core/inspect"
)

// Observation is everything the harness saw while it ran the program: plain
// data, sent from the harness to dlab as JSON and judged by Judge. Pointers
// are nil for the steps that were not reached.
type Observation struct {
	Mode    Mode     `json:"mode"`
	Command []string `json:"command"`
	// Timeout bounds the wait for control to return and for SIGTERM to work.
	Timeout time.Duration `json:"timeout_ns"`
	// StretchedFor says why Timeout is longer than the one asked for (a
	// busy machine), empty when it is not.
	StretchedFor string `json:"timeout_stretched_for,omitempty"`
	// Harness is the PID of the grader's harness, the child subreaper that
	// adopts the daemon in place of init.
	Harness int `json:"harness_pid"`
	// Terminal is the pseudo-terminal the program was started on ("/dev/pts/7").
	Terminal string `json:"terminal,omitempty"`
	// Caller is the shell-like session leader that ran the program as its
	// foreground job; CallerSID is its session.
	Caller    int `json:"caller_pid,omitempty"`
	CallerSID int `json:"caller_sid,omitempty"`
	// InheritedUmask is the umask the program was started with.
	InheritedUmask int `json:"inherited_umask"`
	// Containment says how a fork bomb would be held back.
	Containment string `json:"containment"`

	Original  *Original `json:"original,omitempty"`
	ForkBomb  *ForkBomb `json:"fork_bomb,omitempty"`
	Survivors []Proc    `json:"survivors,omitempty"`
	Daemon    *Daemon   `json:"daemon,omitempty"`
	PIDFile   *PIDFile  `json:"pid_file,omitempty"`
	Hangup    *Trial    `json:"hangup,omitempty"`
	SIGHUP    *Trial    `json:"sighup,omitempty"`
	SIGTERM   *Trial    `json:"sigterm,omitempty"`
	Service   *Service  `json:"service,omitempty"`
	Leftovers []Proc    `json:"leftovers,omitempty"`
	// Output is the tail of what the program wrote on the terminal (SysV)
	// or on stdout and stderr (new-style).
	Output string `json:"output,omitempty"`
	// Ended is how many processes the harness had to end at the finish.
	Ended   int  `json:"ended"`
	Aborted bool `json:"aborted,omitempty"`
	// RemovedPIDFile is the daemon's PID file that dlab removed because it
	// ended the daemon itself (an interrupted check, a SIGKILL) and the file
	// still named it.
	RemovedPIDFile string `json:"removed_pid_file,omitempty"`
	// Problems are the harness's own troubles (a process it could not end),
	// each saying what dlab was doing.
	Problems []string `json:"problems,omitempty"`
}

// Mode is how the program is started and judged.
type Mode string

const (
	// SysV: from an interactive shell, on a terminal, as the foreground job;
	// judged against daemon(7)'s SysV steps.
	SysV Mode = "sysv"
	// NewStyle: the way a service manager starts a service; judged against
	// daemon(7)'s new-style rules.
	NewStyle Mode = "new-style"
)

// Original is the process dlab started.
type Original struct {
	PID        int           `json:"pid"`
	StartError string        `json:"start_error,omitempty"`
	Exited     bool          `json:"exited"`
	How        string        `json:"how,omitempty"` // "exited 0", "killed by SIGTERM"
	ExitCode   int           `json:"exit_code"`     // -1 when killed by a signal
	After      time.Duration `json:"after_ns"`
	// StillForeground: when it did not return, whether it was still the
	// terminal's foreground job.
	StillForeground bool `json:"still_foreground,omitempty"`
}

// ForkBomb records a program that started more processes than allowed.
type ForkBomb struct {
	Max      int    `json:"max"`
	Seen     int    `json:"seen"`
	LimitHit bool   `json:"limit_hit"` // fork failed against the pids cgroup
	During   string `json:"during"`
}

// Proc is a process as one line of ps would show it.
type Proc struct {
	PID  int    `json:"pid"`
	PPID int    `json:"ppid"`
	PGID int    `json:"pgid"`
	SID  int    `json:"sid"`
	TTY  string `json:"tty"`
	Comm string `json:"comm"`
}

// Daemon is the process judged to be the daemon, as dlab explain sees it.
type Daemon struct {
	Facts   inspect.Facts   `json:"facts"`
	Verdict inspect.Verdict `json:"verdict"`
	// Chosen says why this process and not another survivor.
	Chosen string `json:"chosen"`
	// TerminalFDs are its fds that point at the terminal it was started on.
	TerminalFDs []int `json:"terminal_fds,omitempty"`
}

// PIDFile is the daemon's PID file, if one was found.
type PIDFile struct {
	Path    string `json:"path"`
	Source  string `json:"source"` // how dlab knew of it: "given with --pidfile", "named in its arguments", "found in /tmp"
	Found   bool   `json:"found"`
	Content string `json:"content,omitempty"`
	// Refused says why dlab would not read the file (a FIFO, a device, a
	// huge file, another user's link).
	Refused string `json:"refused,omitempty"`
	PID     int    `json:"pid,omitempty"` // 0 when the content is not a number
	// Removed: after SIGTERM ended the daemon, the file was gone.
	Removed *bool `json:"removed,omitempty"`
	// Searched lists where dlab looked when it found none.
	Searched []string `json:"searched,omitempty"`
}

// Trial is one event done to the daemon (a hang-up, a signal) and its outcome.
type Trial struct {
	// Disposition of the signal before it was sent: default, ignored, caught.
	Disposition string `json:"disposition,omitempty"`
	// InSession: for the hang-up, whether the daemon was in the terminal's session.
	InSession bool          `json:"in_session,omitempty"`
	HadTTY    bool          `json:"had_tty,omitempty"`
	Alive     bool          `json:"alive"`
	How       string        `json:"how,omitempty"` // how it ended, if it did
	After     time.Duration `json:"after_ns"`
	// Killed: it outlived the deadline and dlab sent SIGKILL.
	Killed bool   `json:"killed,omitempty"`
	Note   string `json:"note,omitempty"`
	// FreshPID is set when the trial was done on a fresh start of the
	// program, because an earlier trial had ended the first daemon or would
	// have: the PID of that second daemon.
	FreshPID int `json:"fresh_pid,omitempty"`
	// NotDone says why the trial could not be done (a fresh start of the
	// program left no daemon).
	NotDone string `json:"not_done,omitempty"`
}

// Service is what a new-style start showed.
type Service struct {
	PID    int           `json:"pid"`
	Window time.Duration `json:"window_ns"` // how long dlab waited for readiness
	// Exited: the main process ended before the window closed.
	Exited     bool          `json:"exited"`
	How        string        `json:"how,omitempty"`
	After      time.Duration `json:"after_ns"`
	Ready      bool          `json:"ready"`
	ReadyAfter time.Duration `json:"ready_after_ns"`
	Notify     []string      `json:"notify,omitempty"` // datagrams received on NOTIFY_SOCKET
	// Escaped are processes that left its tree (reparented to the harness).
	Escaped     []Proc         `json:"escaped,omitempty"`
	StderrLines int            `json:"stderr_lines"`
	StdoutLines int            `json:"stdout_lines"`
	FirstStderr string         `json:"first_stderr,omitempty"`
	Facts       *inspect.Facts `json:"facts,omitempty"`
}
