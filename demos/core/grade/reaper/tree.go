package reaper

import (
	"errors"
	"fmt"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"

	"golang.org/x/sys/unix"
)

// Alive keeps the processes that are not zombies.
func Alive(sts []proc.Stat) []proc.Stat {
	var out []proc.Stat
	for _, st := range sts {
		if st.State != 'Z' && st.State != 'X' {
			out = append(out, st)
		}
	}
	return out
}

// signalSame sends sig to the process st describes, through a pidfd opened
// only if the PID still belongs to that process (same start time): a PID
// freed and reused between the scan and the signal is never hit.
func signalSame(st proc.Stat, sig unix.Signal) error {
	p, err := pidfd.Open(st.PID, st.StartTime)
	if err != nil {
		return err
	}
	defer p.Close()
	return p.Signal(sig)
}

// EndAll ends every process below root and returns how many it signalled.
//
// It first stops them all with SIGSTOP, scanning again until every one is
// stopped, because a stopped process cannot fork: killing a fork bomb's
// members one by one would let the others keep forking. Then it kills them
// with SIGKILL, scanning again until none is left. Zombies are left to their
// parent or, once that is gone, to the reaper.
func EndAll(fs proc.FS, root int, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	signalled := map[int]bool{}
	// Stop: repeat until a scan finds every live descendant stopped.
	for {
		all, err := fs.Descendants(root)
		if err != nil {
			return len(signalled), err
		}
		running := 0
		for _, st := range Alive(all) {
			if st.State == 'T' || st.State == 't' {
				continue
			}
			running++
			if signalSame(st, unix.SIGSTOP) == nil {
				signalled[st.PID] = true
			}
		}
		if running == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Millisecond) // let the stops land before the next scan
	}
	// Kill: repeat until no live descendant is left, twice in a row: a
	// scan lists /proc before it reads each process, so a child forked
	// after the listing whose parent is gone before its read is missed; the
	// next listing holds it.
	empty := 0
	for {
		all, err := fs.Descendants(root)
		if err != nil {
			return len(signalled), err
		}
		live := Alive(all)
		if len(live) == 0 {
			if empty++; empty == 2 {
				return len(signalled), nil
			}
			time.Sleep(2 * time.Millisecond)
			continue
		}
		empty = 0
		if time.Now().After(deadline) {
			return len(signalled), fmt.Errorf("%d process(es) below PID %d still running after %s: %w", len(live), root, timeout, errStillRunning)
		}
		for _, st := range live {
			if err := signalSame(st, unix.SIGKILL); err == nil || errors.Is(err, proc.ErrGone) {
				signalled[st.PID] = true
			}
		}
		time.Sleep(2 * time.Millisecond) // SIGKILL is acted on when the process next runs
	}
}

var errStillRunning = errors.New("still running")
