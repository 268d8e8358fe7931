package compare

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
	"dlab/demos/lab/normal"
	"dlab/demos/lab/sysv"
	"dlab/demos/launch/pidfd"

	"golang.org/x/sys/unix"
)

// startTimeout bounds the start of all the processes; they are ready in
// milliseconds.
const startTimeout = 10 * time.Second

// stopTimeout is how long each process gets to handle SIGTERM at the end
// before SIGKILL.
const stopTimeout = 2 * time.Second

// lab is every process one Run started, so that all of them end when it
// ends, whatever happened in between (an error, ^C in dlab).
type lab struct {
	mu       sync.Mutex
	normals  []*normal.Process
	daemons  []daemonUnderTest
	lifetime time.Duration
}

func (l *lab) startNormal(ctx context.Context) (*normal.Process, error) {
	p, err := normal.Start(ctx, normal.Options{Lifetime: l.lifetime})
	if err != nil {
		return nil, fmt.Errorf("cannot start the normal process: %w", err)
	}
	l.mu.Lock()
	l.normals = append(l.normals, p)
	l.mu.Unlock()
	return p, nil
}

func (l *lab) startDaemon(ctx context.Context, listen bool) (daemonUnderTest, error) {
	d, err := sysv.Start(ctx, sysv.Options{Lifetime: l.lifetime, Listen: listen})
	if err != nil {
		return daemonUnderTest{}, fmt.Errorf("cannot start the daemon: %w", err)
	}
	p, err := pidfd.Open(d.PID, d.StartTime)
	if err != nil {
		d.Stop(stopTimeout)
		return daemonUnderTest{}, fmt.Errorf("the daemon (PID %d) ended as soon as it started: %w", d.PID, err)
	}
	dt := daemonUnderTest{d, p}
	l.mu.Lock()
	l.daemons = append(l.daemons, dt)
	l.mu.Unlock()
	return dt, nil
}

// stop ends everything, all at once, and waits until it has ended.
func (l *lab) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range l.normals {
		wg.Add(1)
		go func() { defer wg.Done(); p.Stop() }()
	}
	for _, d := range l.daemons {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.Stop(stopTimeout)
			d.p.Close()
			// Its PID file, log and configuration were for this run only.
			os.RemoveAll(d.Dir)
		}()
	}
	wg.Wait()
	if len(l.daemons) > 0 {
		// The run's directory, once nothing else of this run is in it.
		os.Remove(filepath.Dir(l.daemons[0].Dir))
	}
}

// Run starts a normal process and a daemon, inspects both, runs the
// experiments if asked, and ends every process it started before it
// returns, also when ctx is cancelled.
func Run(ctx context.Context, opts Options) (Result, error) {
	t0 := time.Now()
	l := &lab{lifetime: opts.lifetime()}
	defer l.stop()

	// Every process is started at once: the experiments need fresh ones
	// (a killed process can't be killed again), and starting them one
	// after another would take longest.
	//
	// A start is not interrupted halfway, even by ^C: a daemon cut off
	// between its forks could escape before it has told anyone its PID.
	// Starting takes milliseconds; ^C is honoured right after.
	startCtx, cancelStart := context.WithTimeout(context.WithoutCancel(ctx), startTimeout)
	defer cancelStart()
	var (
		wg    sync.WaitGroup
		errMu sync.Mutex
		errs  []error
		pair  struct {
			n *normal.Process
			d daemonUnderTest
		}
		normals = map[Event]*normal.Process{}
		daemons = map[Event]daemonUnderTest{}
	)
	fail := func(err error) {
		errMu.Lock()
		errs = append(errs, err)
		errMu.Unlock()
	}
	start := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				fail(err)
			}
		}()
	}
	start(func() (err error) { pair.n, err = l.startNormal(startCtx); return })
	start(func() (err error) { pair.d, err = l.startDaemon(startCtx, true); return })
	if opts.Experiments {
		var mu sync.Mutex
		for _, ev := range Events {
			start(func() error {
				n, err := l.startNormal(startCtx)
				if err != nil {
					return err
				}
				mu.Lock()
				normals[ev] = n
				mu.Unlock()
				return nil
			})
			start(func() error {
				d, err := l.startDaemon(startCtx, false)
				if err != nil {
					return err
				}
				mu.Lock()
				daemons[ev] = d
				mu.Unlock()
				return nil
			})
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if len(errs) > 0 {
		return Result{}, errors.Join(errs...)
	}

	var r Result
	var err error
	if r.Normal, err = explain(pair.n.PID, "normal process"); err != nil {
		return r, err
	}
	if r.Daemon, err = explain(pair.d.PID, "daemon"); err != nil {
		return r, err
	}
	r.Rows = Table(r.Normal, r.Daemon)
	r.Reaper = ReaperOf(r.Daemon.Facts)
	if opts.Experiments {
		r.Experiments = runExperiments(ctx, normals, daemons)
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
	}
	r.TookMS = ms(time.Since(t0))
	return r, nil
}

func explain(pid int, what string) (inspect.Report, error) {
	r, err := inspect.Explain(proc.Live(), pid)
	if err != nil {
		return r, fmt.Errorf("cannot inspect the %s (PID %d): %w", what, pid, err)
	}
	return r, nil
}

// runExperiments runs each experiment on its own processes, all at once,
// and returns them in the lesson's order.
func runExperiments(ctx context.Context, normals map[Event]*normal.Process, daemons map[Event]daemonUnderTest) Experiments {
	results := make([][2]Experiment, len(Events))
	var wg sync.WaitGroup
	for i, ev := range Events {
		n, d := normals[ev], daemons[ev]
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch ev {
			case TypeCtrlC, HangUp:
				results[i] = terminalEvent(ctx, ev, n, d)
			default:
				sig := signalOf[ev]
				var inner sync.WaitGroup
				inner.Add(2)
				go func() { defer inner.Done(); results[i][0] = observeNormalSignal(ctx, n, sig) }()
				go func() { defer inner.Done(); results[i][1] = observeDaemonSignal(ctx, d, sig) }()
				inner.Wait()
			}
		}()
	}
	wg.Wait()
	var es Experiments
	for _, r := range results {
		es = append(es, r[0], r[1])
	}
	return es
}

var signalOf = map[Event]unix.Signal{SendTERM: unix.SIGTERM, SendHUP: unix.SIGHUP, SendINT: unix.SIGINT, SendKILL: unix.SIGKILL}

// observeNormalSignal sends sig to the normal process and waits for what
// its shell (the session leader, its parent) learns from wait(2).
func observeNormalSignal(ctx context.Context, n *normal.Process, sig unix.Signal) Experiment {
	event := Event(proc.SignalName(sig))
	how := fmt.Sprintf("kill -%s %d", proc.SignalName(sig)[3:], n.PID)
	disp := disposition(n.PID, sig)
	return watchNormal(ctx, event, n, how, disp, func() error { return n.Signal(sig) })
}

// watchNormal makes the event happen and waits for the program's end.
func watchNormal(ctx context.Context, event Event, n *normal.Process, how, disp string, do func() error) Experiment {
	start := startTimeOf(n.PID)
	t0 := time.Now()
	if err := do(); err != nil {
		return newExperiment(event, NormalProcess, n.PID, how, disp, Observation{Outcome: NotObserved, Text: "could not do it: " + err.Error()})
	}
	wctx, cancel := context.WithTimeout(ctx, guard)
	defer cancel()
	var o Observation
	exit, err := n.WaitExit(wctx)
	switch {
	case err == nil:
		out, sig := observedKilled(exit)
		o = Observation{Outcome: out, Signal: sig, Text: exit,
			Evidence: []string{exit + ", as its parent, the shell on " + n.TTY + ", got it from wait(2)"}}
	case ctx.Err() != nil:
		o = Observation{Outcome: NotObserved, Text: "interrupted"}
	default:
		ok, state := stillRunning(n.PID, start)
		o = Observation{Outcome: NoReaction, Text: "no reaction: still running",
			Evidence: []string{fmt.Sprintf("it did not exit within %v", guard), state}}
		if ok && disp == string(proc.Ignored) {
			o.Outcome, o.Text = Ignored, "ignored: still running"
		}
	}
	e := newExperiment(event, NormalProcess, n.PID, how, disp, o)
	e.TookMS = ms(time.Since(t0))
	return e
}

// terminalEvent types ^C on, or hangs up, the normal process's terminal,
// and checks the daemon against the same event: what the event did to the
// normal process proves it happened, so the daemon's still running is
// not a guess.
func terminalEvent(ctx context.Context, ev Event, n *normal.Process, d daemonUnderTest) [2]Experiment {
	var how string
	var do func() error
	var sig unix.Signal
	if ev == TypeCtrlC {
		how = fmt.Sprintf("^C (VINTR) written to the master side of %s", n.TTY)
		do, sig = n.TypeInterrupt, unix.SIGINT
	} else {
		how = fmt.Sprintf("the master side of %s closed", n.TTY)
		do, sig = n.Hangup, unix.SIGHUP
	}
	ne := watchNormal(ctx, ev, n, how, disposition(n.PID, sig), do)
	witness := fmt.Sprintf("the same event on %s: the normal process (PID %d) %s", n.TTY, n.PID, ne.Observed.Text)
	de := observeDaemonUntouched(ev, d, fmt.Sprintf("the same event: %s; the daemon has no controlling terminal", how), witness)
	return [2]Experiment{ne, de}
}

func startTimeOf(pid int) uint64 {
	st, err := proc.Live().Stat(pid)
	if err != nil {
		return 0
	}
	return st.StartTime
}
