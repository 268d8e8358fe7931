package reaper

import (
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

// PidsLimit is a pids cgroup that caps how many processes the programs in it
// may have at once: fork fails with EAGAIN beyond pids.max, so a fork bomb
// stays contained whoever runs it. RLIMIT_NPROC would do the same per user,
// but the kernel does not enforce it for root, and it counts every process
// of the user, not just the ones under test.
type PidsLimit struct {
	Dir string
	Max int
}

// NewPidsLimit creates a pids cgroup named name below this process's own
// cgroup, on cgroup v1 or v2, wherever the kernel lets it be created (root,
// or a delegated subtree with the pids controller enabled). The error says
// why not otherwise; the caller then falls back to RLIMIT_NPROC and to
// EndAll's stop-then-kill.
func NewPidsLimit(name string, max int) (*PidsLimit, error) {
	self, err := proc.Live().SelfCgroup()
	if err != nil {
		return nil, err
	}
	mounts, err := proc.Live().SelfMounts()
	if err != nil {
		return nil, err
	}
	var tried []string
	for _, base := range pidsCgroupDirs(self, mounts) {
		removeStale(base, name)
		dir := filepath.Join(base, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", dir, err))
			continue
		}
		l := &PidsLimit{Dir: dir, Max: max}
		if err := os.WriteFile(filepath.Join(dir, "pids.max"), []byte(strconv.Itoa(max)), 0); err != nil {
			// cgroup v2 without the pids controller enabled for children
			// has no pids.max.
			os.Remove(dir)
			tried = append(tried, fmt.Sprintf("%s: %v", dir, err))
			continue
		}
		return l, nil
	}
	if len(tried) == 0 {
		return nil, errors.New("no pids cgroup controller is mounted")
	}
	return nil, fmt.Errorf("cannot create a pids cgroup (%s)", strings.Join(tried, "; "))
}

// removeStale removes the empty cgroups of harnesses that were killed before
// they could clean up: siblings named like name ("dlab-check-PID") whose PID
// is gone. rmdir of a cgroup that still holds processes fails, so a live
// one is never touched.
func removeStale(base, name string) {
	prefix := strings.TrimRightFunc(name, func(r rune) bool { return r >= '0' && r <= '9' })
	if prefix == name {
		return
	}
	dirs, _ := filepath.Glob(filepath.Join(base, prefix+"*"))
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), prefix))
		if err != nil {
			continue
		}
		if err := unix.Kill(pid, 0); errors.Is(err, unix.ESRCH) {
			unix.Rmdir(d)
		}
	}
}

// pidsCgroupDirs returns this process's own cgroup directories that may
// hold a pids controller: the v1 pids hierarchy first, then the v2 one.
func pidsCgroupDirs(self []proc.Cgroup, mounts []proc.Mount) []string {
	v1Path, v2Path, haveV1, haveV2 := "", "", false, false
	for _, cg := range self {
		if cg.Hierarchy == 0 && cg.Controllers == "" {
			v2Path, haveV2 = cg.Path, true
		}
		for _, c := range strings.Split(cg.Controllers, ",") {
			if c == "pids" {
				v1Path, haveV1 = cg.Path, true
			}
		}
	}
	var v1Dirs, v2Dirs []string
	for _, m := range mounts {
		switch {
		case m.FSType == "cgroup" && haveV1 && m.HasSuperOption("pids"):
			v1Dirs = append(v1Dirs, filepath.Join(m.MountPoint, relTo(v1Path, m.Root)))
		case m.FSType == "cgroup2" && haveV2:
			v2Dirs = append(v2Dirs, filepath.Join(m.MountPoint, relTo(v2Path, m.Root)))
		}
	}
	return append(v1Dirs, v2Dirs...)
}

// relTo makes a cgroup path relative to the mount's root (a container sees
// its own cgroup as the root of the mount).
func relTo(path, root string) string {
	if root != "/" && strings.HasPrefix(path, root) {
		return strings.TrimPrefix(path, root)
	}
	return path
}

// FindPidsLimit returns the pids cgroup named name below this process's own
// cgroup, as NewPidsLimit made it, or nil when there is none: the grader's
// guard uses it to clean up after a harness that was killed.
func FindPidsLimit(name string) *PidsLimit {
	self, err1 := proc.Live().SelfCgroup()
	mounts, err2 := proc.Live().SelfMounts()
	if err1 != nil || err2 != nil {
		return nil
	}
	for _, base := range pidsCgroupDirs(self, mounts) {
		dir := filepath.Join(base, name)
		if fi, err := os.Lstat(dir); err == nil && fi.IsDir() {
			return &PidsLimit{Dir: dir}
		}
	}
	return nil
}

// Kill ends every process in the cgroup. Where the cgroup has a
// cgroup.kill file (cgroup v2, Linux 5.14+) the kernel sends SIGKILL to
// each member at once, and a process forked meanwhile is killed too.
// Elsewhere (cgroup v1) each member listed in cgroup.procs gets SIGKILL,
// again until none is left running: one forked meanwhile is caught on the
// next pass, and pids.max bounds how many there can be.
func (l *PidsLimit) Kill() error {
	if _, err := os.Lstat(filepath.Join(l.Dir, "cgroup.kill")); err == nil {
		return os.WriteFile(filepath.Join(l.Dir, "cgroup.kill"), []byte("1"), 0)
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		b, err := os.ReadFile(filepath.Join(l.Dir, "cgroup.procs"))
		if err != nil {
			return fmt.Errorf("cannot list the processes in %s: %w", l.Dir, err)
		}
		running := 0
		for _, f := range strings.Fields(string(b)) {
			pid, err := strconv.Atoi(f)
			if err != nil || pid <= 0 {
				continue
			}
			if st, err := proc.Live().Stat(pid); err == nil && st.State != 'Z' {
				unix.Kill(pid, unix.SIGKILL)
				running++
			}
		}
		if running == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes in %s are still running after SIGKILL", l.Dir)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Join moves process pid into the cgroup.
func (l *PidsLimit) Join(pid int) error {
	if err := os.WriteFile(filepath.Join(l.Dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
		return fmt.Errorf("cannot move process %d into %s: %w", pid, l.Dir, err)
	}
	return nil
}

// Remove deletes the cgroup once it is empty, waiting up to timeout for the
// last members (zombies not yet reaped) to leave.
func (l *PidsLimit) Remove(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := unix.Rmdir(l.Dir)
		if err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
		if !errors.Is(err, unix.EBUSY) || time.Now().After(deadline) {
			return fmt.Errorf("cannot remove cgroup %s: %w", l.Dir, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// JoinPath moves the calling process into the cgroup at dir; the grader's
// exec wrapper calls it just before it executes the program under test, so
// the program and everything it starts are counted from the first fork.
func JoinPath(dir string) error {
	return (&PidsLimit{Dir: dir}).Join(os.Getpid())
}

// LimitNPROC caps the processes of this process's user at max while this
// process and its descendants run, for where no cgroup can be had. The kernel
// counts every task of the user, so max must leave room for the ones already
// running; it is not enforced for root.
func LimitNPROC(max uint64) error {
	lim := unix.Rlimit{Cur: max, Max: max}
	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NPROC, &old); err == nil && old.Max < max {
		lim.Cur, lim.Max = old.Max, old.Max
	}
	return unix.Setrlimit(unix.RLIMIT_NPROC, &lim)
}

// UserTasks counts the tasks (threads included, as RLIMIT_NPROC counts them)
// that belong to real user uid.
func UserTasks(fs proc.FS, uid int) int {
	pids, err := fs.PIDs()
	if err != nil {
		return 0
	}
	n := 0
	for _, pid := range pids {
		st, err := fs.Status(pid)
		if err != nil || st.UID[0] != uid {
			continue
		}
		n += max(st.Threads, 1)
	}
	return n
}

// EndStale ends what is left in the pids cgroups dirs of killed harnesses
// and removes them: each must be named prefix+PID, and that PID gone. A
// harness records the program's processes in dlab's registry as it sees
// them, each with its cgroup; a process forked after the last look, when the
// harness and its guard were killed together, is known only to the cgroup.
// A live harness's cgroup is never touched (a PID reused since is taken as
// alive: the cgroup is left, not killed wrongly), nor a directory that is not
// one of these cgroups. It returns how many it ended.
func EndStale(dirs []string, prefix string) (int, error) {
	n := 0
	var errs []error
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), prefix))
		if err != nil || pid <= 0 || !strings.HasPrefix(filepath.Base(d), prefix) {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "cgroup.procs")); err != nil {
			continue // gone already, or not a cgroup
		}
		if err := unix.Kill(pid, 0); !errors.Is(err, unix.ESRCH) {
			continue
		}
		l := &PidsLimit{Dir: d}
		if err := l.Kill(); err != nil {
			errs = append(errs, fmt.Errorf("cannot end the processes in %s: %w", d, err))
			continue
		}
		if err := l.Remove(5 * time.Second); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
