package registry_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/registry"
	"dlab/demos/testkit/poll"
)

func newStore(t *testing.T) registry.Store {
	return registry.Store{Dir: filepath.Join(t.TempDir(), "processes")}
}

func entryFor(t *testing.T, pid int, kind string) registry.Entry {
	t.Helper()
	st, err := proc.Live().Stat(pid)
	if err != nil {
		t.Fatal(err)
	}
	return registry.Entry{PID: pid, StartTime: st.StartTime, Kind: kind, Run: registry.RunID(), Owner: registry.Self()}
}

func TestAddListFindRemove(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if got, err := s.List(); err != nil || len(got) != 0 {
		t.Fatalf("empty registry: List = %v, %v", got, err)
	}
	a := registry.Entry{PID: 100, StartTime: 5, Kind: "sysv-daemon", Run: "1-2", Started: time.Unix(10, 0)}
	b := registry.Entry{PID: 200, StartTime: 6, Kind: "normal", Run: "1-2", Started: time.Unix(20, 0)}
	for _, e := range []registry.Entry{b, a} {
		if err := s.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.List()
	if err != nil || len(got) != 2 || got[0].PID != 100 || got[1].PID != 200 {
		t.Fatalf("List = %+v, %v; want 100 then 200 (oldest first)", got, err)
	}
	if e, err := s.Find(200); err != nil || e.Kind != "normal" {
		t.Fatalf("Find(200) = %+v, %v", e, err)
	}
	if _, err := s.Find(300); !errors.Is(err, registry.ErrNotStarted) {
		t.Fatalf("Find(300) error = %v, want ErrNotStarted", err)
	}
	if err := s.Remove(100); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(100); err != nil {
		t.Fatalf("removing twice: %v", err)
	}
	if got, _ := s.List(); len(got) != 1 || got[0].PID != 200 {
		t.Fatalf("after Remove: %+v", got)
	}
	// No temporary files are left behind by the atomic writes.
	names, _ := os.ReadDir(s.Dir)
	if len(names) != 1 {
		t.Fatalf("registry dir holds %d files, want 1", len(names))
	}
}

func TestAddRefusesEntryWithoutStartTime(t *testing.T) {
	t.Parallel()
	if err := newStore(t).Add(registry.Entry{PID: 5}); err == nil {
		t.Fatal("Add accepted an entry with no start time: it could never be checked against PID reuse")
	}
}

func TestListSkipsUnreadableEntries(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if err := s.Add(registry.Entry{PID: 1, StartTime: 1}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(s.Dir, "garbage.json"), []byte("{not json"), 0o600)
	os.WriteFile(filepath.Join(s.Dir, ".tmp-123"), []byte("{}"), 0o600)
	if got, err := s.List(); err != nil || len(got) != 1 {
		t.Fatalf("List = %+v, %v; want the one good entry", got, err)
	}
}

func TestCleanupMovesAnUnreadableRecordAsideOnce(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if err := s.Add(registry.Entry{PID: 1, StartTime: 1}); err != nil {
		t.Fatal(err)
	}
	// Bad JSON; a record without a start time; a record whose name says
	// another process than its content: none could ever be removed by name.
	os.WriteFile(filepath.Join(s.Dir, "garbage.json"), []byte("{not json"), 0o600)
	os.WriteFile(filepath.Join(s.Dir, "5-0.json"), []byte(`{"pid": 5}`), 0o600)
	os.WriteFile(filepath.Join(s.Dir, "6-1.json"), []byte(`{"pid": 6, "start_time": 2}`), 0o600)
	_, err := s.CleanupLeftovers(time.Second)
	if !errors.Is(err, registry.ErrBadRecord) {
		t.Fatalf("first cleanup: err = %v, want ErrBadRecord", err)
	}
	for _, name := range []string{"garbage.json", "5-0.json", "6-1.json"} {
		if _, err := os.Stat(filepath.Join(s.Dir, "unreadable", name)); err != nil {
			t.Errorf("%s not moved aside: %v", name, err)
		}
	}
	if _, err := s.CleanupLeftovers(time.Second); err != nil {
		t.Fatalf("second cleanup reported again: %v", err)
	}
	if got, _ := s.List(); len(got) != 1 {
		t.Fatalf("List = %+v, want the one good entry", got)
	}
}

func TestStateDirRefusesAWorldWritableDirectory(t *testing.T) {
	base := t.TempDir()
	os.Mkdir(base+"/run", 0o700)
	os.Mkdir(base+"/run/dlab", 0o700)
	os.Chmod(base+"/run/dlab", 0o777)
	t.Setenv("XDG_RUNTIME_DIR", base+"/run")
	_, err := registry.StateDir()
	if err == nil || !strings.Contains(err.Error(), "can be written by other users (mode 0777): run chmod 700") {
		t.Fatalf("StateDir() error = %v, want a refusal that says how to fix it", err)
	}
	os.Chmod(base+"/run/dlab", 0o700)
	os.Mkdir(base+"/run/dlab/processes", 0o700)
	os.Chmod(base+"/run/dlab/processes", 0o757)
	if _, err := registry.Default(); err == nil {
		t.Fatal("Default() accepted a registry that other users can write to")
	}
}

func TestKeepClearsTheOwner(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	e := registry.Entry{PID: 7, StartTime: 7, Owner: registry.Self()}
	if err := s.Add(e); err != nil {
		t.Fatal(err)
	}
	if err := s.Keep(7); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Find(7); !got.Owner.IsZero() {
		t.Fatalf("owner after Keep = %+v, want none", got.Owner)
	}
}

func TestOwnerAlive(t *testing.T) {
	t.Parallel()
	if !registry.Self().Alive() {
		t.Fatal("this process is not alive as an owner")
	}
	other := registry.Self()
	other.StartTime++
	if other.Alive() {
		t.Fatal("an owner with another start time counts as alive: a reused PID would keep leftovers running")
	}
	if (registry.Owner{}).Alive() {
		t.Fatal("the zero owner counts as alive")
	}
}

func TestStateDirFollowsXDG(t *testing.T) {
	base := t.TempDir()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"runtime dir first", map[string]string{"XDG_RUNTIME_DIR": base + "/run", "XDG_STATE_HOME": base + "/state", "HOME": base + "/home"}, base + "/run/dlab"},
		{"state home next", map[string]string{"XDG_RUNTIME_DIR": "", "XDG_STATE_HOME": base + "/state", "HOME": base + "/home"}, base + "/state/dlab"},
		{"home last", map[string]string{"XDG_RUNTIME_DIR": "", "XDG_STATE_HOME": "", "HOME": base + "/home"}, base + "/home/.local/state/dlab"},
		{"tmp without home", map[string]string{"XDG_RUNTIME_DIR": "", "XDG_STATE_HOME": "", "HOME": "", "TMPDIR": base + "/tmp"}, base + "/tmp/dlab-" + strconv.Itoa(os.Geteuid())},
	}
	os.Mkdir(base+"/tmp", 0o700)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			got, err := registry.StateDir()
			if err != nil || got != tt.want {
				t.Fatalf("StateDir() = %q, %v; want %q", got, err, tt.want)
			}
			fi, err := os.Stat(got)
			if err != nil || fi.Mode().Perm() != 0o700 {
				t.Fatalf("state dir mode = %v, %v; want 0700", fi.Mode(), err)
			}
		})
	}
}

func TestStateDirRefusesASymlink(t *testing.T) {
	base := t.TempDir()
	os.Mkdir(base+"/elsewhere", 0o700)
	os.Mkdir(base+"/run", 0o700)
	os.Symlink(base+"/elsewhere", base+"/run/dlab")
	t.Setenv("XDG_RUNTIME_DIR", base+"/run")
	if _, err := registry.StateDir(); err == nil {
		t.Fatal("StateDir accepted a symlink planted where its directory should be")
	}
}

func TestStopEndsOnSIGTERM(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	sl := startSleeper(t)
	pidFile := filepath.Join(t.TempDir(), "x.pid")
	os.WriteFile(pidFile, []byte(strconv.Itoa(sl.pid())+"\n"), 0o644)
	e := entryFor(t, sl.pid(), "test")
	e.PIDFile = pidFile
	if err := s.Add(e); err != nil {
		t.Fatal(err)
	}
	ended, err := s.Stop(sl.pid(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if ended.How != "ended on SIGTERM" || !ended.Signalled {
		t.Fatalf("Stop: %+v", ended)
	}
	<-sl.done
	if ws := sl.cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("sleeper ended with %v, want killed by SIGTERM", sl.cmd.ProcessState)
	}
	if _, err := s.Find(sl.pid()); !errors.Is(err, registry.ErrNotStarted) {
		t.Fatalf("entry still there after Stop: %v", err)
	}
	if _, err := os.Stat(pidFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the stale PID file is still there: %v", err)
	}
}

func TestStopKillsWhatIgnoresSIGTERM(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	sl := startSleeper(t, "ignore-term")
	s.Add(entryFor(t, sl.pid(), "test"))
	ended, err := s.Stop(sl.pid(), 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	<-sl.done
	if ws := sl.cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("sleeper ended with %v (%+v), want killed by SIGKILL", sl.cmd.ProcessState, ended)
	}
}

func TestStopWakesAStoppedProcess(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	sl := startSleeper(t)
	s.Add(entryFor(t, sl.pid(), "test"))
	syscall.Kill(sl.pid(), syscall.SIGSTOP)
	poll.Until(t, 5*time.Second, "the sleeper is stopped", func() bool {
		st, err := proc.Live().Stat(sl.pid())
		return err == nil && st.State == 'T'
	})
	if _, err := s.Stop(sl.pid(), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	<-sl.done
	if ws := sl.cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signal() != syscall.SIGTERM {
		t.Fatalf("stopped sleeper ended with %v, want SIGTERM", sl.cmd.ProcessState)
	}
}

func TestStopRefusesAReusedPID(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	sl := startSleeper(t)
	e := entryFor(t, sl.pid(), "test")
	e.StartTime-- // as if the recorded process had ended and its PID been reused
	s.Add(e)
	_, err := s.Stop(sl.pid(), time.Second)
	if !errors.Is(err, registry.ErrReused) {
		t.Fatalf("Stop error = %v, want ErrReused", err)
	}
	if st, err := proc.Live().Stat(sl.pid()); err != nil || st.State == 'Z' {
		t.Fatal("Stop signalled a process with another start time")
	}
	if _, err := s.Find(sl.pid()); !errors.Is(err, registry.ErrNotStarted) {
		t.Fatal("the entry of the reused PID is still there")
	}
}

func TestStopRefusesWhatDlabDidNotStart(t *testing.T) {
	t.Parallel()
	_, err := newStore(t).Stop(1, time.Second)
	if !errors.Is(err, registry.ErrNotStarted) {
		t.Fatalf("Stop(1) error = %v, want ErrNotStarted", err)
	}
}

func TestStopOfAnEndedProcess(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	sl := startSleeper(t)
	s.Add(entryFor(t, sl.pid(), "test"))
	sl.cmd.Process.Kill()
	<-sl.done
	_, err := s.Stop(sl.pid(), time.Second)
	if !errors.Is(err, proc.ErrGone) {
		t.Fatalf("Stop error = %v, want proc.ErrGone", err)
	}
}

func TestCleanupLeftoversSparesKeptAndOwnedProcesses(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	leftover, kept, owned := startSleeper(t), startSleeper(t), startSleeper(t)

	e := entryFor(t, leftover.pid(), "leftover")
	e.Owner.StartTime++ // its dlab is gone
	s.Add(e)
	e = entryFor(t, kept.pid(), "kept")
	e.Owner = registry.Owner{}
	s.Add(e)
	s.Add(entryFor(t, owned.pid(), "owned")) // owned by this live test process

	ended, err := s.CleanupLeftovers(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(ended) != 1 || ended[0].Entry.PID != leftover.pid() {
		t.Fatalf("CleanupLeftovers ended %+v, want only the leftover", ended)
	}
	<-leftover.done
	for _, sl := range []sleeper{kept, owned} {
		if st, err := proc.Live().Stat(sl.pid()); err != nil || st.State == 'Z' {
			t.Fatalf("CleanupLeftovers ended process %d, which is not a leftover", sl.pid())
		}
	}

	ended, err = s.Cleanup(5 * time.Second)
	if err != nil || len(ended) != 2 {
		t.Fatalf("Cleanup = %+v, %v; want the two others ended", ended, err)
	}
	<-kept.done
	<-owned.done
	if got, _ := s.List(); len(got) != 0 {
		t.Fatalf("entries left after Cleanup: %+v", got)
	}
}

func TestCleanupForgetsEndedProcessesAndIdleRunDirs(t *testing.T) {
	t.Parallel()
	state := t.TempDir()
	s := registry.Store{Dir: filepath.Join(state, "processes")}
	s.Add(registry.Entry{PID: 999999, StartTime: 1, Kind: "gone"}) // no such PID
	idle := filepath.Join(state, "runs", "999999-1", "sysv-daemon-1")
	mine := filepath.Join(state, "runs", registry.RunID(), "sysv-daemon-1")
	for _, d := range []string{idle, mine} {
		os.MkdirAll(d, 0o700)
	}
	ended, err := s.Cleanup(time.Second)
	if err != nil || len(ended) != 1 || ended[0].Signalled {
		t.Fatalf("Cleanup = %+v, %v; want the gone entry forgotten without a signal", ended, err)
	}
	if _, err := os.Stat(filepath.Dir(idle)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the run directory of a finished run is still there")
	}
	if _, err := os.Stat(mine); err != nil {
		t.Fatal("Cleanup removed the run directory of a run still going on")
	}
}

// A process is recorded from its parent right after Start, with the start
// time /proc gives, and forgotten exactly (PID and start time) once waited for.
func TestStartedRecordsAndForgetForgets(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	sl := startSleeper(t)
	e, err := s.Started(sl.pid(), registry.Entry{Kind: "test", Owner: registry.Self()})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := proc.Live().Stat(sl.pid())
	if e.PID != sl.pid() || e.StartTime != st.StartTime || e.Run != registry.Self().RunID() {
		t.Fatalf("Started = %+v; want PID %d, start %d, the owner's run", e, sl.pid(), st.StartTime)
	}
	if got, err := s.Find(sl.pid()); err != nil || got.Kind != "test" {
		t.Fatalf("Find after Started = %+v, %v", got, err)
	}
	other := e
	other.StartTime++
	if err := s.Forget(other); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Find(sl.pid()); err != nil {
		t.Fatal("Forget of another start time removed the record")
	}
	if err := s.Forget(e); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Find(sl.pid()); !errors.Is(err, registry.ErrNotStarted) {
		t.Fatalf("after Forget: %v, want ErrNotStarted", err)
	}
	if _, err := s.Started(4194304, registry.Entry{}); err == nil {
		t.Fatal("Started recorded a process that does not exist")
	}
}

func TestForgetEndedKeepsWhatStillRuns(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	running, ended := startSleeper(t), startSleeper(t)
	owner := registry.Owner{PID: 999999, StartTime: 1} // a killed harness
	other := registry.Owner{PID: 999998, StartTime: 1}
	for _, c := range []struct {
		sl    sleeper
		owner registry.Owner
	}{{running, owner}, {ended, owner}, {ended, other}} {
		e := entryFor(t, c.sl.pid(), "check-program")
		e.Owner = c.owner
		if c.owner == other {
			e.PID, e.StartTime = 999997, 1 // ended too, but someone else's
		}
		if err := s.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	ended.cmd.Process.Kill()
	<-ended.done
	if err := s.ForgetEnded(owner); err != nil {
		t.Fatal(err)
	}
	got, _ := s.List()
	var pids []int
	for _, e := range got {
		pids = append(pids, e.PID)
	}
	if len(got) != 2 || got[0].PID != running.pid() || got[1].PID != 999997 {
		t.Fatalf("after ForgetEnded the registry holds %v, want the running process %d and the other owner's 999997", pids, running.pid())
	}
}
