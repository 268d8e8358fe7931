package proc

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
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
	tids, err := numbered(p.path(pid, "task"))
	if err != nil {
		return nil, classify(pid, err)
	}
	return tids, nil
}

// CanListChildren reports whether the kernel keeps the children files
// (/proc/PID/task/TID/children, CONFIG_PROC_CHILDREN) for pid.
func (p FS) CanListChildren(pid int) bool {
	_, err := os.Stat(p.path(pid, "task/"+strconv.Itoa(pid)+"/children"))
	return err == nil
}

// Children lists the children of every thread of pid: a child belongs to
// the thread that forked it, and an orphan is adopted by one live thread of
// its subreaper, not always the main one. The kernel's list may miss a
// child forked or reparented during the read (proc(5)); a thread that exits
// meanwhile is skipped. Needs CONFIG_PROC_CHILDREN (CanListChildren).
func (p FS) Children(pid int) ([]int, error) {
	tids, err := p.Tasks(pid)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, tid := range tids {
		b, err := p.read(pid, "task/"+strconv.Itoa(tid)+"/children")
		if err != nil {
			continue
		}
		kids, err := ParseChildren(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.path(pid, "task/"+strconv.Itoa(tid)+"/children"), err)
		}
		out = append(out, kids...)
	}
	return out, nil
}

// ParseChildren parses a children file: PIDs separated by spaces.
func ParseChildren(b []byte) ([]int, error) {
	var kids []int
	for _, f := range bytes.Fields(b) {
		n, ok := atoi(f)
		if !ok || n <= 0 {
			return nil, fmt.Errorf("bad PID %q in children %q", clip(f), clip(b))
		}
		kids = append(kids, n)
	}
	return kids, nil
}
