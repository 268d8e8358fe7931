package spectrum

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// Running is a started member of the spectrum.
type Running interface {
	Kind() Kind
	Members() []Member
	Dir() string
	Stop() error
	snapshot(ctx context.Context) []Snapshot
}

// Start starts the member of the spectrum named by kind.
func Start(ctx context.Context, kind Kind, opts Options) (Running, error) {
	switch kind {
	case Nohup:
		return StartNohup(ctx, opts)
	case Setsid:
		return StartSetsid(ctx, opts)
	case PtyServer:
		return StartPtyServer(ctx, opts)
	case Supervised:
		return StartSupervised(ctx, opts)
	case Tmux:
		return StartTmux(ctx, opts)
	}
	return nil, fmt.Errorf("no spectrum demo named %q (try %v)", kind, Kinds)
}

// Snapshot is one process of a demo as the inspector saw it at one moment:
// the same report `dlab explain PID` gives.
type Snapshot struct {
	Member
	Report *inspect.Report `json:"report,omitempty"` // nil once it has gone
	Gone   string          `json:"gone,omitempty"`   // how it ended, when it has
}

// Alive reports whether the process was running (not a zombie) when seen.
func (s Snapshot) Alive() bool {
	return s.Report != nil && s.Report.Verdict != inspect.Zombie
}

// Facts are the inspector's facts, zero once the process has gone.
func (s Snapshot) Facts() inspect.Facts {
	if s.Report == nil {
		return inspect.Facts{}
	}
	return s.Report.Facts
}

// snapshot inspects every member now. A member that has exited is reported
// with how it ended, read through its pidfd.
func (g *group) snapshot(ctx context.Context) []Snapshot {
	var snaps []Snapshot
	for _, m := range g.Members() {
		s := Snapshot{Member: m}
		r, err := inspect.Explain(proc.Live(), m.PID)
		switch {
		case err == nil && r.Facts.StartTime == m.StartTime && r.Verdict != inspect.Zombie:
			s.Report = &r
		case err != nil && !errors.Is(err, proc.ErrGone):
			s.Gone = "cannot be read: " + err.Error()
		default:
			if p := g.proc(m.PID); p != nil && !p.Alive() {
				ectx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
				how, _ := p.ExitStatus(ectx)
				cancel()
				s.Gone = how.String()
			} else {
				s.Gone = "gone"
			}
		}
		snaps = append(snaps, s)
	}
	return snaps
}

// Check is one claim of the lesson, checked against what was observed.
type Check struct {
	Claim    string `json:"claim"`
	Observed string `json:"observed"`
	Holds    bool   `json:"holds"`
}

// Showing is one member of the spectrum shown from start to end: its
// processes as the inspector saw them, the event that tells it apart, the
// processes again after the event, and the lesson's claims checked against
// both.
type Showing struct {
	Kind    Kind          `json:"kind"`
	Title   string        `json:"title"`
	TTY     string        `json:"tty,omitempty"`
	Dir     string        `json:"dir"`
	Before  []Snapshot    `json:"before"`
	Event   string        `json:"event"`
	Outcome string        `json:"outcome"`
	After   []Snapshot    `json:"after"`
	Checks  []Check       `json:"checks"`
	Took    time.Duration `json:"took_ns"`
	// Shell and Transcript, for a job typed into a shell: which shell
	// ("bash", "sh"), and what its terminal showed.
	Shell      string `json:"shell,omitempty"`
	Transcript string `json:"transcript,omitempty"`
}

// Titles say in one line what each member shows.
var Titles = map[Kind]string{
	Nohup:      "nohup: still on the terminal, ignores SIGHUP",
	Setsid:     "setsid: a new session and no terminal, but stdio still on it",
	PtyServer:  "a pty held by a server (tmux, screen): the program has a terminal, the server is the daemon",
	Supervised: "a new-style daemon under a supervisor that restarts it (Restart=always)",
}

// Events say what each showing does to its processes.
var Events = map[Kind]string{
	Nohup:      "the terminal hangs up: its window closes, and the master side of the pseudo-terminal with it",
	Setsid:     "the terminal hangs up: its window closes, and the master side of the pseudo-terminal with it",
	PtyServer:  "the server ends, as with `tmux kill-server`: it closes the master side",
	Supervised: "the service is killed with SIGKILL, which it can't catch",
}

// Show starts the member of the spectrum named by kind, inspects it,
// makes its event happen, inspects it again, checks the lesson's claims,
// and ends every process it started.
func Show(ctx context.Context, kind Kind, opts Options) (Showing, error) {
	t0 := time.Now()
	run, err := Start(ctx, kind, opts)
	if err != nil {
		return Showing{}, err
	}
	defer run.Stop()
	s := Showing{Kind: kind, Title: Titles[kind], Event: Events[kind], Dir: run.Dir(), Before: run.snapshot(ctx)}
	switch r := run.(type) {
	case *TerminalJob:
		s.TTY, s.Shell = r.TTY, r.Shell
		if err := r.Hangup(ctx); err != nil {
			return s, err
		}
		s.After = r.snapshot(ctx)
		s.Transcript = r.Transcript()
		s.Outcome = outcomeOfHangup(s.After, r.Shell)
		s.Checks = terminalJobChecks(kind, r.Shell, s.TTY, s.Before, s.After, r.readLog("terminal.log"))
	case *PtySession:
		s.TTY = r.TTY
		how, err := r.KillServer(ctx)
		if err != nil {
			return s, err
		}
		s.After = r.snapshot(ctx)
		s.Outcome = "the program on the pseudo-terminal was " + how.String()
		s.Checks = ptyServerChecks(s.TTY, s.Before, s.After, &how)
	case *SupervisedService:
		restart, err := r.KillService(ctx, unix.SIGKILL)
		if err != nil {
			return s, err
		}
		s.After = r.snapshot(ctx)
		s.Outcome = fmt.Sprintf("the service (PID %d) was %s; the supervisor started it again after RestartSec=%v as PID %d",
			restart.Old.PID, restart.Killed, r.RestartDelay, restart.New.PID)
		s.Checks = supervisedChecks(s.Before, s.After, &restart)
	}
	s.Took = time.Since(t0)
	return s, nil
}

// Now inspects a running demo without making anything happen, and checks
// the claims that hold before the event.
func Now(ctx context.Context, run Running) Showing {
	s := Showing{Kind: run.Kind(), Title: Titles[run.Kind()], Dir: run.Dir(), Before: run.snapshot(ctx)}
	switch r := run.(type) {
	case *TerminalJob:
		s.TTY, s.Shell, s.Transcript = r.TTY, r.Shell, r.Transcript()
		s.Checks = terminalJobChecks(r.kind, r.Shell, r.TTY, s.Before, nil, nil)
	case *PtySession:
		s.TTY = r.TTY
		s.Checks = ptyServerChecks(r.TTY, s.Before, nil, nil)
	case *SupervisedService:
		s.Checks = supervisedChecks(s.Before, nil, nil)
	}
	return s
}

// Holds reports whether every check held.
func (s Showing) Holds() bool {
	for _, c := range s.Checks {
		if !c.Holds {
			return false
		}
	}
	return true
}
