package proc

import (
	"errors"

	"golang.org/x/sys/unix"
)

// Ending reports whether the process pid, started at startTime, has ended
// or is on its way out: gone, a zombie, or with a signal pending that ends
// it. When a signal whose action is the default one, terminate, is sent,
// the kernel queues SIGKILL to every thread of the process at once
// (complete_signal): SIGKILL pending means it is dying. sigs adds signals
// whose mere pending counts (SIGHUP sent to a process that does not ignore
// it). A process that can't be read is counted as ending only when it is
// gone.
//
// It answers "did anyone send it something fatal before now?" without
// waiting: after a shell has exited, a job with nothing pending got
// nothing from it.
func (fs FS) Ending(pid int, startTime uint64, sigs ...unix.Signal) bool {
	st, err := fs.Stat(pid)
	if errors.Is(err, ErrGone) || err == nil && (st.StartTime != startTime || st.State == 'Z' || st.State == 'X') {
		return true
	}
	if err != nil {
		return false
	}
	status, err := fs.Status(pid)
	if errors.Is(err, ErrGone) {
		return true
	}
	if err != nil {
		return false
	}
	pending := status.Pending()
	if pending.Has(unix.SIGKILL) {
		return true
	}
	for _, s := range sigs {
		if pending.Has(s) {
			return true
		}
	}
	return false
}
