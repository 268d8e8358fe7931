package normal

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/event"
)

// Event is one thing the program reported.
type Event struct {
	From   string    `json:"from"`             // "program"
	Kind   string    `json:"kind"`             // "ready", "signal", "key", "note"
	Signal string    `json:"signal,omitempty"` // "SIGINT" for Kind "signal", "stopped"
	How    string    `json:"how,omitempty"`    // for "ended": "killed by SIGINT", "exited with status 0"
	Text   string    `json:"text"`             // in plain words
	Bytes  int       `json:"bytes,omitempty"`  // for "key": how many bytes were read
	Final  bool      `json:"final,omitempty"`  // the program ends right after this report
	Self   *View     `json:"self,omitempty"`   // for "ready": how the program sees itself
	Time   time.Time `json:"time"`
}

// String is the event as one line.
func (e Event) String() string { return e.From + ": " + e.Text }

// View is how a process sees itself in /proc/self/stat, with the names of
// its parent and of its session's leader.
type View struct {
	PID          int    `json:"pid"`
	PPID         int    `json:"ppid"`
	ParentComm   string `json:"parent_comm"`
	PGID         int    `json:"pgid"`
	SID          int    `json:"sid"`
	LeaderComm   string `json:"session_leader_comm"`
	TTY          string `json:"tty"` // "pts/3", or "?" for none
	TPGID        int    `json:"tpgid"`
	StartTime    uint64 `json:"start_time"`
	InForeground bool   `json:"foreground"`
}

func viewOf(pid int) (View, error) {
	fs := proc.Live()
	st, err := fs.Stat(pid)
	if err != nil {
		return View{}, err
	}
	v := View{
		PID: st.PID, PPID: st.PPID, PGID: st.PGID, SID: st.SID, TTY: proc.TTYName(st.TTY),
		TPGID: st.TPGID, StartTime: st.StartTime, InForeground: st.InForeground(),
	}
	if p, err := fs.Stat(st.PPID); err == nil {
		v.ParentComm = p.Comm
	}
	if l, err := fs.Stat(st.SID); err == nil {
		v.LeaderComm = l.Comm
	}
	return v, nil
}

// reporter writes events to fd 3, when there is one, through package
// event: each carries the sender's PID and start time, and this package's
// Event as its data. The program shares that pipe with the shell that runs
// it; a line is shorter than PIPE_BUF, so lines never interleave.
type reporter struct {
	from string
	mu   sync.Mutex
	w    *os.File
}

func newReporter(from string, fd int) *reporter {
	r := &reporter{from: from}
	if fd > 0 {
		r.w = os.NewFile(uintptr(fd), "events")
	}
	return r
}

func (r *reporter) send(e Event) {
	if r == nil || r.w == nil {
		return
	}
	e.From, e.Time = r.from, time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	event.Send(r.w, event.Self(r.from, e.Kind).WithData(e))
}

// roleArgs are the flags of the program.
type roleArgs struct {
	Report   bool
	Lifetime time.Duration
	EventsFD int
}

func (a roleArgs) flags() []string {
	f := []string{"--lifetime", a.Lifetime.String()}
	if a.Report {
		f = append(f, "--report")
	}
	if a.EventsFD > 0 {
		f = append(f, "--events-fd", fmt.Sprint(a.EventsFD))
	}
	return f
}

func parseRoleArgs(role string, args []string) (roleArgs, error) {
	var a roleArgs
	fs := flag.NewFlagSet(role, flag.ContinueOnError)
	fs.SetOutput(discard{})
	fs.BoolVar(&a.Report, "report", false, "")
	fs.DurationVar(&a.Lifetime, "lifetime", DefaultLifetime, "")
	fs.IntVar(&a.EventsFD, "events-fd", 0, "")
	err := fs.Parse(args)
	return a, err
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }
