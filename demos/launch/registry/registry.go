// Package registry remembers, per user and per run, the processes dlab
// started, so that `dlab demo stop`, `dlab demo cleanup` and the next demo
// run can end them, even after dlab itself was killed with SIGKILL.
//
// A process is known by its PID and its start time (field 22 of
// /proc/PID/stat): PIDs are reused, the pair is not. Nothing is ever signalled
// unless the live process still has the recorded start time, and signals go
// through a pidfd opened before that check (package pidfd), so a PID reused
// in between can't be hit either.
//
// Each entry is one small JSON file, written to a temporary name and renamed
// into place: several dlab runs at once never see half an entry and never
// need a lock, because no two of them ever write the same file.
package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/lifeline"
)

// Entry is one process dlab started.
type Entry struct {
	PID       int    `json:"pid"`
	StartTime uint64 `json:"start_time"` // clock ticks after boot, from /proc/PID/stat field 22
	Kind      string `json:"kind"`       // "sysv-daemon", "normal", "shell", "nohup:program", ...
	Run       string `json:"run"`        // the run that started it (see RunID)
	PIDFile   string `json:"pid_file,omitempty"`
	// Cgroup is a pids cgroup that holds the process and whatever it forks
	// (dlab check puts the program under test in one): once the owner is
	// gone, a process forked after the last record is found there.
	Cgroup  string    `json:"cgroup,omitempty"`
	LogFile string    `json:"log_file,omitempty"`
	Started time.Time `json:"started"`
	// Owner is the dlab process whose demo this process belongs to: once the
	// owner is gone, the process is a leftover that the next run ends. The
	// zero Owner means the process was left running on purpose (dlab demo
	// daemon) and only `dlab demo stop` or `dlab demo cleanup` end it.
	Owner Owner `json:"owner"`
	// StopSignal asks the process to end when SIGTERM would not: "SIGHUP"
	// for an interactive shell, which ignores SIGTERM and ends on a
	// hang-up. Empty means SIGTERM.
	StopSignal string `json:"stop_signal,omitempty"`

	file string // the record's file name, when it was read from one
}

// Owner identifies a dlab process by PID and start time.
type Owner struct {
	PID       int    `json:"pid,omitempty"`
	StartTime uint64 `json:"start_time,omitempty"`
}

// IsZero reports whether no process owns the entry.
func (o Owner) IsZero() bool { return o.PID == 0 }

// Alive reports whether the owner still runs (same PID, same start time).
func (o Owner) Alive() bool {
	st, err := proc.Live().Stat(o.PID)
	return err == nil && st.StartTime == o.StartTime && st.State != 'Z'
}

// Self is the calling process as an Owner.
func Self() Owner {
	o := Owner{PID: os.Getpid()}
	if st, err := proc.Live().Stat(o.PID); err == nil {
		o.StartTime = st.StartTime
	}
	return o
}

// RunID names this run of dlab: its PID and start time, unique on this boot.
func RunID() string {
	o := Self()
	return fmt.Sprintf("%d-%d", o.PID, o.StartTime)
}

// ErrNotStarted means the PID is not in the registry: dlab did not start it
// (or not as this user), so dlab won't signal it.
var ErrNotStarted = errors.New("not started by dlab")

// ErrReused means the PID now belongs to another process than the one dlab
// started: its start time differs.
var ErrReused = errors.New("PID reused by another process")

// Store is a registry directory.
type Store struct {
	Dir string
}

// StateDir is the per-user directory for dlab's state: $XDG_RUNTIME_DIR/dlab,
// else $XDG_STATE_HOME/dlab, else ~/.local/state/dlab, else /tmp/dlab-UID.
// It is created with mode 0700 and must belong to the user.
func StateDir() (string, error) {
	var dir string
	switch {
	case os.Getenv("XDG_RUNTIME_DIR") != "":
		dir = filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), "dlab")
	case os.Getenv("XDG_STATE_HOME") != "":
		dir = filepath.Join(os.Getenv("XDG_STATE_HOME"), "dlab")
	case os.Getenv("HOME") != "":
		dir = filepath.Join(os.Getenv("HOME"), ".local", "state", "dlab")
	default:
		dir = filepath.Join(os.TempDir(), "dlab-"+strconv.Itoa(os.Geteuid()))
	}
	if err := ensurePrivateDir(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// ensurePrivateDir creates dir (mode 0700) and checks that it is a real
// directory of this user: in a shared place such as /tmp, another user could
// have put a symlink or a directory of theirs there first.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create dlab's state directory: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("cannot use dlab's state directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("dlab's state directory %s is not a directory: remove it or set XDG_RUNTIME_DIR", dir)
	}
	if uid, ok := ownerOf(fi); ok && uid != os.Geteuid() {
		return fmt.Errorf("dlab's state directory %s belongs to user %d, not you: remove it or set XDG_RUNTIME_DIR", dir, uid)
	}
	// Another user who can write here could plant a record naming any of
	// your processes, and `dlab demo cleanup` would end it.
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("dlab's state directory %s can be written by other users (mode %04o): run chmod 700 %s", dir, perm, dir)
	}
	return nil
}

// Default is the registry of this user.
func Default() (Store, error) {
	dir, err := StateDir()
	if err != nil {
		return Store{}, err
	}
	s := Store{Dir: filepath.Join(dir, "processes")}
	if fi, err := os.Lstat(s.Dir); err == nil {
		if err := ensurePrivateDir(s.Dir); err != nil || !fi.IsDir() {
			if err == nil {
				err = fmt.Errorf("dlab's registry %s is not a directory: remove it", s.Dir)
			}
			return Store{}, err
		}
	}
	return s, nil
}

// RunDir makes a new directory for one demo process of this run (its PID
// file, log and configuration), under the state directory:
// STATE/runs/RUN/NAME-N. Cleanup removes it once this run of dlab is over
// and no entry's PIDFile or LogFile lies in it any more: record those.
func RunDir(name string) (string, error) {
	state, err := StateDir()
	if err != nil {
		return "", err
	}
	base := filepath.Join(state, "runs", RunID())
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", fmt.Errorf("cannot create a run directory: %w", err)
	}
	for n := 1; ; n++ {
		dir := filepath.Join(base, fmt.Sprintf("%s-%d", name, n))
		err := os.Mkdir(dir, 0o700)
		if errors.Is(err, os.ErrNotExist) {
			// Another demo of this run, ending at this moment, removed
			// the run's directory as it emptied it: make it again.
			if err := os.MkdirAll(base, 0o700); err != nil {
				return "", fmt.Errorf("cannot create a run directory: %w", err)
			}
			err = os.Mkdir(dir, 0o700)
		}
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("cannot create a run directory: %w", err)
		}
	}
}

func (s Store) path(e Entry) string {
	if e.file != "" {
		return filepath.Join(s.Dir, e.file)
	}
	return filepath.Join(s.Dir, fmt.Sprintf("%d-%d.json", e.PID, e.StartTime))
}

// Add records e, replacing an entry for the same process.
func (s Store) Add(e Entry) error {
	if e.PID <= 0 || e.StartTime == 0 {
		return fmt.Errorf("cannot record process %d: it needs a PID and a start time", e.PID)
	}
	if e.Started.IsZero() {
		e.Started = time.Now()
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("cannot record process %d: %w", e.PID, err)
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.Dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot record process %d: %w", e.PID, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot record process %d: %w", e.PID, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot record process %d: %w", e.PID, err)
	}
	// rename(2) is atomic: a reader sees the old entry or the new one.
	if err := os.Rename(tmp.Name(), s.path(e)); err != nil {
		return fmt.Errorf("cannot record process %d: %w", e.PID, err)
	}
	return nil
}

// ErrBadRecord means a file in the registry is not a record dlab can use
// (hand-edited, truncated, from another version): cleanup moves it aside,
// once, into the registry's "unreadable" folder.
var ErrBadRecord = errors.New("unreadable record")

// List returns the recorded entries, oldest first. Files that are not
// records dlab can use are skipped (Cleanup moves them aside).
func (s Store) List() ([]Entry, error) {
	entries, _, err := s.scan()
	return entries, err
}

// scan reads every record, and names the files that are not usable ones.
func (s Store) scan() (entries []Entry, bad []string, err error) {
	names, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read dlab's registry: %w", err)
	}
	for _, n := range names {
		if !strings.HasSuffix(n.Name(), ".json") || strings.HasPrefix(n.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(s.Dir, n.Name()))
		if errors.Is(err, os.ErrNotExist) {
			continue // removed meanwhile by another dlab
		}
		var e Entry
		// A record's name is its process: one whose content says
		// otherwise would never be removed by name, and would come back on
		// every cleanup.
		if err != nil || json.Unmarshal(b, &e) != nil || e.PID <= 0 || e.StartTime == 0 ||
			n.Name() != fmt.Sprintf("%d-%d.json", e.PID, e.StartTime) {
			bad = append(bad, n.Name())
			continue
		}
		e.file = n.Name()
		entries = append(entries, e)
	}
	sort.SliceStable(entries, func(i, j int) bool {
		if !entries[i].Started.Equal(entries[j].Started) {
			return entries[i].Started.Before(entries[j].Started)
		}
		return entries[i].PID < entries[j].PID
	})
	return entries, bad, nil
}

// moveAside moves unreadable records into the "unreadable" folder, where
// List no longer sees them, and says so once, in one error per file.
func (s Store) moveAside(bad []string) error {
	var errs []error
	aside := filepath.Join(s.Dir, "unreadable")
	for _, name := range bad {
		if err := os.MkdirAll(aside, 0o700); err != nil {
			return fmt.Errorf("cannot move aside dlab's unreadable record %s: %w", filepath.Join(s.Dir, name), err)
		}
		to := filepath.Join(aside, name)
		if err := os.Rename(filepath.Join(s.Dir, name), to); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			errs = append(errs, fmt.Errorf("cannot move aside dlab's unreadable record %s: %w", filepath.Join(s.Dir, name), err))
			continue
		}
		errs = append(errs, fmt.Errorf("moved aside a registry file dlab can't read, %s (look at it, then delete it): %w", to, ErrBadRecord))
	}
	return errors.Join(errs...)
}

// Find returns the entry for pid.
func (s Store) Find(pid int) (Entry, error) {
	entries, err := s.List()
	if err != nil {
		return Entry{}, err
	}
	for _, e := range entries {
		if e.PID == pid {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("process %d: %w", pid, ErrNotStarted)
}

// Remove forgets every entry for pid. Forgetting an unknown PID is not an error.
func (s Store) Remove(pid int) error {
	entries, err := s.List()
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.PID != pid {
			continue
		}
		if err := os.Remove(s.path(e)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("cannot forget process %d: %w", pid, err)
		}
	}
	return nil
}

// Keep marks the process as left running on purpose: it no longer belongs to
// the run that started it, so the next demo run won't end it as a leftover.
func (s Store) Keep(pid int) error {
	e, err := s.Find(pid)
	if err != nil {
		return err
	}
	e.Owner = Owner{}
	return s.Add(e)
}

// The package-level functions work on the registry of this user (Default).

// Add records e in this user's registry.
func Add(e Entry) error { return withDefault(func(s Store) error { return s.Add(e) }) }

// List returns this user's entries.
func List() ([]Entry, error) {
	s, err := Default()
	if err != nil {
		return nil, err
	}
	return s.List()
}

// Remove forgets pid in this user's registry.
func Remove(pid int) error { return withDefault(func(s Store) error { return s.Remove(pid) }) }

// Stop ends pid if this user's registry holds it (see Store.Stop).
func Stop(pid int, timeout time.Duration) error {
	return withDefault(func(s Store) error { _, err := s.Stop(pid, timeout); return err })
}

// Cleanup ends every process in this user's registry (see Store.Cleanup).
func Cleanup(timeout time.Duration) ([]Ended, error) {
	s, err := Default()
	if err != nil {
		return nil, err
	}
	return s.Cleanup(timeout)
}

// CleanupLeftovers ends the processes of runs whose dlab is gone (see
// Store.CleanupLeftovers).
func CleanupLeftovers(timeout time.Duration) ([]Ended, error) {
	s, err := Default()
	if err != nil {
		return nil, err
	}
	return s.CleanupLeftovers(timeout)
}

func withDefault(f func(Store) error) error {
	s, err := Default()
	if err != nil {
		return err
	}
	return f(s)
}

// Started records a process this process has just started: call it right
// after Start, before waiting for the process to say anything, so that no
// moment passes when it runs unrecorded (a dlab killed with SIGKILL a
// millisecond later leaves nothing `dlab demo cleanup` doesn't know). The
// start time is read from /proc now: the process is our child and not yet
// waited for, so the PID still names it. Run defaults to the owner's run.
func (s Store) Started(pid int, e Entry) (Entry, error) {
	st, err := proc.Live().Stat(pid)
	if err != nil {
		return e, fmt.Errorf("cannot record process %d: %w", pid, err)
	}
	e.PID, e.StartTime = pid, st.StartTime
	if e.Run == "" {
		e.Run = e.Owner.RunID()
	}
	return e, s.Add(e)
}

// Forget removes the entry of exactly this process (PID and start time),
// once its parent has seen it end. Forgetting an unknown one is no error.
func (s Store) Forget(e Entry) error {
	if err := os.Remove(s.path(e)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("cannot forget process %d: %w", e.PID, err)
	}
	return nil
}

// RunID names the run of a dlab process ("PID-STARTTIME"); the zero Owner
// (a process left running on purpose) has the run "kept".
func (o Owner) RunID() string {
	if o.IsZero() {
		return "kept"
	}
	return fmt.Sprintf("%d-%d", o.PID, o.StartTime)
}

// DemoOwner is the dlab process whose demo a hidden role belongs to: the
// anchor of its lifeline, or the zero Owner when it has none (it was started
// to outlive dlab).
func DemoOwner() Owner {
	a, ok := lifeline.Inherited()
	if !ok {
		return Owner{}
	}
	return Owner{PID: a.PID, StartTime: a.StartTime}
}

// Started records, in this user's registry, a process just started (see
// Store.Started).
func Started(pid int, e Entry) (Entry, error) {
	s, err := Default()
	if err != nil {
		return e, err
	}
	return s.Started(pid, e)
}

// Forget removes exactly this entry from this user's registry.
func Forget(e Entry) error { return withDefault(func(s Store) error { return s.Forget(e) }) }

// ForgetEnded removes, from this user's registry, the entries of owner's
// processes that have ended (see Store.ForgetEnded).
func ForgetEnded(owner Owner) error {
	return withDefault(func(s Store) error { return s.ForgetEnded(owner) })
}
