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

// How long the start of all the processes may take, on an idle machine
// and at most (see patience). They are ready in milliseconds when the
// machine is idle; a classroom starting the demo at once takes seconds.
const (
	startBase  = 10 * time.Second
	startLimit = 90 * time.Second
)

// stopTimeout is how long each process gets to handle SIGTERM at the end
// before SIGKILL.
const stopTimeout = 2 * time.Second

// lab is every process one Run started, so that all of them end when it
// ends, whatever happened in between (an error, ^C in dlab).
type lab struct {
	mu       sync.Mutex
	normals  []normalUnderTest
	daemons  []daemonUnderTest
	lifetime time.Duration
}

// normalUnderTest is a normal process held by our own pidfd as well: its
// parent, the shell, reports its end, but on a busy machine the kernel's
// word (the pidfd readable, the status in the zombie's stat) comes first.
type normalUnderTest struct {
	*normal.Process
	p *pidfd.Process
}

func (l *lab) startNormal(ctx context.Context) (normalUnderTest, error) {
	n, err := normal.Start(ctx, normal.Options{Lifetime: l.lifetime})
	if err != nil {
		return normalUnderTest{}, fmt.Errorf("cannot start the normal process: %w", err)
	}
	p, err := pidfd.Open(n.PID, n.StartTime)
	if err != nil {
		n.Stop()
		return normalUnderTest{}, fmt.Errorf("the normal process (PID %d) ended as soon as it started: %w", n.PID, err)
	}
	nt := normalUnderTest{n, p}
	l.mu.Lock()
	l.normals = append(l.normals, nt)
	l.mu.Unlock()
	return nt, nil
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
	for _, n := range l.normals {
		wg.Add(1)
		go func() { defer wg.Done(); n.Stop(); n.p.Close() }()
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
	// Starting takes milliseconds on an idle machine; ^C is honoured
	// right after.
	pat := patience{machine: liveMachine()}
	startCtx, cancelStart := pat.context(context.WithoutCancel(ctx), startBase, startLimit)
	defer cancelStart()
	var (
		wg    sync.WaitGroup
		errMu sync.Mutex
		errs  []error
		pair  struct {
			n normalUnderTest
			d daemonUnderTest
		}
		normals = map[Event]normalUnderTest{}
		daemons = map[Event]daemonUnderTest{}
		starts  int
	)
	fail := func(err error) {
		errMu.Lock()
		errs = append(errs, err)
		errMu.Unlock()
	}
	start := func(f func() error) {
		starts++
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
	// A machine this slow to start them is as slow at what they do next.
	pat.floor = time.Since(t0)
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if len(errs) > 0 {
		return Result{}, startFailure(startCtx, starts, errs, opts.Experiments)
	}

	var r Result
	var err error
	if r.Normal, err = explain(pair.n.PID, "normal process"); err != nil {
		return r, err
	}
	if r.Daemon, err = explain(pair.d.PID, "daemon"); err != nil {
		return r, err
	}
	r.Reaper = ReaperOf(r.Daemon.Facts)
	if opts.Experiments {
		r.Experiments = runExperiments(ctx, pat, normals, daemons)
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
	}
	// After the experiments: the signal rows say what the processes did.
	r.Rows = Table(r.Normal, r.Daemon, r.Experiments)
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

// startFailure says why the processes did not all start, and how to try
// again. On a machine too busy to start them in time, that is the one
// reason worth a line; the errors of each start only repeat it.
func startFailure(startCtx context.Context, starts int, errs []error, experiments bool) error {
	b := tooBusy(startCtx)
	if b == nil {
		return errors.Join(errs...)
	}
	retry := "try again when it is quieter"
	if experiments {
		retry += ", or with --no-experiments, which starts 2 processes instead of 14"
	}
	return fmt.Errorf("could not start the demo's %d processes: %w: %s", starts, b, retry)
}

// runExperiments runs each experiment on its own processes, all at once,
// and returns them in the lesson's order.
func runExperiments(ctx context.Context, pat patience, normals map[Event]normalUnderTest, daemons map[Event]daemonUnderTest) Experiments {
	results := make([][2]Experiment, len(Events))
	var wg sync.WaitGroup
	for i, ev := range Events {
		n, d := normals[ev], daemons[ev]
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch ev {
			case TypeCtrlC, HangUp:
				results[i] = terminalEvent(ctx, pat, ev, n, d)
			default:
				sig := signalOf[ev]
				var inner sync.WaitGroup
				inner.Add(2)
				go func() { defer inner.Done(); results[i][0] = observeNormalSignal(ctx, pat, n, sig) }()
				go func() { defer inner.Done(); results[i][1] = observeDaemonSignal(ctx, pat, d, sig) }()
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

// observeNormalSignal sends sig to the normal process and waits for its
// end.
func observeNormalSignal(ctx context.Context, pat patience, n normalUnderTest, sig unix.Signal) Experiment {
	event := Event(proc.SignalName(sig))
	how := fmt.Sprintf("kill -%s %d", proc.SignalName(sig)[3:], n.PID)
	disp := disposition(n.PID, sig)
	return watchNormal(ctx, pat, event, n, how, disp, func() error { return n.Signal(sig) })
}

// watchNormal makes the event happen and waits for the program's end, as
// package normal reads it through its pidfd, or as the kernel tells our own
// pidfd, whichever comes first. Its parent, the real shell on the terminal
// (the session leader), reaps it; the exit status reaches dlab through a
// pidfd held since the program was ready.
func watchNormal(ctx context.Context, pat patience, event Event, n normalUnderTest, how, disp string, do func() error) Experiment {
	t0 := time.Now()
	if err := do(); err != nil {
		return newExperiment(event, NormalProcess, n.PID, how, disp, Observation{Outcome: NotObserved, Text: "could not do it: " + err.Error()})
	}
	wctx, cancel := pat.context(ctx, reactBase, reactLimit)
	defer cancel()
	leader := make(chan string, 1)
	go func() {
		if how, err := n.WaitExit(wctx); err == nil {
			leader <- how
		}
	}()
	kernel := make(chan pidfd.Exit, 1)
	go func() {
		if e, err := n.p.ExitStatus(wctx); err == nil && e.Known {
			kernel <- e
		}
	}()
	var o Observation
	select {
	case exit := <-leader:
		out, sig := observedKilled(exit)
		o = Observation{Outcome: out, Signal: sig, Text: exit,
			Evidence: []string{exit + ", read through a pidfd held since it was ready (its parent, the shell on " + n.TTY + ", reaped it)"}}
	case e := <-kernel:
		out, sig := observedKilled(e.String())
		o = Observation{Outcome: out, Signal: sig, Text: e.String(),
			Evidence: []string{e.String() + ", read from " + e.Source + " through a pidfd (its parent, the shell on " + n.TTY + ", reaps it)"}}
	case <-wctx.Done():
		ok, state := stillRunning(n.PID, n.StartTime)
		waited := fmt.Sprintf("it did not exit within %v", time.Since(t0).Round(time.Millisecond))
		switch b := tooBusy(wctx); {
		case ctx.Err() != nil:
			o = Observation{Outcome: NotObserved, Text: "interrupted"}
		case b != nil:
			o = Observation{Outcome: Inconclusive, Text: "inconclusive: " + b.Error(), Evidence: []string{waited, state}}
		case ok && disp == string(proc.Ignored):
			o = Observation{Outcome: Ignored, Text: "ignored: still running", Evidence: []string{waited, state}}
		default:
			o = Observation{Outcome: NoReaction, Text: "no reaction: still running", Evidence: []string{waited, state}}
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
func terminalEvent(ctx context.Context, pat patience, ev Event, n normalUnderTest, d daemonUnderTest) [2]Experiment {
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
	ne := watchNormal(ctx, pat, ev, n, how, disposition(n.PID, sig), do)
	witness := fmt.Sprintf("the same event on %s: the normal process (PID %d) %s", n.TTY, n.PID, ne.Observed.Text)
	de := observeDaemonUntouched(ev, d, fmt.Sprintf("the same event: %s; the daemon has no controlling terminal", how), witness)
	if ne.Inconclusive() && de.Observed.Outcome == StillRunning {
		// Still running, but nothing proves the event happened.
		de.Observed.Outcome = Inconclusive
		de.Observed.Text = "inconclusive: still running, but the same event was not seen to reach the normal process in time"
		de.Match = false
	}
	return [2]Experiment{ne, de}
}
