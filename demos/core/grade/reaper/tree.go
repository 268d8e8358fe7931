package reaper

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"

	"golang.org/x/sys/unix"
)

// Descendants lists every process below root, zombies included, in
// ascending PID order. A process that exits mid-scan is simply not listed;
// one whose parent exits mid-scan may be missed too, so callers that
// conclude "none left" scan twice.
//
// It follows /proc/PID/task/TID/children down from root (CONFIG_PROC_CHILDREN),
// which costs in proportion to root's tree: the harness scans every few
// milliseconds, and a shared classroom server may run thousands of
// processes. Without that file it reads every process's parent.
func Descendants(fs proc.FS, root int) ([]proc.Stat, error) {
	if out, ok := descendantsByChildren(fs, root); ok {
		return out, nil
	}
	return descendantsByParent(fs, root)
}

// descendantsByChildren walks the children files; false when the kernel
// has none.
func descendantsByChildren(fs proc.FS, root int) ([]proc.Stat, bool) {
	if !fs.CanListChildren(root) {
		return nil, false
	}
	r := fs.StatReader()
	seen := map[int]bool{root: true}
	queue := []int{root}
	var out []proc.Stat
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		kids, _ := fs.Children(p) // a process gone mid-walk has none
		for _, c := range kids {
			if seen[c] {
				continue
			}
			seen[c] = true
			st, err := r.Read(c)
			if err != nil {
				continue
			}
			out = append(out, st.Stat)
			queue = append(queue, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out, true
}

// descendantsByParent reads the parent of every process on the system.
func descendantsByParent(fs proc.FS, root int) ([]proc.Stat, error) {
	pids, err := fs.PIDs()
	if err != nil {
		return nil, err
	}
	byPID := make(map[int]proc.Stat, len(pids))
	r := fs.StatReader() // one buffer for the whole scan: it runs every few ms
	for _, pid := range pids {
		st, err := r.Read(pid)
		if err != nil {
			continue // gone, or unreadable: not ours either way
		}
		byPID[pid] = st.Stat
	}
	// A parent that exited during the scan took its link to root with it,
	// but its children were reparented (to root, if root is their
	// subreaper) at that moment: read them again to follow the new link.
	for pid, st := range byPID {
		if _, ok := byPID[st.PPID]; ok || st.PPID == root || st.PPID == 0 {
			continue
		}
		if now, err := r.Read(pid); err == nil {
			byPID[pid] = now.Stat
		} else {
			delete(byPID, pid)
		}
	}
	children := map[int][]proc.Stat{}
	for _, st := range byPID {
		children[st.PPID] = append(children[st.PPID], st)
	}
	var out []proc.Stat
	queue := []int{root}
	seen := map[int]bool{root: true}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			if seen[c.PID] {
				continue
			}
			seen[c.PID] = true
			out = append(out, c)
			queue = append(queue, c.PID)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out, nil
}

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
		all, err := Descendants(fs, root)
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
		all, err := Descendants(fs, root)
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
