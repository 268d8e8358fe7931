package proc

import (
	"fmt"
	"strconv"
)

// maxThreads bounds how many threads BlockedByEveryThread reads: a process
// with more is judged on its first maxThreads.
const maxThreads = 4096

// BlockedByEveryThread returns the signals that every thread of pid blocks.
//
// SigBlk in /proc/PID/status is the main thread's mask only, but a signal
// sent to a process goes to any one of its threads that does not block it:
// it stays pending only while every thread blocks it. A Go program shows
// why this matters: the runtime blocks every signal on a thread for an
// instant around clone, and keeps one thread with most signals blocked
// (the one that serves signal.Notify); either may be the main thread.
func (p FS) BlockedByEveryThread(pid int) (SignalSet, error) {
	tids, err := p.Tasks(pid)
	if err != nil {
		return 0, err
	}
	if len(tids) > maxThreads {
		tids = tids[:maxThreads]
	}
	all, read := ^SignalSet(0), 0
	for _, tid := range tids {
		b, err := p.read(pid, "task/"+strconv.Itoa(tid)+"/status")
		if err != nil {
			continue // the thread ended meanwhile
		}
		s, err := ParseStatus(b)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", p.path(pid, "task/"+strconv.Itoa(tid)+"/status"), err)
		}
		all &= s.SigBlk
		read++
	}
	if read == 0 {
		return 0, fmt.Errorf("process %d: no thread's status could be read: %w", pid, ErrGone)
	}
	return all, nil
}
