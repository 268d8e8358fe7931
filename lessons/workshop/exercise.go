package workshop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"dlab/demos/core/grade"
	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
	"dlab/demos/launch/registry"
)

// Exercise is a task done with real commands in the student's own shell,
// checked by dlab on the live system.
type Exercise struct {
	ID    string
	Title string
	// Task says what to do; it may name the demo daemon's port or files.
	Task func(env *Env) string
	// Answer is how to hand the result to dlab.
	Answer string
	// Slow checks take seconds (they run the student's program).
	Slow bool
	// Hints come one at a time, the last close to the answer.
	Hints func(env *Env) []string
	// Prepare runs when the step is shown: it starts the demo daemon or
	// writes a starter file. It must be safe to run again.
	Prepare func(ctx context.Context, env *Env) error
	// Check looks at the live system. An error is bad input (not a PID);
	// a wrong answer is an Outcome that did not pass.
	Check func(ctx context.Context, env *Env, args []string) (Outcome, error)
}

// Outcome is what dlab found when it checked an answer.
type Outcome struct {
	Passed  bool          `json:"passed"`
	Summary string        `json:"summary"`
	Seen    []string      `json:"seen,omitempty"` // the facts dlab read, one per line
	Grade   *grade.Result `json:"grade,omitempty"`
}

// Env is what the exercises reach the system through; tests replace parts.
type Env struct {
	FS        proc.FS
	Self      int // dlab's own PID: the student's shell is among its ancestors
	Explain   func(pid int) (inspect.Report, error)
	Grade     func(ctx context.Context, opts grade.Options) (grade.Result, error)
	StartDemo func(ctx context.Context) (*Demo, error)
	// Started reports whether dlab started pid (then it is not the
	// student's find).
	Started  func(pid int) bool
	Progress *Progress
	Step     *StepState
	// Dir holds starter files (the script to daemonize).
	Dir string
	// Notes are things dlab did on the way (started a new demo daemon),
	// shown before the outcome.
	Notes []string
}

// LiveEnv reaches the live system.
func LiveEnv(p *Progress, dir string) *Env {
	fs := proc.Live()
	return &Env{
		FS:        fs,
		Self:      os.Getpid(),
		Explain:   func(pid int) (inspect.Report, error) { return inspect.Explain(fs, pid) },
		Grade:     grade.Run,
		StartDemo: StartDemo,
		Started: func(pid int) bool {
			es, err := registry.List()
			if err != nil {
				return false
			}
			for _, e := range es {
				if e.PID == pid {
					return true
				}
			}
			return false
		},
		Progress: p,
		Dir:      dir,
	}
}

// demo returns the running demo daemon, starting one when there is none.
func (env *Env) demo(ctx context.Context) (*Demo, error) {
	if d := env.Progress.Demo; d.Alive(env.FS) {
		return d, nil
	}
	d, err := env.StartDemo(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot start the demo daemon for this exercise: %w", err)
	}
	if env.Progress.Demo != nil {
		env.Notes = append(env.Notes, fmt.Sprintf("the demo daemon was no longer running; dlab started a new one, PID %d", d.PID))
	}
	env.Progress.Demo = d
	return d, nil
}

// parsePID reads the one PID an answer is made of.
func parsePID(args []string, usage string) (int, error) {
	if len(args) == 0 {
		return 0, fmt.Errorf("give the PID: %s", usage)
	}
	pid, err := strconv.Atoi(args[0])
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("%q is not a PID (a positive number, as ps shows it): %s", args[0], usage)
	}
	return pid, nil
}

// explain reads the process for an answer, turning "no such process" into
// an outcome a student can act on.
func (env *Env) explain(pid int) (inspect.Report, *Outcome) {
	r, err := env.Explain(pid)
	switch {
	case errors.Is(err, proc.ErrGone):
		return r, &Outcome{Summary: fmt.Sprintf("no process %d is running: it may have exited already (check with ps -p %d)", pid, pid)}
	case errors.Is(err, proc.ErrPermission):
		return r, &Outcome{Summary: fmt.Sprintf("dlab may not read process %d: it belongs to another user", pid)}
	case err != nil:
		return r, &Outcome{Summary: fmt.Sprintf("dlab could not read process %d: %v", pid, err)}
	}
	return r, nil
}

// pidCheck is the Check of an exercise answered with a PID: it reads that
// process and lets judge decide on its report. A PID that can't be read (gone,
// another user's) gets an outcome the student can act on, not an error.
func pidCheck(usage string, judge func(env *Env, pid int, r inspect.Report) Outcome) func(context.Context, *Env, []string) (Outcome, error) {
	return func(ctx context.Context, env *Env, args []string) (Outcome, error) {
		pid, err := parsePID(args, usage)
		if err != nil {
			return Outcome{}, err
		}
		r, bad := env.explain(pid)
		if bad != nil {
			return *bad, nil
		}
		return judge(env, pid, r), nil
	}
}

func fdLines(f inspect.Facts) []string {
	var out []string
	for i, t := range f.FD {
		if t == "" {
			t = "closed (or unreadable)"
		}
		out = append(out, fmt.Sprintf("fd %d → %s", i, t))
	}
	return out
}

func isShell(comm string) bool {
	switch strings.TrimPrefix(comm, "-") {
	case "bash", "sh", "dash", "zsh", "fish", "ksh", "mksh", "tcsh", "csh", "ash", "busybox", "nu", "elvish", "xonsh":
		return true
	}
	return false
}

// ancestors are dlab's parent, grandparent and so on, up to PID 1.
func (env *Env) ancestors() []proc.Stat {
	var out []proc.Stat
	pid := env.Self
	for i := 0; i < 64 && pid > 1; i++ {
		st, err := env.FS.Stat(pid)
		if err != nil {
			break
		}
		if pid != env.Self {
			out = append(out, st)
		}
		pid = st.PPID
	}
	return out
}

// ownTTY is the controlling terminal dlab runs on, as ps names it, or "?".
func (env *Env) ownTTY() string {
	st, err := env.FS.Stat(env.Self)
	if err != nil {
		return proc.NoTTY
	}
	return proc.TTYName(st.TTY)
}

// starterScript is the program the daemonize exercise starts from.
const starterScript = `#!/bin/sh
# worker.sh: does its work in the foreground, like any normal program.
# Turn it into a SysV daemon, then: dlab workshop check ./worker.sh
n=0
while :; do
  n=$((n + 1))
  echo "tick $n"
  sleep 1
done
`

func starterPath(env *Env) string { return filepath.Join(env.Dir, "worker.sh") }
