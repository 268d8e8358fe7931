// Package jobs shows job control in a real interactive shell (bash -i,
// else sh -i) on a fresh pseudo-terminal: one job typed with & and one in
// the foreground, then ^C typed at the terminal; and setsid(2) tried by a
// process-group leader and by a process that is not one.
//
// The jobs are dlab in a hidden role, typed as `dlab __lesson-job bg &` and
// `dlab __lesson-job fg`; each reports on the shell's event pipe (package
// event) when it is ready and which signal it got. Everything else is read
// where ps reads it, in /proc, and how the foreground job ended from its
// pidfd.
package jobs

import (
	"context"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/event"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
	"dlab/demos/launch/shell"

	"golang.org/x/sys/unix"
)

// roleJob is a job: it reports the signal that ends a program and dies of
// it, as a program without a handler would.
const roleJob = "lesson-job"

func init() { reexec.Register(roleJob, runJob) }

// runJob reports itself, then waits. At SIGINT, SIGHUP or SIGTERM it
// reports the signal, then dies of it.
func runJob(args []string) int {
	name := "job"
	if len(args) > 0 {
		name = args[0]
	}
	events := event.Inherit(shell.EventsFD)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGINT, unix.SIGHUP, unix.SIGTERM)
	event.Send(events, event.Self(name, "ready"))
	sig := (<-sigs).(syscall.Signal)
	event.Send(events, event.Self(name, "signal").With("signal", proc.SignalName(sig)))
	// Reset alone restores what the process inherited, which may be
	// "ignored" (a script's `dlab ... &` hands SIGINT down ignored).
	signal.Reset(sig)
	reexec.SetDefault(sig)
	syscall.Kill(os.Getpid(), sig)
	select {} // the default action ends the process
}

// Options say which shell to run.
type Options struct {
	// Shell is "bash" or "sh"; empty means bash if installed, else sh.
	Shell string
	// Registry records the shell for 'dlab demo cleanup'; nil: the user's.
	Registry *registry.Store
}

// Result is what the job-control demo saw.
type Result struct {
	Shell  string // "bash" or "sh"
	NoBash bool   // bash was wanted but is not installed: this is sh
	TTY    string // the pseudo-terminal, "pts/N"
	// Shell, Foreground and Background as ps would find them before the
	// ^C, each once it was asleep.
	ShellStat, Foreground, Background proc.Stat
	ForegroundGot                     string // the signal the foreground job reported: "SIGINT"
	ForegroundEnded                   string // how it ended, from its pidfd: "killed by SIGINT"
	BackgroundAfter                   string // "nothing: still running", "got SIGINT" or "gone"
	ShellAfter                        string // "nothing: still running" or "gone"
	Transcript                        string // what the terminal showed
}

// ControlC starts the shell on a new pseudo-terminal, types a background
// and a foreground job, then ^C, and reports who got it. Everything it
// started has ended when it returns.
func ControlC(ctx context.Context, opts Options) (res Result, err error) {
	store := opts.Registry
	if store == nil {
		if s, err := registry.Default(); err == nil {
			store = &s
		}
	}
	sh, err := shell.Start(ctx, shell.Options{Shell: opts.Shell, Registry: store})
	if err != nil {
		return res, err
	}
	log := sh.Log()
	var held []*pidfd.Process
	defer func() {
		// The shell passes the hang-up on to its background job (bash
		// does; dash does not): whatever is left is ended here.
		sh.Close()
		for _, p := range held {
			if p.Alive() {
				p.Signal(unix.SIGKILL)
			}
			p.Close()
		}
		end, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		log.WaitClosed(end)
	}()
	res.Shell, res.TTY = sh.Name, sh.TTY
	res.NoBash = opts.Shell == "" && sh.Name != "bash"
	// The transcript starts at the first prompt, which Start waited for.
	begin := sh.Mark() - shell.Mark(len(shell.Prompt))
	defer func() { res.Transcript = sh.Since(begin) }()

	start := func(line, name string) (event.Event, error) {
		if err := sh.Type(line); err != nil {
			return event.Event{}, err
		}
		e, err := log.Wait(ctx, line+" to start", shell.Of(name, "ready", 0))
		if err != nil {
			return e, err
		}
		p, err := pidfd.Open(e.PID, e.StartTime)
		if err != nil {
			return e, err
		}
		held = append(held, p)
		return e, nil
	}
	m := sh.Mark()
	bg, err := start("dlab __"+roleJob+" bg &", "bg")
	if err != nil {
		return res, err
	}
	if err := sh.WaitPrompt(ctx, m); err != nil {
		return res, err
	}
	m = sh.Mark()
	fg, err := start("dlab __"+roleJob+" fg", "fg")
	if err != nil {
		return res, err
	}

	fs := proc.Live()
	pids := []int{sh.PID, fg.PID, bg.PID}
	stats := make([]proc.Stat, 3)
	for i, pid := range pids {
		if stats[i], err = settled(ctx, fs, pid); err != nil {
			return res, err
		}
	}
	res.ShellStat, res.Foreground, res.Background = stats[0], stats[1], stats[2]

	if err := sh.Press(shell.Interrupt); err != nil {
		return res, err
	}
	got, err := log.Wait(ctx, "the foreground job's signal", shell.Of("fg", "signal", fg.PID))
	if err != nil {
		return res, err
	}
	res.ForegroundGot = got.Fields["signal"]
	x, err := held[1].ExitStatus(ctx)
	if err != nil {
		return res, err
	}
	res.ForegroundEnded = x.String()
	// The shell shows its prompt once it has reaped the foreground job.
	if err := sh.WaitPrompt(ctx, m); err != nil {
		return res, err
	}
	// The driver signals the whole foreground group at once: by the time the
	// foreground job has reported, the background job would have been
	// signalled too, had it been in that group.
	res.BackgroundAfter = "nothing: still running"
	if e, got := log.Find(shell.Of("bg", "signal", bg.PID)); got {
		res.BackgroundAfter = "got " + e.Fields["signal"]
	} else if !held[0].Alive() {
		res.BackgroundAfter = "gone"
	}
	res.ShellAfter = "nothing: still running"
	if sh.ExitState() != nil {
		res.ShellAfter = "gone"
	}
	return res, nil
}

// settled reads pid's stat once it is asleep (state S), waiting for what it
// does when it has nothing to do, as ps would find it: a process that has
// just reported it is ready may still be on its way to blocking.
func settled(ctx context.Context, fs proc.FS, pid int) (proc.Stat, error) {
	deadline := time.Now().Add(time.Second)
	for {
		st, err := fs.Stat(pid)
		if err != nil || st.State != 'R' || time.Now().After(deadline) {
			return st, err
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
