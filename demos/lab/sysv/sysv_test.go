package sysv_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/lab/sysv"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
)

// TestDaemonFollowsDaemon7 checks, on the live daemon, the result of each
// step of daemon(7).
func TestDaemonFollowsDaemon7(t *testing.T) {
	t.Parallel()
	// An fd opened without O_CLOEXEC is inherited by every child: step 1
	// must close it.
	leakPath := filepath.Join(t.TempDir(), "leaked-fd")
	leaked, err := syscall.Open(leakPath, syscall.O_CREAT|syscall.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.Store{Dir: filepath.Join(t.TempDir(), "processes")}
	d := startDaemon(t, sysv.Options{Registry: &reg})
	syscall.Close(leaked)

	fs := proc.Live()
	st, err := fs.Stat(d.PID)
	if err != nil {
		t.Fatal(err)
	}
	status, err := fs.Status(d.PID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Stages) != 4 {
		t.Fatalf("stages = %+v, want launcher, first child, daemon twice", d.Stages)
	}
	launcher, first, forked, adopted := d.Stages[0], d.Stages[1], d.Stages[2], d.Stages[3]

	t.Run("step 5 and 6: the first child leads a new session with no terminal", func(t *testing.T) {
		if first.PPID != launcher.PID || !first.SessionLeader() || first.PGID != first.PID || first.TTY != "?" {
			t.Errorf("first child: %+v (launcher %d)", first, launcher.PID)
		}
	})
	t.Run("step 7: the daemon is in that session but does not lead it", func(t *testing.T) {
		if forked.PPID != first.PID || forked.PID != d.PID {
			t.Errorf("after the second fork: %+v, want parent %d", forked, first.PID)
		}
		if st.SID != first.PID || st.PGID != first.PID || st.IsSessionLeader() || st.IsGroupLeader() {
			t.Errorf("live daemon: sid %d pgid %d pid %d, want sid = pgid = %d (the first child's)", st.SID, st.PGID, st.PID, first.PID)
		}
	})
	t.Run("no controlling terminal", func(t *testing.T) {
		if st.TTY != 0 || st.TPGID != -1 {
			t.Errorf("tty_nr %d tpgid %d, want 0 and -1", st.TTY, st.TPGID)
		}
	})
	t.Run("step 8: reparented to the reaper", func(t *testing.T) {
		if st.PPID != d.Reaper.PID || adopted.PPID != d.Reaper.PID {
			t.Errorf("parent %d (adopted stage %d), want the reaper %+v", st.PPID, adopted.PPID, d.Reaper)
		}
		if d.Reaper.Init != (d.Reaper.PID == 1) {
			t.Errorf("reaper %+v: Init must mean PID 1", d.Reaper)
		}
		if !d.Reaper.Init && !isAncestor(d.Reaper.PID) {
			t.Errorf("reaper %+v is neither PID 1 nor an ancestor of the launcher", d.Reaper)
		}
		if !strings.Contains(d.Reaper.String(), d.Reaper.Comm) {
			t.Errorf("reaper description %q does not name it", d.Reaper)
		}
	})
	t.Run("step 1: no inherited fds", func(t *testing.T) {
		fds, err := fs.FDs(d.PID)
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range fds {
			if strings.HasPrefix(fd.Target, "/sys/fs/cgroup") {
				t.Errorf("fd %d is the Go runtime's cgroup file %s", fd.Num, fd.Target)
			}
			if fd.Target == leakPath {
				t.Errorf("fd %d is still the leaked file %s", fd.Num, leakPath)
			}
			if strings.HasPrefix(fd.Target, "pipe:") {
				t.Errorf("fd %d is still a pipe (%s): the readiness pipe should be closed once ready", fd.Num, fd.Target)
			}
		}
	})
	t.Run("steps 2 and 3: no ignored or blocked signal, HUP and TERM caught", func(t *testing.T) {
		// Status's SigBlk is one thread's mask; the Go runtime keeps one
		// thread with most signals blocked, and that may be the main one.
		blocked, err := fs.BlockedByEveryThread(d.PID)
		if err != nil {
			t.Fatal(err)
		}
		if status.SigIgn != 0 || blocked != 0 {
			t.Errorf("SigIgn %v, blocked by every thread %v; want none", status.SigIgn, blocked)
		}
		if status.DispositionOf(syscall.SIGHUP) != proc.Caught || status.DispositionOf(syscall.SIGTERM) != proc.Caught {
			t.Error("SIGHUP and SIGTERM should be caught (reload, shut down)")
		}
		if status.DispositionOf(syscall.SIGINT) != proc.Default || status.DispositionOf(syscall.SIGQUIT) != proc.Default {
			t.Error("SIGINT and SIGQUIT should have their default action")
		}
	})
	t.Run("step 4: sanitized environment, leak marker kept", func(t *testing.T) {
		env, err := proc.Live().ReadFile(d.PID, "environ")
		if err != nil {
			t.Fatal(err)
		}
		vars := strings.Split(strings.TrimRight(string(env), "\x00"), "\x00")
		for _, kv := range vars {
			k, _, _ := strings.Cut(kv, "=")
			if k != "PATH" && k != "LANG" && k != "TZ" && k != "GORACE" && k != "GODEBUG" && !strings.HasPrefix(k, "LC_") && !strings.HasPrefix(k, "DLAB_") {
				t.Errorf("environment keeps %s", k)
			}
		}
		if !bytes.Contains(env, []byte("DLAB_LEAKCHECK=")) {
			t.Error("the leak-check marker was dropped")
		}
	})
	t.Run("step 9: stdio on /dev/null", func(t *testing.T) {
		for fd := 0; fd <= 2; fd++ {
			if target, _ := fs.Link(d.PID, "fd/"+strconv.Itoa(fd)); target != "/dev/null" {
				t.Errorf("fd %d -> %q, want /dev/null", fd, target)
			}
		}
	})
	t.Run("step 10: umask", func(t *testing.T) {
		if status.Umask != sysv.Umask || d.Umask != sysv.Umask {
			t.Errorf("umask %04o, want %04o", status.Umask, sysv.Umask)
		}
	})
	t.Run("step 11: cwd is /", func(t *testing.T) {
		if cwd, _ := fs.Link(d.PID, "cwd"); cwd != "/" {
			t.Errorf("cwd %q", cwd)
		}
	})
	t.Run("step 12: PID file", func(t *testing.T) {
		b, err := os.ReadFile(d.PIDFile)
		if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(d.PID) {
			t.Errorf("PID file %s holds %q, %v; want %d", d.PIDFile, b, err, d.PID)
		}
	})
	t.Run("step 13: unprivileged", func(t *testing.T) {
		if os.Geteuid() == 0 {
			nobody, err := user.Lookup("nobody")
			if err != nil {
				t.Skip("no user nobody on this machine")
			}
			if strconv.Itoa(status.UID[0]) != nobody.Uid || strconv.Itoa(status.UID[1]) != nobody.Uid || d.User != "nobody" || d.DroppedFrom != "root" {
				t.Errorf("started by root, the daemon runs as uid %v (%s), want nobody (%s)", status.UID, d.User, nobody.Uid)
			}
			if status.CapEff != 0 {
				t.Errorf("capabilities %x left after dropping root", status.CapEff)
			}
		} else if status.UID[0] != os.Getuid() || d.DroppedFrom != "" {
			t.Errorf("started by uid %d, the daemon runs as %v", os.Getuid(), status.UID)
		}
	})
	t.Run("step 14: the log says ready", func(t *testing.T) {
		if err := d.WaitLog(deadline(t), sysv.LogReady+strconv.Itoa(d.PID)); err != nil {
			t.Error(err)
		}
	})
	t.Run("recorded in the registry, owned by this process", func(t *testing.T) {
		e, err := reg.Find(d.PID)
		if err != nil || e.StartTime != d.StartTime || e.Kind != "sysv-daemon" || e.Owner != registry.Self() {
			t.Errorf("registry entry %+v, %v", e, err)
		}
	})
}

// isAncestor reports whether pid is an ancestor of this process.
func isAncestor(pid int) bool {
	for p := os.Getpid(); p > 1; {
		st, err := proc.Live().Stat(p)
		if err != nil {
			return false
		}
		if st.PPID == pid {
			return true
		}
		p = st.PPID
	}
	return false
}

func TestSIGHUPReloadsTheConfiguration(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, sysv.Options{Listen: true})
	if got := greet(t, d.Addr); got != "hello from a SysV daemon" {
		t.Fatalf("greeting %q", got)
	}
	if err := os.WriteFile(d.ConfigFile, []byte("greeting = reloaded!\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if err := d.WaitLog(deadline(t), sysv.LogReloaded); err != nil {
		t.Fatal(err)
	}
	if got := greet(t, d.Addr); got != "reloaded!" {
		t.Fatalf("after SIGHUP the greeting is %q", got)
	}
	if st, err := proc.Live().Stat(d.PID); err != nil || st.State == 'Z' {
		t.Fatal("the daemon did not survive SIGHUP")
	}
}

func greet(t *testing.T, addr string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(line)
}

func TestSIGTERMShutsDownCleanly(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, sysv.Options{})
	if err := d.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exit, err := d.ExitStatus(deadline(t))
	if err != nil {
		t.Fatal(err)
	}
	if exit.Known && exit.String() != "exited with status 0" {
		t.Errorf("ended: %s, want exited with status 0", exit)
	}
	checkCleanExit(t, d, sysv.LogShutdown)
}

// checkCleanExit checks that the daemon logged its reason to exit and
// removed its PID file.
func checkCleanExit(t *testing.T, d *sysv.Daemon, said string) {
	t.Helper()
	if log, _ := d.Log(); !strings.Contains(log, said) {
		t.Errorf("the log does not say %q:\n%s", said, log)
	}
	if _, err := os.Stat(d.PIDFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("PID file still there after a clean exit: %v", err)
	}
}

func TestSIGINTKillsTheDaemon(t *testing.T) {
	t.Parallel()
	// A daemon never gets SIGINT from a terminal; sent by hand, it
	// terminates one that neither catches nor ignores it.
	d := startDaemon(t, sysv.Options{})
	if err := d.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	exit, err := d.ExitStatus(deadline(t))
	if err != nil {
		t.Fatal(err)
	}
	if exit.Known && exit.Signal() != syscall.SIGINT {
		t.Errorf("ended: %s, want killed by SIGINT", exit)
	}
}

func TestLifetimeEndsTheDaemon(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, sysv.Options{Lifetime: 30 * time.Millisecond})
	if err := d.WaitExit(deadline(t)); err != nil {
		t.Fatal(err)
	}
	checkCleanExit(t, d, "lifetime over")
}

func TestSecondDaemonInTheSameDirectoryIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := startDaemon(t, sysv.Options{Dir: dir})
	_, err := sysv.Start(deadline(t), sysv.Options{Dir: dir, Registry: &registry.Store{Dir: t.TempDir()}, Lifetime: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "another demo daemon runs") || !strings.Contains(err.Error(), strconv.Itoa(first.PID)) {
		t.Fatalf("second start: %v", err)
	}
	if b, _ := os.ReadFile(first.PIDFile); strings.TrimSpace(string(b)) != strconv.Itoa(first.PID) {
		t.Fatalf("the refused daemon changed the PID file to %q", b)
	}
}

func TestStartFailureSaysWhichStep(t *testing.T) {
	t.Parallel()
	notADir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notADir, nil, 0o600)
	_, err := sysv.Start(deadline(t), sysv.Options{Dir: notADir, Registry: &registry.Store{Dir: t.TempDir()}})
	if err == nil || !strings.HasPrefix(err.Error(), "the demo daemon did not start") && !strings.Contains(err.Error(), "configuration") {
		t.Fatalf("start in a file: %v", err)
	}
}

func TestInheritedIgnoredAndBlockedSignalsAreReset(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, role, what string }{
		{"SIGHUP and SIGINT ignored", "sysv-test-launcher", "ignore"},
		{"SIGUSR1 blocked", "sysv-test-blocked", "plain"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := registry.Store{Dir: filepath.Join(t.TempDir(), "processes")}
			d := launchVia(t, tt.role, t.TempDir(), reg, tt.what)
			// Status's SigBlk is one thread's mask: the Go runtime blocks
			// every signal on a thread for an instant around clone, and
			// keeps one thread with most signals blocked, which may be the
			// main one. What a signal meets is every thread's mask.
			status, err := proc.Live().Status(d.PID)
			if err != nil {
				t.Fatal(err)
			}
			blocked, err := proc.Live().BlockedByEveryThread(d.PID)
			if err != nil {
				t.Fatal(err)
			}
			if status.SigIgn != 0 || blocked != 0 {
				t.Errorf("daemon SigIgn %v, blocked by every thread %v; want none", status.SigIgn, blocked)
			}
		})
	}
}

// launchVia runs a test launcher role and returns the daemon it printed,
// stopped when the test ends.
func launchVia(t *testing.T, role, dir string, reg registry.Store, what string) *sysv.Daemon {
	t.Helper()
	cmd, err := reexec.Command(role, dir, reg.Dir, what)
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", role, err, stderr.String())
	}
	var d sysv.Daemon
	if err := json.NewDecoder(bytes.NewReader(out)).Decode(&d); err != nil {
		t.Fatalf("%s printed %q: %v", role, out, err)
	}
	t.Cleanup(func() { reg.Stop(d.PID, 5*time.Second) })
	return &d
}

func TestSubreaperAdoptsTheDaemon(t *testing.T) {
	t.Parallel()
	// The subreaper is a child process of the test, not the test process:
	// the attribute is per process, and the test process must not adopt the
	// daemons of other tests running in parallel.
	reg := registry.Store{Dir: filepath.Join(t.TempDir(), "processes")}
	cmd, err := reexec.Command("sysv-test-launcher", t.TempDir(), reg.Dir, "subreaper")
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	var d sysv.Daemon
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("launcher printed %q: %v", out, err)
	}
	launcherPID := d.Stages[0].PID
	if d.Reaper.PID != launcherPID || d.Reaper.Init {
		t.Errorf("reaper %+v, want the subreaper launcher %d", d.Reaper, launcherPID)
	}
	if !strings.Contains(d.Reaper.String(), "subreaper") {
		t.Errorf("reaper described as %q", d.Reaper)
	}
	if !strings.Contains(string(out), "reaped: exit status 0") {
		t.Errorf("the subreaper did not reap a cleanly exited daemon: %s", out)
	}
}

func TestLeftoverOfAKilledLauncherIsCleanedUp(t *testing.T) {
	t.Parallel()
	reg := registry.Store{Dir: filepath.Join(t.TempDir(), "processes")}
	cmd, err := reexec.Command("sysv-test-launcher", t.TempDir(), reg.Dir, "hang")
	if err != nil {
		t.Fatal(err)
	}
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var d sysv.Daemon
	if err := json.NewDecoder(stdout).Decode(&d); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal(err)
	}
	// dlab killed with SIGKILL: it could not stop its daemon.
	cmd.Process.Kill()
	cmd.Wait()
	if st, err := proc.Live().Stat(d.PID); err != nil || st.State == 'Z' {
		t.Fatal("the daemon died with its launcher: it is not detached")
	}
	ended, err := reg.CleanupLeftovers(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(ended) != 1 || ended[0].Entry.PID != d.PID || ended[0].How != "ended on SIGTERM" {
		t.Fatalf("CleanupLeftovers: %+v", ended)
	}
	if err := d.WaitExit(deadline(t)); err != nil {
		t.Fatal(err)
	}
}

func TestKeptDaemonIsNotALeftover(t *testing.T) {
	t.Parallel()
	reg := registry.Store{Dir: filepath.Join(t.TempDir(), "processes")}
	d := startDaemon(t, sysv.Options{Registry: &reg, Keep: true})
	e, err := reg.Find(d.PID)
	if err != nil || !e.Owner.IsZero() {
		t.Fatalf("entry %+v, %v; want no owner", e, err)
	}
	if ended, _ := reg.CleanupLeftovers(time.Second); len(ended) != 0 {
		t.Fatalf("CleanupLeftovers ended a daemon kept on purpose: %+v", ended)
	}
}

func TestStartHonoursCancellation(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	reg := registry.Store{Dir: filepath.Join(t.TempDir(), "processes")}
	_, err := sysv.Start(ctx, sysv.Options{Dir: t.TempDir(), Registry: &reg})
	if err == nil {
		t.Fatal("Start with a cancelled context succeeded")
	}
	// Whatever got started has been ended (the leak check confirms).
	if entries, _ := reg.List(); len(entries) != 0 {
		reg.Cleanup(time.Second)
	}
}
