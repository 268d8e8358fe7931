package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// Ended tells what happened to one process that Stop or Cleanup dealt with.
type Ended struct {
	Entry Entry         `json:"entry"`
	How   string        `json:"how"`  // "ended on SIGTERM", "killed with SIGKILL", "had already ended", "left alone: ..."
	Took  time.Duration `json:"took"` // from the first signal to the end
	// Signalled is false when dlab sent nothing: the process had ended, or
	// its PID now belongs to another process.
	Signalled bool `json:"signalled"`
}

// killGrace is how long Stop waits after SIGKILL, which can't be refused:
// only a process stuck in the kernel (state D) takes longer.
const killGrace = 2 * time.Second

// Stop ends the process pid if the registry holds it and it still has the
// recorded start time: SIGTERM (or the entry's StopSignal) through a pidfd, a wait for its exit (the
// pidfd becomes readable) up to timeout, then SIGKILL. The entry is removed,
// and so is a PID file the process left behind. Errors wrap ErrNotStarted
// (not in the registry), ErrReused (the PID now names another process) or
// proc.ErrGone (it had already ended).
func (s Store) Stop(pid int, timeout time.Duration) (Ended, error) {
	e, err := s.Find(pid)
	if err != nil {
		return Ended{}, err
	}
	return s.End(e, timeout)
}

// End ends the process of one entry (see Stop).
func (s Store) End(e Entry, timeout time.Duration) (Ended, error) {
	ended := Ended{Entry: e}
	h, err := hold(e)
	switch {
	case errors.Is(err, proc.ErrGone):
		ended.How = "had already ended"
		s.forget(e)
		return ended, fmt.Errorf("process %d had already ended: %w", e.PID, proc.ErrGone)
	case errors.Is(err, ErrReused):
		ended.How = "left alone: its PID now belongs to another process"
		s.forget(e)
		return ended, fmt.Errorf("process %d is not the one dlab started (same PID, other start time): %w", e.PID, ErrReused)
	case err != nil:
		return ended, err
	}
	defer h.Close()

	start := time.Now()
	stopped := false
	if st, err := proc.Live().Stat(e.PID); err == nil && (st.State == 'T' || st.State == 't') {
		stopped = true
	}
	sig := unix.SIGTERM
	if e.StopSignal == "SIGHUP" {
		sig = unix.SIGHUP
	}
	if err := h.Signal(sig); err != nil && !errors.Is(err, proc.ErrGone) {
		return ended, err
	}
	ended.Signalled = true
	// A stopped process keeps SIGTERM pending until it runs again: wake it,
	// as a shell's kill does for a stopped job.
	if stopped {
		h.Signal(unix.SIGCONT)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	err = h.Wait(ctx)
	cancel()
	ended.How = "ended on " + unix.SignalName(sig)
	if err != nil {
		if err := h.Signal(unix.SIGKILL); err != nil && !errors.Is(err, proc.ErrGone) {
			return ended, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), killGrace)
		err = h.Wait(ctx)
		cancel()
		if err != nil {
			return ended, fmt.Errorf("process %d did not end, even on SIGKILL: %w", e.PID, err)
		}
		ended.How = fmt.Sprintf("killed with SIGKILL, %s had not ended it in %s", unix.SignalName(sig), timeout)
	}
	ended.Took = time.Since(start)
	s.forget(e)
	return ended, nil
}

// forget removes the entry and a PID file that still names this process (a
// process killed with SIGKILL had no chance to remove its own).
func (s Store) forget(e Entry) {
	os.Remove(s.path(e))
	if e.PIDFile == "" {
		return
	}
	if b, err := os.ReadFile(e.PIDFile); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(e.PID) {
		os.Remove(e.PIDFile)
	}
}

// Cleanup ends every process in the registry, and removes the run
// directories that no longer belong to anything running. A process that had
// already ended, or whose PID was reused, is forgotten without a signal.
func (s Store) Cleanup(timeout time.Duration) ([]Ended, error) {
	return s.cleanup(timeout, func(Entry) bool { return true })
}

// CleanupLeftovers ends only the leftovers: processes of a demo whose dlab
// is gone (killed with SIGKILL before it could end them). Processes left
// running on purpose (dlab demo daemon) are kept.
func (s Store) CleanupLeftovers(timeout time.Duration) ([]Ended, error) {
	return s.cleanup(timeout, func(e Entry) bool { return !e.Owner.IsZero() && !e.Owner.Alive() })
}

func (s Store) cleanup(timeout time.Duration, want func(Entry) bool) ([]Ended, error) {
	entries, bad, err := s.scan()
	if err != nil {
		return nil, err
	}
	var ended []Ended
	errs := []error{s.moveAside(bad)}
	for _, e := range entries {
		if !want(e) {
			continue
		}
		en, err := s.End(e, timeout)
		if errors.Is(err, proc.ErrGone) || errors.Is(err, ErrReused) {
			err = nil
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ended = append(ended, en)
	}
	s.removeIdleRunDirs()
	return ended, errors.Join(errs...)
}

// removeIdleRunDirs removes STATE/runs/RUN directories whose dlab run is
// over and which hold no file of a process still in the registry.
func (s Store) removeIdleRunDirs() {
	runs := filepath.Join(filepath.Dir(s.Dir), "runs")
	dirs, err := os.ReadDir(runs)
	if err != nil {
		return
	}
	entries, _ := s.List()
	for _, d := range dirs {
		dir := filepath.Join(runs, d.Name())
		if ownerOfRun(d.Name()).Alive() {
			continue
		}
		inUse := false
		for _, e := range entries {
			for _, f := range []string{e.PIDFile, e.LogFile} {
				if f != "" && strings.HasPrefix(f, dir+string(filepath.Separator)) {
					inUse = true
				}
			}
		}
		if !inUse {
			os.RemoveAll(dir)
		}
	}
}

// ownerOfRun parses a run ID ("PID-STARTTIME") back into its dlab process.
func ownerOfRun(run string) Owner {
	p, t, ok := strings.Cut(run, "-")
	if !ok {
		return Owner{}
	}
	pid, err1 := strconv.Atoi(p)
	start, err2 := strconv.ParseUint(t, 10, 64)
	if err1 != nil || err2 != nil {
		return Owner{}
	}
	return Owner{PID: pid, StartTime: start}
}

// ForgetEnded removes the entries of owner's processes that have ended: a
// supervisor that ended what a killed dlab process left (the grader's
// guard) says so, and the next cleanup does not report them as "had already
// ended". Entries of processes still running are kept.
func (s Store) ForgetEnded(owner Owner) error {
	entries, err := s.List()
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Owner != owner {
			continue
		}
		h, err := hold(e)
		if err == nil {
			h.Close()
			continue
		}
		if errors.Is(err, proc.ErrGone) || errors.Is(err, ErrReused) {
			s.forget(e)
		}
	}
	return nil
}
