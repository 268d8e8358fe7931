package compare

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fixedMachine has cpus CPUs and a load that never changes.
func fixedMachine(cpus int, load float64) machine {
	return machine{cpus: cpus, load: func() float64 { return load }}
}

func TestAllowanceGrowsWithTheLoadPerCPU(t *testing.T) {
	const base, limit = time.Second, 30 * time.Second
	for _, c := range []struct {
		name  string
		load  float64
		cpus  int
		floor time.Duration
		want  time.Duration
	}{
		{"idle", 0, 2, 0, base},
		{"one task per CPU", 2, 2, 0, 2 * base},
		{"40 tasks per CPU, capped", 80, 2, 0, limit},
		{"a slow start sets the floor", 0, 2, 5 * time.Second, 5 * time.Second},
		{"the floor is capped too", 0, 2, time.Minute, limit},
		{"no CPU count is one CPU", 1, 0, 0, 2 * base},
	} {
		if got := allowance(base, c.floor, limit, c.load, c.cpus); got != c.want {
			t.Errorf("%s: allowance = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestBusyMeansMoreTasksThanCPUs(t *testing.T) {
	for _, c := range []struct {
		load float64
		cpus int
		want bool
	}{{0.5, 2, false}, {1.9, 2, false}, {2, 2, true}, {85, 2, true}, {1, 0, true}} {
		if got := busy(c.load, c.cpus); got != c.want {
			t.Errorf("busy(%v, %d) = %v, want %v", c.load, c.cpus, got, c.want)
		}
	}
}

// A wait that runs out says why: on a busy machine, too busy (with the
// figures); on an idle one, only that the time passed.
func TestPatienceSaysWhyTheWaitRanOut(t *testing.T) {
	for _, c := range []struct {
		name     string
		m        machine
		tooBusy  bool
		atLeast  time.Duration
		mentions string
	}{
		{"idle", fixedMachine(2, 0), false, 20 * time.Millisecond, ""},
		{"busy", fixedMachine(2, 4), true, 60 * time.Millisecond, "load 4.0 on 2 CPUs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := patience{machine: c.m}
			t0 := time.Now()
			ctx, cancel := p.context(context.Background(), 20*time.Millisecond, time.Second)
			defer cancel()
			if _, ok := ctx.Deadline(); !ok {
				t.Error("no deadline: a Start would add its own, shorter one")
			}
			<-ctx.Done()
			if waited := time.Since(t0); waited < c.atLeast {
				t.Errorf("ended after %v, want at least %v", waited, c.atLeast)
			}
			b := tooBusy(ctx)
			if (b != nil) != c.tooBusy {
				t.Fatalf("cause %v, want too busy: %v", context.Cause(ctx), c.tooBusy)
			}
			if b == nil && !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
				t.Errorf("cause %v, want the deadline", context.Cause(ctx))
			}
			if b != nil && !strings.Contains(b.Error(), c.mentions) {
				t.Errorf("%q does not mention %q", b.Error(), c.mentions)
			}
		})
	}
}

// Reaching the limit is too busy whatever the load says now: only a busy
// machine (or a slow start) pushes the wait that far.
func TestPatienceAtItsLimitIsTooBusy(t *testing.T) {
	p := patience{machine: fixedMachine(2, 0), floor: time.Hour}
	ctx, cancel := p.context(context.Background(), time.Millisecond, 30*time.Millisecond)
	defer cancel()
	<-ctx.Done()
	if tooBusy(ctx) == nil {
		t.Errorf("cause %v, want too busy", context.Cause(ctx))
	}
}

// The load is read again as the wait goes on: a machine that becomes busy
// while it waits extends it.
func TestPatienceRereadsTheLoad(t *testing.T) {
	reads := 0
	m := machine{cpus: 1, load: func() float64 {
		reads++
		if reads > 1 {
			return 3
		}
		return 0
	}}
	t0 := time.Now()
	ctx, cancel := patience{machine: m}.context(context.Background(), 20*time.Millisecond, time.Second)
	defer cancel()
	<-ctx.Done()
	if waited := time.Since(t0); waited < 80*time.Millisecond || tooBusy(ctx) == nil {
		t.Errorf("waited %v with cause %v; want 4 × 20ms and too busy", waited, context.Cause(ctx))
	}
}

// Cancelling the caller's context ends the wait with the caller's reason,
// not a verdict on the machine.
func TestPatienceFollowsItsParent(t *testing.T) {
	parent, stop := context.WithCancel(context.Background())
	ctx, cancel := patience{machine: fixedMachine(1, 100)}.context(parent, time.Hour, time.Hour)
	defer cancel()
	stop()
	<-ctx.Done()
	if tooBusy(ctx) != nil {
		t.Errorf("cause %v, want the parent's", context.Cause(ctx))
	}
}

// A signal the daemon takes no action on (SIGURG: the Go runtime catches
// it, to preempt goroutines): no exit, no log line. On a busy machine that
// is inconclusive, not a mismatch; on an idle one it is no reaction.
func TestADaemonThatDoesNotReactIsInconclusiveOnABusyMachine(t *testing.T) {
	for _, c := range []struct {
		name string
		m    machine
		want Outcome
	}{
		{"busy", fixedMachine(1, 1), Inconclusive},
		{"idle", fixedMachine(1, 0), NoReaction},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
			l := &lab{lifetime: time.Minute}
			defer l.stop()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			d, err := l.startDaemon(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			e := observeDaemonSignal(ctx, patience{machine: c.m}, d, syscall.SIGURG)
			if e.Observed.Outcome != c.want || e.Match {
				t.Fatalf("observed %q (%s), match %v; want %s; evidence %q", e.Observed.Outcome, e.Observed.Text, e.Match, c.want, e.Observed.Evidence)
			}
			if !strings.Contains(strings.Join(e.Observed.Evidence, "; "), "no exit and no new log line within") {
				t.Errorf("evidence %q does not say what was awaited", e.Observed.Evidence)
			}
			es := Experiments{e}
			if busy := c.want == Inconclusive; (es.Mismatches() == 0) != busy || (es.Inconclusives() == 1) != busy {
				t.Errorf("%d mismatch(es), %d inconclusive", es.Mismatches(), es.Inconclusives())
			}
		})
	}
}

// No event at all (nothing is done to the normal process): on a busy
// machine that is inconclusive; on an idle one, no reaction.
func TestANormalProcessWithoutAnEventIsInconclusiveOnABusyMachine(t *testing.T) {
	for _, c := range []struct {
		name string
		m    machine
		want Outcome
	}{
		{"busy", fixedMachine(1, 1), Inconclusive},
		{"idle", fixedMachine(1, 0), NoReaction},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
			l := &lab{lifetime: time.Minute}
			defer l.stop()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			n, err := l.startNormal(ctx)
			if err != nil {
				t.Fatal(err)
			}
			e := watchNormal(ctx, patience{machine: c.m}, SendTERM, n, "nothing", "default", func() error { return nil })
			if e.Observed.Outcome != c.want || e.Match {
				t.Errorf("observed %q (%s), match %v; want %s", e.Observed.Outcome, e.Observed.Text, e.Match, c.want)
			}
		})
	}
}

// An inconclusive experiment is neither a mismatch nor evidence against
// the classic table, and the Markdown says what to do.
func TestInconclusiveIsNoMismatchAndSaysNothingOfTheClassicTable(t *testing.T) {
	e := newExperiment(SendINT, SysVDaemon, 42, "kill -INT 42", "default",
		Observation{Outcome: Inconclusive, Text: "inconclusive: the machine was too busy (load 85.0 on 2 CPUs; waited 30s)"})
	if e.Match || e.ClassicHolds != nil || e.Mark() != "? inconclusive" {
		t.Errorf("match %v, classic table holds %v, mark %q", e.Match, e.ClassicHolds, e.Mark())
	}
	es := Experiments{e}
	md := es.Markdown()
	if es.Mismatches() != 0 || len(es.ClassicWrong()) != 0 || strings.Contains(md, "mismatch") || !strings.Contains(md, "**1 inconclusive**") {
		t.Errorf("%d mismatch(es), classic table wrong %d, Markdown:\n%s", es.Mismatches(), len(es.ClassicWrong()), md)
	}
}

// A start cut short on a busy machine says so in one line, and how to try
// again; any other failure keeps every start's own error.
func TestAStartCutShortByABusyMachineSaysHowToRetry(t *testing.T) {
	ctx, cancel := patience{machine: fixedMachine(2, 8)}.context(context.Background(), time.Millisecond, 20*time.Millisecond)
	defer cancel()
	<-ctx.Done()
	errs := []error{errors.New("cannot start the daemon: the demo daemon did not start: not ready in time: context canceled")}
	got := startFailure(ctx, 14, errs, true).Error()
	want := "could not start the demo's 14 processes: the machine was too busy (load 8.0 on 2 CPUs; waited "
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "): try again when it is quieter, or with --no-experiments, which starts 2 processes instead of 14") {
		t.Errorf("got %q", got)
	}
	idle, stop := context.WithCancel(context.Background())
	stop()
	if got := startFailure(idle, 14, errs, true); got.Error() != errs[0].Error() {
		t.Errorf("not busy: got %q, want the start's own error", got)
	}
}
