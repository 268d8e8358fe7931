// Package spectrum starts the processes that sit between a normal process and
// a daemon, each with the real mechanism, so the inspector can show what each
// one keeps and what it loses:
//
//   - nohup: `nohup dlab ... &` typed into a real shell on a terminal, next
//     to a plain `dlab ... &`: it ignores SIGHUP and survives the hang-up
//     that kills the plain job under bash, but it is still in the shell's
//     session, on its terminal.
//   - setsid: `setsid dlab ... &` typed the same way: a new session and no
//     controlling terminal, but its stdio still on the terminal.
//   - pty-server: a program on a pseudo-terminal whose master a server holds
//     (what tmux and screen do): the program has a terminal, the server is
//     the daemon.
//   - supervised: a new-style daemon in the foreground under a supervisor
//     that restarts it when it dies (systemd's Restart=always).
//
// Every process is dlab itself in a hidden role (see program.go), but the
// shell of the nohup and setsid demos: the machine's own bash -i (else sh
// -i; package shell), into which the terminal types the commands. Each Start returns once every process has announced itself
// on a pipe (no sleeps), with a pidfd on each so Stop never hits a reused PID.
package spectrum

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/lifeline"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
	"dlab/demos/launch/shell"
)

// Kind names a member of the spectrum.
type Kind string

const (
	Nohup      Kind = "nohup"
	Setsid     Kind = "setsid"
	PtyServer  Kind = "pty-server"
	Supervised Kind = "supervised"
)

// Kinds lists the spectrum from the most terminal-bound to the most
// daemon-like.
var Kinds = []Kind{Nohup, Setsid, PtyServer, Supervised}

// Options are common to every member of the spectrum.
type Options struct {
	// Dir holds the demo's files (terminal screen, nohup.out, logs, journal).
	// Empty: a new temporary directory, removed by Stop.
	Dir string
	// Lifetime bounds every process the demo starts, so none outlives a
	// forgotten demo by long, even if dlab was killed before it could stop
	// them. Default: one hour.
	Lifetime time.Duration
	// Detach leaves the demo running after this dlab exits: its processes
	// are recorded in the registry with no owner, so only `dlab demo stop`,
	// `dlab demo cleanup` or their lifetime end them. Otherwise they belong
	// to this dlab, and if it dies without stopping them, the next demo run
	// ends them as leftovers.
	Detach bool
	// Shell is the shell the nohup and setsid demos type into: "bash" or
	// "sh"; empty means bash if installed, else sh.
	Shell string
}

func (o Options) lifetime() time.Duration {
	if o.Lifetime <= 0 {
		return time.Hour
	}
	return o.Lifetime
}

// Member is one process of a demo and the part it plays.
type Member struct {
	Role      string `json:"role"` // "program", "shell", "terminal", "server", "supervisor", "service"
	PID       int    `json:"pid"`
	StartTime uint64 `json:"start_time"`
	What      string `json:"what"` // its part in the story, one line
}

// group is the processes of one running demo, held by pidfds.
type group struct {
	kind    Kind
	dir     string
	ownDir  bool
	owner   registry.Owner // zero when detached
	members []Member
	procs   map[int]*pidfd.Process
	reap    []func() // waits for our own children, so they leave no zombie
}

func newGroup(kind Kind, opts Options) (*group, error) {
	g := &group{kind: kind, dir: opts.Dir, procs: map[int]*pidfd.Process{}}
	if !opts.Detach {
		g.owner = registry.Self()
	}
	if g.dir == "" {
		// Per user and per run: several students, or several runs, never
		// share a directory.
		d, err := registry.RunDir(string(kind))
		if err != nil {
			return nil, fmt.Errorf("cannot make a directory for the %s demo: %w", kind, err)
		}
		g.dir, g.ownDir = d, !opts.Detach
	} else if err := os.MkdirAll(g.dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot make a directory for the %s demo: %w", kind, err)
	}
	return g, nil
}

// hold takes a pidfd on an announced process, records it in the registry
// (so it is ended even if this dlab dies first) and adds it to the group.
func (g *group) hold(role, what string, a announcement) error {
	p, err := pidfd.Open(a.PID, a.StartTime)
	if err != nil {
		return fmt.Errorf("the %s (PID %d) of the %s demo is already gone: %w", role, a.PID, g.kind, err)
	}
	g.procs[a.PID] = p
	g.members = append(g.members, Member{Role: role, PID: a.PID, StartTime: p.StartTime, What: what})
	e := registry.Entry{
		PID: a.PID, StartTime: p.StartTime, Kind: RegistryKind(g.kind, role), Run: registry.RunID(),
		LogFile: g.path(logOf(role)), Owner: g.owner,
	}
	if role == "shell" {
		e.StopSignal = shell.StopSignal
	}
	return registry.Add(e)
}

// command is reexec.Command for a process of this demo, whose lifeline
// (see package lifeline) is cut when the demo is detached: a detached demo
// outlives dlab on purpose.
func (g *group) command(role string, args ...string) (*exec.Cmd, error) {
	cmd, err := reexec.Command(role, args...)
	if err == nil && g.owner.IsZero() {
		lifeline.Cut(cmd)
	}
	return cmd, err
}

// started records a process the launcher has just started, before it says
// a word: killed a moment later, dlab still leaves nothing unrecorded.
func (g *group) started(cmd *exec.Cmd, role string) {
	registry.Started(cmd.Process.Pid, registry.Entry{
		Kind: RegistryKind(g.kind, role), Run: registry.RunID(), LogFile: g.path(logOf(role)), Owner: g.owner,
	})
}

// RegistryKind is how the registry names a process of a spectrum demo:
// "nohup:program", "supervised:service".
func RegistryKind(kind Kind, role string) string { return string(kind) + ":" + role }

// logOf is the file in the demo's directory that tells about role: what
// the terminal showed, for all but the supervised demo's.
func logOf(role string) string {
	switch role {
	case "supervisor", "service":
		return "journal.log"
	}
	return "screen.txt"
}

// Kind is which member of the spectrum this is.
func (g *group) Kind() Kind { return g.kind }

func (g *group) proc(pid int) *pidfd.Process { return g.procs[pid] }

// Members lists the demo's processes in the order of the story.
func (g *group) Members() []Member { return append([]Member(nil), g.members...) }

// Dir is where the demo's files are.
func (g *group) Dir() string { return g.dir }

// member finds the process playing role.
func (g *group) member(role string) Member {
	for _, m := range g.members {
		if m.Role == role {
			return m
		}
	}
	return Member{}
}

// startTimeout bounds a start; every process is ready in milliseconds.
const startTimeout = 10 * time.Second

// startContext is the context a start runs under: not cancelled with ctx,
// because a start cut off halfway could leave a process that has not said
// its PID yet (a nohup job would then outlive everything else being
// stopped). The caller checks ctx once the start is over, and stops what
// it started if ctx has ended.
func startContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), startTimeout)
}

// stopTimeout is how long Stop lets a process handle SIGTERM before SIGKILL.
const stopTimeout = 2 * time.Second

// Stop ends every process of the demo that is still running and waits
// until they are gone. It goes from the outside in (the terminal, the
// server, the supervisor first), so each inner process ends as it would in
// life, then ends whatever survived that (a nohup job does).
func (g *group) Stop() error {
	var errs []error
	for i := len(g.members) - 1; i >= 0; i-- {
		p := g.procs[g.members[i].PID]
		if p == nil {
			continue
		}
		if err := p.Stop(stopTimeout); err != nil && !errors.Is(err, proc.ErrGone) {
			errs = append(errs, fmt.Errorf("cannot stop the %s (PID %d): %w", g.members[i].Role, p.PID, err))
		}
	}
	for pid, p := range g.procs {
		p.Close()
		registry.Remove(pid)
	}
	for _, r := range g.reap {
		r()
	}
	if g.ownDir {
		os.RemoveAll(g.dir)
		// The run's directory too, once nothing else of the run is in it.
		os.Remove(filepath.Dir(g.dir))
	}
	return errors.Join(errs...)
}

// fail stops what was started and returns err: a demo that could not
// start leaves nothing behind.
func (g *group) fail(err error) error {
	g.Stop()
	return err
}

// readLog returns the lines of one of the demo's log files.
func (g *group) readLog(name string) []string {
	b, err := os.ReadFile(g.path(name))
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

func (g *group) path(name string) string { return g.dir + "/" + name }

// waitAll waits until every one of procs has exited.
func waitAll(ctx context.Context, procs ...*pidfd.Process) error {
	for _, p := range procs {
		if p == nil {
			continue
		}
		if err := p.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}
