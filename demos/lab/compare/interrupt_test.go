package compare

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
	"dlab/demos/testkit/leakcheck"
)

func init() {
	// compare-test-cli runs the comparison with the experiments as
	// `dlab demo compare` does: SIGINT and SIGTERM cancel it.
	reexec.Register("compare-test-cli", func([]string) int {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if _, err := Run(ctx, Options{Experiments: true}); err != nil {
			fmt.Println(err)
			return 1
		}
		return 0
	})
}

// startCLI starts compare-test-cli and returns once the registry holds at
// least n of its processes: it is in the middle of its run.
func startCLI(t *testing.T, n int) (*exec.Cmd, []*pidfd.Process) {
	t.Helper()
	cmd, err := reexec.Command("compare-test-cli")
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries, _ := registry.List()
		if len(entries) >= n {
			var held []*pidfd.Process
			for _, e := range entries {
				if p, err := pidfd.Open(e.PID, e.StartTime); err == nil {
					held = append(held, p)
					t.Cleanup(func() { p.Close() })
				}
			}
			return cmd, held
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the run recorded only %d processes", len(entries))
		}
		time.Sleep(time.Millisecond)
	}
}

func allEnded(t *testing.T, held []*pidfd.Process) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, p := range held {
		if err := p.Wait(ctx); err != nil {
			st, _ := proc.Live().Stat(p.PID)
			t.Errorf("process %d (%s) still running: %v", p.PID, st.Comm, err)
		}
	}
}

// ^C (or SIGTERM) in the middle of a run: every process it started ends
// before it exits, and the registry forgets them.
func TestInterruptedRunLeavesNothing(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
			cmd, held := startCLI(t, 3)
			cmd.Process.Signal(sig)
			err := cmd.Wait()
			var ee *exec.ExitError
			if err != nil && !errors.As(err, &ee) {
				t.Fatal(err)
			}
			// It may have finished before the signal came: either way, nothing is left.
			allEnded(t, held)
			if entries, _ := registry.List(); len(entries) != 0 {
				t.Errorf("the registry still holds %d entries: %+v", len(entries), entries)
			}
		})
	}
}

// dlab killed with SIGKILL mid-run can end nothing; the next run's
// cleanup finds its processes (checked by start time) and ends them.
func TestKilledRunIsCleanedUpByTheNext(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	cmd, _ := startCLI(t, 3)
	cmd.Process.Kill()
	cmd.Wait()
	// Processes that were starting when dlab died finish starting and
	// record themselves (a daemon), or end with their terminal (a normal
	// process, whose pty master died with dlab): wait until every process
	// of the test is recorded, as the next run would find them.
	marker := os.Getenv(leakcheck.Env)
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries, _ := registry.List()
		recorded := map[int]bool{}
		for _, e := range entries {
			recorded[e.PID] = true
		}
		settled := true
		for _, pid := range leakcheck.Marked(marker) {
			settled = settled && recorded[pid]
		}
		if settled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes of the killed run neither recorded nor ended: %v", leakcheck.Marked(marker))
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := registry.CleanupLeftovers(2 * time.Second); err != nil {
		t.Error(err)
	}
	if left := leakcheck.Marked(marker); len(left) != 0 {
		t.Errorf("left after cleanup: %v", left)
	}
}
