package proc

import (
	"fmt"
	"os"
	"sort"
)

// ThreadGroup returns the PID of the process (thread group) that thread tid
// belongs to: the Tgid line of /proc/TID/status. For a process's main thread
// it is tid itself. /proc/TID answers for every thread ID, although readdir
// of /proc lists only the leaders, so `dlab explain TID` can find a thread.
func (p FS) ThreadGroup(tid int) (int, error) {
	s, err := p.Status(tid)
	if err != nil {
		return 0, err
	}
	if s.Tgid <= 0 {
		return 0, fmt.Errorf("%s: no Tgid line", p.path(tid, "status"))
	}
	return s.Tgid, nil
}

// Tasks lists the thread IDs of process pid (/proc/PID/task) in ascending
// order; the first is pid itself while the main thread lives.
func (p FS) Tasks(pid int) ([]int, error) {
	f, err := os.Open(p.path(pid, "task"))
	if err != nil {
		return nil, classify(pid, err)
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, classify(pid, err)
	}
	tids := make([]int, 0, len(names))
	for _, n := range names {
		if tid, ok := atoi([]byte(n)); ok && tid > 0 {
			tids = append(tids, tid)
		}
	}
	sort.Ints(tids)
	return tids, nil
}
