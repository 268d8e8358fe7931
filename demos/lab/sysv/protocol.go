package sysv

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/event"
	"dlab/demos/launch/registry"
)

// The launcher, the first child and the daemon talk over one unnamed pipe,
// opened by the launcher before the first fork (daemon(7) step 14). Its
// write end is fd 3 in both children. Each says what it has to say as
// events (package event), one line each, shorter than PIPE_BUF, so lines
// from the two never interleave: a "stage" event with how a process saw
// itself, the daemon's "ready" event (step 14) with the Daemon, or an
// "error" event when a step failed and the process is exiting.
const readyFD = 3

// sendStage tells the launcher how a process saw itself.
func sendStage(w *os.File, s Stage) error {
	return event.Send(w, event.Event{Role: s.Name, Kind: "stage", PID: s.PID, StartTime: s.StartTime}.WithData(s))
}

// sendReady is step 14: the daemon is ready.
func sendReady(w *os.File, d *Daemon) error {
	return event.Send(w, event.Event{Role: "daemon", Kind: "ready", PID: d.PID, StartTime: d.StartTime}.WithData(d))
}

// sendError says which step failed, as the process exits.
func sendError(w *os.File, role string, err error) error {
	e := event.Self(role, "error")
	e.Error = role + ": " + err.Error()
	return event.Send(w, e)
}

// roleArgs is what the launcher passes to both children, as flags that read
// well in ps.
type roleArgs struct {
	Dir        string
	Lifetime   time.Duration
	Listen     bool
	Registry   string
	Owner      registry.Owner // zero with Options.Keep
	Run        string
	FirstChild int // set by stage 1 for the daemon
}

func (a roleArgs) flags() []string {
	f := []string{"--dir", a.Dir, "--lifetime", a.Lifetime.String()}
	if a.Listen {
		f = append(f, "--listen")
	}
	f = append(f, "--registry", a.Registry, "--run", a.Run)
	if !a.Owner.IsZero() {
		f = append(f, "--owner", fmt.Sprintf("%d:%d", a.Owner.PID, a.Owner.StartTime))
	}
	if a.FirstChild != 0 {
		f = append(f, "--first-child", strconv.Itoa(a.FirstChild))
	}
	return f
}

func parseRoleArgs(role string, args []string) (roleArgs, error) {
	var a roleArgs
	var owner string
	fs := flag.NewFlagSet(role, flag.ContinueOnError)
	fs.SetOutput(discard{})
	fs.StringVar(&a.Dir, "dir", "", "")
	fs.DurationVar(&a.Lifetime, "lifetime", DefaultLifetime, "")
	fs.BoolVar(&a.Listen, "listen", false, "")
	fs.StringVar(&a.Registry, "registry", "", "")
	fs.StringVar(&a.Run, "run", "", "")
	fs.StringVar(&owner, "owner", "", "")
	fs.IntVar(&a.FirstChild, "first-child", 0, "")
	if err := fs.Parse(args); err != nil {
		return a, fmt.Errorf("%s: %w", role, err)
	}
	if a.Dir == "" || a.Registry == "" {
		return a, fmt.Errorf("%s: --dir and --registry are required", role)
	}
	if owner != "" {
		p, t, _ := strings.Cut(owner, ":")
		a.Owner.PID, _ = strconv.Atoi(p)
		a.Owner.StartTime, _ = strconv.ParseUint(t, 10, 64)
	}
	return a, nil
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

// selfStage reads how this process sees itself now.
func selfStage(name, when string) (Stage, error) {
	st, err := proc.Live().Stat(os.Getpid())
	if err != nil {
		return Stage{}, err
	}
	return Stage{
		Name: name, When: when, PID: st.PID, PPID: st.PPID, PGID: st.PGID, SID: st.SID,
		TTY: proc.TTYName(st.TTY), StartTime: st.StartTime,
	}, nil
}
