package compare

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"dlab/demos/core/proc"
)

// On an idle machine a process handles a signal in microseconds and a demo
// process starts in milliseconds. On a busy one every runnable task waits
// its turn for a CPU: with 80 runnable tasks on 2 CPUs (a classroom running
// the demo at once), a process may wait seconds to run its signal handler,
// and its parent as long to learn that it died. A fixed deadline then turns
// a slow reaction into a false "no reaction". So each wait here is for an
// event (a pidfd becoming readable, a log line through inotify), and its
// deadline grows with the machine's load; a wait that still runs out on a
// busy machine is reported as inconclusive, not as a mismatch.

// machine says how many CPUs there are and how busy they are.
type machine struct {
	cpus int
	load func() float64 // tasks that want a CPU
}

// liveMachine is this machine, read through /proc/loadavg.
func liveMachine() machine {
	return machine{cpus: runtime.NumCPU(), load: func() float64 {
		l, err := proc.Live().LoadAvg()
		if err != nil {
			return 0
		}
		// The 1-minute average lags a burst by seconds; the tasks
		// runnable now (less this reader) show it at once.
		return max(l.One, float64(l.Runnable-1))
	}}
}

// patience is how long to wait for events on this machine, now.
type patience struct {
	machine
	// floor is how long starting this run's processes took: a machine
	// that slow at starting them is as slow at everything they do next.
	floor time.Duration
}

// allowance is how long to wait for an event that takes up to base on an
// idle machine: base once more for every task per CPU that competes with
// it, at least floor, at most limit.
func allowance(base, floor, limit time.Duration, load float64, cpus int) time.Duration {
	perCPU := load / float64(max(cpus, 1))
	d := time.Duration(float64(base) * (1 + perCPU))
	return min(max(d, floor), limit)
}

// busy reports whether more tasks want a CPU than there are CPUs: then
// every one of them waits its turn, and a slow reaction is no evidence.
func busy(load float64, cpus int) bool { return load >= float64(max(cpus, 1)) }

// TooBusyError says that an awaited event did not come in time on a machine
// too busy to tell a slow reaction from none.
type TooBusyError struct {
	Load   float64       // the highest load seen while waiting
	CPUs   int           // the CPUs this process may run on
	Waited time.Duration // how long it waited
}

func (e *TooBusyError) Error() string {
	return fmt.Sprintf("the machine was too busy (load %.1f on %d CPUs; waited %v)", e.Load, e.CPUs, e.Waited.Round(10*time.Millisecond))
}

// tooBusy returns the TooBusyError that ended ctx, or nil.
func tooBusy(ctx context.Context) *TooBusyError {
	var e *TooBusyError
	if errors.As(context.Cause(ctx), &e) {
		return e
	}
	return nil
}

// context returns a context that ends when the wait has taken longer than
// allowance grants, re-reading the load as it goes: base on an idle
// machine, up to limit on a busy one. context.Cause then says why: a
// *TooBusyError if the machine was busy (or the limit was reached), else
// context.DeadlineExceeded. The context reports limit as its deadline, so
// a Start that sets a deadline of its own when there is none leaves it
// alone.
func (p patience) context(parent context.Context, base, limit time.Duration) (context.Context, context.CancelFunc) {
	t0 := time.Now()
	peak := p.load()
	// The backstop, should the goroutine below not run in time.
	lctx, cancelLimit := context.WithDeadlineCause(parent, t0.Add(limit+time.Second),
		&TooBusyError{Load: peak, CPUs: p.cpus, Waited: limit + time.Second})
	ctx, cancel := context.WithCancelCause(lctx)
	go func() {
		timer := time.NewTimer(allowance(base, p.floor, limit, peak, p.cpus))
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
			peak = max(peak, p.load())
			waited := time.Since(t0)
			if allowed := allowance(base, p.floor, limit, peak, p.cpus); waited < allowed {
				timer.Reset(allowed - waited)
				continue
			}
			if busy(peak, p.cpus) || waited >= limit {
				cancel(&TooBusyError{Load: peak, CPUs: p.cpus, Waited: waited})
			} else {
				cancel(context.DeadlineExceeded)
			}
			return
		}
	}()
	return ctx, func() { cancel(context.Canceled); cancelLimit() }
}
