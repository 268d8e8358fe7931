package registry

import (
	"fmt"
	"os"
	"syscall"

	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"
)

// hold takes hold of the process of e through a pidfd, if it is still the
// process dlab recorded. The pidfd is opened before the start time is
// compared, so the comparison is about the very process it holds. Errors wrap
// proc.ErrGone (it has exited, even if still a zombie) or ErrReused (its PID
// now names another process).
func hold(e Entry) (*pidfd.Process, error) {
	p, err := pidfd.Open(e.PID, 0)
	if err != nil {
		return nil, err
	}
	if p.StartTime != e.StartTime {
		p.Close()
		return nil, fmt.Errorf("process %d started at tick %d, not %d: %w", e.PID, p.StartTime, e.StartTime, ErrReused)
	}
	if st, err := proc.Live().Stat(e.PID); err != nil || st.State == 'Z' || st.State == 'X' {
		p.Close()
		return nil, fmt.Errorf("process %d: %w", e.PID, proc.ErrGone)
	}
	return p, nil
}

// ownerOf returns the owner of a file from its stat data.
func ownerOf(fi os.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
