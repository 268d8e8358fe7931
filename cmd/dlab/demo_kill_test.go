package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/lifeline"
	"dlab/demos/launch/pidfd"
	"dlab/demos/testkit/leakcheck"
)

// The kill-at-every-moment test: dlab is killed with SIGKILL, which it
// can't catch, at a spread of moments of a lesson, a comparison and a
// check. Every process it started must then end: by its lifeline alone
// (the hidden roles), or through `dlab demo cleanup`, which must know
// whatever is left. Each run carries a marker of its own in the
// environment, which every process it starts inherits, so the test finds
// exactly what that run started.

// sampleDaemon is a SysV daemon in sh for `dlab check` (as check.txtar's good.sh).
const sampleDaemon = `#!/bin/sh
pidfile=$(realpath "$1")
export pidfile
setsid sh -c '
  (
    exec </dev/null >/dev/null 2>&1
    umask 022
    cd /
    sh -c "echo \$PPID" >"$pidfile"
    trap "" HUP
    trap "rm -f \"\$pidfile\"; kill \$child; exit 0" TERM
    sleep 1000000 & child=$!
    while kill -0 $child 2>/dev/null; do wait $child; done
  ) &
' &
`

func TestKillAtEveryMoment(t *testing.T) {
	if testing.Short() {
		t.Skip("starts dozens of demo processes")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// testscript.Main runs dlab when the binary is called "dlab".
	dlab := filepath.Join(bin, "dlab")
	if err := os.Symlink(self, dlab); err != nil {
		t.Fatal(err)
	}
	sample := filepath.Join(dir, "good.sh")
	if err := os.WriteFile(sample, []byte(sampleDaemon), 0o755); err != nil {
		t.Fatal(err)
	}

	// The moments: a few times after the start (from before the first demo
	// process exists), and the moment each kind of demo process appears.
	// Sampled, to keep the test under a minute on two busy cores.
	at := func(ms int) moment { return moment{after: time.Duration(ms) * time.Millisecond} }
	when := func(role string) moment { return moment{when: "__" + role} }
	scenarios := []struct {
		name    string
		args    []string
		moments []moment
	}{
		{"lesson signals", []string{"lesson", "signals", "--no-pager"}, []moment{
			at(30), at(400), when("sysv-stage1"), when("sysv-daemon"), when("normal-program"),
			when("terminal"), when("--norc"), when("spectrum-program"),
		}},
		{"demo compare", []string{"demo", "compare"}, []moment{at(80), when("sysv-daemon"), when("normal-program")}},
		{"check", []string{"check", "--", sample, filepath.Join(dir, "good.pid")}, []moment{at(40), when("grade-harness"), when("grade-exec"), at(700)}},
	}
	var kills, byLifeline, afterCleanup int
	for _, sc := range scenarios {
		for _, m := range sc.moments {
			killed, left, leaked := killAt(t, dlab, dir, sc.args, m)
			if killed {
				kills++
			}
			byLifeline += left
			afterCleanup += leaked
			if leaked > 0 {
				t.Errorf("%s killed %s: %d process(es) still running after dlab demo cleanup", sc.name, m, leaked)
			}
		}
	}
	t.Logf("kills tried: %d; processes left once the lifelines had acted: %d; leaks after dlab demo cleanup: %d", kills, byLifeline, afterCleanup)
}

// moment is when to kill dlab: after a time, or as soon as a process it
// started runs with when in its command line.
type moment struct {
	after time.Duration
	when  string
}

func (m moment) String() string {
	if m.when != "" {
		return "once " + m.when + " ran"
	}
	return "after " + m.after.String()
}

// killAt runs dlab with args, kills it with SIGKILL at moment m (killed is
// false when dlab had ended before), and returns how many of the processes
// it started were still running once their lifelines had had time to act
// (left), and how many survived a `dlab demo cleanup` after that (leaked,
// which it then kills).
func killAt(t *testing.T, dlab, dir string, args []string, m moment) (killed bool, left, leaked int) {
	t.Helper()
	marker := fmt.Sprintf("killtest-%d-%d", os.Getpid(), time.Now().UnixNano())
	env := append(without(os.Environ(), leakcheck.Env, lifeline.Env),
		"XDG_RUNTIME_DIR="+filepath.Join(dir, "run"), "XDG_STATE_HOME="+filepath.Join(dir, "state"),
		leakcheck.Env+"="+marker)
	os.MkdirAll(filepath.Join(dir, "run"), 0o700)

	cmd := exec.Command(dlab, args...)
	cmd.Dir, cmd.Env = dir, env
	// Its own session, as from a terminal of its own: a check's student
	// program can't reach the test's.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done: // finished before the moment: nothing to kill
	case <-reached(m, marker, done):
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		killed = true
	}

	// The lifelines: every hidden role sends itself SIGTERM as soon as its
	// pidfd on dlab turns readable, and SIGKILL after lifeline.Grace.
	for _, pid := range waitUnmarked(marker, lifeline.Grace+5*time.Second) {
		if cmdline, err := proc.Live().Cmdline(pid); err == nil && len(cmdline) > 1 && strings.HasPrefix(cmdline[1], "__") {
			t.Errorf("dlab %s killed %s: its hidden role %q outlived it (no lifeline?)", strings.Join(args, " "), m, strings.Join(cmdline, " "))
		}
		left++
	}

	clean := exec.Command(dlab, "demo", "cleanup")
	clean.Dir = dir
	clean.Env = without(env, leakcheck.Env)
	if b, err := clean.CombinedOutput(); err != nil {
		t.Errorf("dlab demo cleanup, dlab %s killed %s: %v: %s", strings.Join(args, " "), m, err, b)
	}
	rest := waitUnmarked(marker, 3*time.Second)
	for _, pid := range rest {
		if st, err := proc.Live().Stat(pid); err == nil {
			cmdline, _ := proc.Live().Cmdline(pid)
			t.Logf("left running: PID %d (%s) %q", pid, st.Comm, strings.Join(cmdline, " "))
		}
		syscall.Kill(pid, syscall.SIGKILL)
	}
	return killed, left, len(rest)
}

// reached is closed at moment m. A new process gives no event anyone can
// wait on, so for "when" it looks in /proc every few milliseconds, until
// dlab has ended (done) or a deadline.
func reached(m moment, marker string, done <-chan struct{}) <-chan struct{} {
	ch := make(chan struct{})
	if m.when == "" {
		time.AfterFunc(m.after, func() { close(ch) })
		return ch
	}
	go func() {
		deadline := time.After(60 * time.Second)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, pid := range leakcheck.Marked(marker) {
				if cmdline, err := proc.Live().Cmdline(pid); err == nil && strings.Contains(strings.Join(cmdline, " "), m.when) {
					close(ch)
					return
				}
			}
			select {
			case <-done:
				return
			case <-deadline:
				return
			case <-tick.C:
			}
		}
	}()
	return ch
}

// waitUnmarked waits, with a deadline, until no live process carries
// marker, holding each by a pidfd so the wait is for its exit, not a
// guess; it returns the ones still alive at the deadline.
func waitUnmarked(marker string, timeout time.Duration) []int {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		pids := leakcheck.Marked(marker)
		if len(pids) == 0 {
			return nil
		}
		for _, pid := range pids {
			p, err := pidfd.Open(pid, 0)
			if err != nil {
				continue
			}
			err = p.Wait(ctx)
			p.Close()
			if err != nil {
				return leakcheck.Marked(marker)
			}
		}
	}
}

func without(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, n := range names {
			if k == n {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}
