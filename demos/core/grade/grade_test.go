package grade

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dlab/demos/core/grade/reaper"
	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"
	"dlab/demos/testkit/leakcheck"
	"dlab/demos/testkit/poll"

	"golang.org/x/sys/unix"
)

// samplesDir holds the Go samples built for this run of the test binary;
// TestMain removes it, so no run leaves megabytes in /tmp.
var samplesDir string

func TestMain(m *testing.M) {
	reexec.Dispatch()
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "dlab-grade-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	samplesDir = filepath.Join(dir, "samples")
	// The harness records the program's processes in dlab's registry:
	// the tests' own, in this temporary directory, not the user's.
	os.Setenv("XDG_RUNTIME_DIR", filepath.Join(dir, "runtime"))
	os.Unsetenv("XDG_STATE_HOME")
	os.Mkdir(filepath.Join(dir, "runtime"), 0o700)
	return leakcheck.Main(m)
}

// lookDaemon finds a program that Debian installs in /usr/sbin or /sbin,
// which are off an ordinary user's $PATH.
func lookDaemon(t *testing.T, name, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p
		}
	}
	t.Skipf("%s is not installed (Debian package %s)", name, pkg)
	return ""
}

// sample is the absolute path of a sample student program in testdata.
func sample(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// grade runs the grader and logs what a student would see.
func grade(t *testing.T, opts Options) Result {
	t.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r, err := Run(ctx, opts)
	if err != nil {
		t.Fatalf("Run(%v): %v", opts.Command, err)
	}
	var b bytes.Buffer
	Text(&b, r, TextOptions{Width: 100})
	t.Logf("\n%s", b.String())
	return r
}

// expect checks the verdict and the status of the named items.
func expect(t *testing.T, r Result, passed bool, statuses map[string]Status) {
	t.Helper()
	if r.Passed != passed {
		t.Errorf("passed = %v, want %v (%s)", r.Passed, passed, r.Summary)
	}
	for id, want := range statuses {
		it, ok := r.Item(id)
		if !ok {
			t.Errorf("no item %q", id)
			continue
		}
		if it.Status != want {
			t.Errorf("item %s = %s, want %s (seen: %s)", id, it.Status, want, it.Observed)
		}
	}
}

// allPass is the status of every SysV item for a daemon that does every step.
var allPass = map[string]Status{
	"returns": Pass, "exit-status": Pass, "survivor": Pass, "no-ctty": Pass, "new-session": Pass,
	"not-session-leader": Pass, "stdio": Pass, "other-fds": Pass, "cwd": Pass, "umask": Pass,
	"pidfile": Pass, "hangup": Pass, "sighup": Pass, "sigterm": Pass, "pidfile-removed": Pass, "leftovers": Pass,
}

func with(base map[string]Status, changes map[string]Status) map[string]Status {
	out := map[string]Status{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}

// TestGradesSampleStudentDaemons runs every sample script as a student would
// hand it in, and checks the grade item by item.
func TestGradesSampleStudentDaemons(t *testing.T) {
	tests := []struct {
		name   string
		script string
		passed bool
		items  map[string]Status
	}{
		{"a correct SysV daemon passes every step", "sysv-correct.sh", true, allPass},
		{"without setsid it keeps the terminal and the session", "sysv-no-setsid.sh", false, with(allPass, map[string]Status{
			"no-ctty": Fail, "new-session": Fail, "not-session-leader": Skip,
		})},
		{"a single fork passes with a warning: it leads its session", "sysv-one-fork.sh", true, with(allPass, map[string]Status{
			"not-session-leader": Warn,
		})},
		{"keeping the terminal's fds fails", "sysv-keeps-terminal.sh", false, with(allPass, map[string]Status{
			"stdio": Fail,
		})},
		{"ignoring SIGTERM fails and it is killed", "sysv-ignores-term.sh", false, with(allPass, map[string]Status{
			"sigterm": Fail, "pidfile-removed": Skip, "leftovers": Warn,
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pf := filepath.Join(t.TempDir(), "daemon.pid")
			r := grade(t, Options{Command: []string{sample(t, tt.script), pf}, Timeout: 2 * time.Second})
			expect(t, r, tt.passed, tt.items)
			if r.Observation.Daemon != nil && r.Observation.Daemon.Facts.PPID != r.Observation.Harness {
				t.Errorf("the daemon's parent is %d, want the harness %d", r.Observation.Daemon.Facts.PPID, r.Observation.Harness)
			}
		})
	}
}

// TestWrongProgramsGetAnAnswer: a program that is not a daemon at all gets a
// failing grade that says why, never a crash or a hang.
func TestWrongProgramsGetAnAnswer(t *testing.T) {
	t.Run("one that never returns times out", func(t *testing.T) {
		t.Parallel()
		start := time.Now()
		// 3s: long enough for bash to start and print on a busy machine.
		r := grade(t, Options{Command: []string{sample(t, "sysv-foreground.sh")}, Timeout: 3 * time.Second})
		expect(t, r, false, map[string]Status{"returns": Fail, "survivor": Skip, "sigterm": Skip})
		it, _ := r.Item("returns")
		// "within 3s", or longer on a busy machine, which it then says.
		within := regexp.MustCompile(`did not return control within (3s|[0-9.]+s \(3s asked for, stretched for a busy machine: [^)]*\)): it is still running in the foreground, like a normal program`)
		if !within.MatchString(it.Observed) {
			t.Errorf("returns says %q", it.Observed)
		}
		if d := time.Since(start); d > 60*time.Second {
			t.Errorf("took %s", d)
		}
		if !strings.Contains(r.Output, "serving in the foreground") {
			t.Errorf("output %q lacks what the program printed", r.Output)
		}
	})
	t.Run("one that exits at once leaves no daemon", func(t *testing.T) {
		t.Parallel()
		r := grade(t, Options{Command: []string{sample(t, "exits-at-once.sh")}})
		expect(t, r, false, map[string]Status{"returns": Pass, "survivor": Fail, "no-ctty": Skip})
	})
	t.Run("one that forks without bound is contained", func(t *testing.T) {
		t.Parallel()
		// The check ends when the bomb reaches 30 processes, however long a
		// busy machine takes to fork them.
		r := grade(t, Options{Command: []string{sample(t, "fork-bomb.sh")}, MaxProcs: 30, Timeout: 60 * time.Second})
		expect(t, r, false, map[string]Status{"bounded": Fail})
		if r.Observation.Ended == 0 {
			t.Error("no process was ended")
		}
	})
	t.Run("a path that does not exist is one clear error", func(t *testing.T) {
		_, err := Run(context.Background(), Options{Command: []string{"/nonexistent/daemon"}})
		if !errors.Is(err, ErrNotRunnable) || err.Error() != "cannot run /nonexistent/daemon: no such file" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("a file that is not executable says chmod", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "d.sh")
		os.WriteFile(p, []byte("#!/bin/sh\n"), 0o644)
		_, err := Run(context.Background(), Options{Command: []string{p}})
		if !errors.Is(err, ErrNotRunnable) || !strings.Contains(err.Error(), "chmod +x") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestProgramInheritsOnlyTheTerminal: the program starts with what a shell
// on a terminal gives it, and nothing of dlab's own; the event pipe from
// dlab's shell to the harness (its fd 3) is close-on-exec there.
func TestProgramInheritsOnlyTheTerminal(t *testing.T) {
	t.Parallel()
	script := `for fd in 3 4 5 6 7 8 9; do [ -e /proc/$$/fd/$fd ] && echo "fd $fd open"; done; echo "fds checked"`
	r := grade(t, Options{Command: []string{"sh", "-c", script}})
	if !strings.Contains(r.Output, "fds checked") || strings.Contains(r.Output, "open") {
		t.Errorf("the program saw %q", r.Output)
	}
}

// TestInterruptEndsEverything: cancelling a check (^C) ends the program and
// its daemon, even one that double-forked away.
func TestInterruptEndsEverything(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pf := filepath.Join(t.TempDir(), "d.pid")
	done := make(chan Observation, 1)
	go func() {
		obs, err := Observe(ctx, Options{Command: []string{sample(t, "sysv-ignores-term.sh"), pf}, Timeout: 30 * time.Second})
		if err != nil {
			t.Error(err)
		}
		done <- obs
	}()
	// Cancel once the daemon has written its PID in its PID file (the
	// shell creates the file before it writes to it): it then runs on its
	// own.
	var pid int
	poll.For(10*time.Second, func() bool {
		n, ok := readPID(pf)
		if ok {
			pid = n
		}
		return ok
	})
	// Let it get as far as SIGTERM, which it ignores: the harness would
	// wait 30s there, but an interrupt must not wait. The script notes
	// the SIGTERM in its log.
	logFile := strings.TrimSuffix(pf, ".pid") + ".log"
	poll.For(10*time.Second, func() bool {
		b, _ := os.ReadFile(logFile)
		return strings.Contains(string(b), "ignoring SIGTERM")
	})
	cancel()
	start := time.Now()
	obs := <-done
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the interrupted check took %s to end", d)
	}
	if !obs.Aborted {
		t.Error("observation not marked aborted")
	}
	if pid == 0 {
		t.Fatal("the daemon never wrote its PID file")
	}
	if err := exec.Command("kill", "-0", fmt.Sprint(pid)).Run(); err == nil {
		t.Errorf("daemon %d still running after the interrupt", pid)
	}
	r := Judge(obs)
	if r.Passed || !strings.HasPrefix(r.Summary, "INTERRUPTED") {
		t.Errorf("summary %q", r.Summary)
	}
	// dlab ended the daemon, so the PID file it left names a dead PID:
	// dlab removes it, and says so.
	if _, err := os.Lstat(pf); err == nil || obs.RemovedPIDFile != pf {
		t.Errorf("PID file %s after the interrupt: %v, removed %q", pf, err, obs.RemovedPIDFile)
	}
}

var (
	buildOnce sync.Once
	built     = map[string]string{}
	buildErr  error
)

// goSample builds a sample Go program from testdata (at test time only;
// dlab itself never compiles anything).
func goSample(t *testing.T, name string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not in $PATH")
	}
	buildOnce.Do(func() {
		dir := samplesDir
		if err := os.MkdirAll(dir, 0o755); err != nil {
			buildErr = err
			return
		}
		for _, n := range []string{"godaemon", "gonewstyle"} {
			out := filepath.Join(dir, n)
			cmd := exec.Command(goTool, "build", "-o", out, "./testdata/"+n)
			if b, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", n, err, b)
				return
			}
			built[n] = out
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built[name]
}

func TestGradesGoSamples(t *testing.T) {
	t.Run("a SysV daemon in Go passes every step", func(t *testing.T) {
		t.Parallel()
		pf := filepath.Join(t.TempDir(), "godaemon.pid")
		r := grade(t, Options{Command: []string{goSample(t, "godaemon"), "-pidfile", pf}})
		expect(t, r, true, allPass)
	})
	t.Run("a new-style daemon in Go passes with --new-style", func(t *testing.T) {
		t.Parallel()
		r := grade(t, Options{Command: []string{goSample(t, "gonewstyle")}, NewStyle: true})
		expect(t, r, true, map[string]Status{"foreground": Pass, "no-fork-away": Pass, "stderr": Pass, "ready": Pass, "sigterm": Pass, "leftovers": Pass})
	})
}

func TestGradesNewStyle(t *testing.T) {
	t.Run("a foreground script passes, warned for READY=1", func(t *testing.T) {
		t.Parallel()
		r := grade(t, Options{Command: []string{sample(t, "newstyle.sh")}, NewStyle: true, Timeout: time.Second})
		expect(t, r, true, map[string]Status{"foreground": Pass, "no-fork-away": Pass, "stderr": Pass, "ready": Warn, "sigterm": Pass})
	})
	t.Run("a SysV daemon forks away from a service manager", func(t *testing.T) {
		t.Parallel()
		pf := filepath.Join(t.TempDir(), "d.pid")
		r := grade(t, Options{Command: []string{sample(t, "sysv-correct.sh"), pf}, NewStyle: true, Timeout: time.Second})
		expect(t, r, false, map[string]Status{"foreground": Fail, "no-fork-away": Fail, "sigterm": Skip})
	})
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestRealDaemonsPassWithWarnings: well-known daemons pass; where they skip
// a recommended step, they get a warning.
func TestRealDaemonsPassWithWarnings(t *testing.T) {
	t.Run("nginx", func(t *testing.T) {
		t.Parallel()
		nginx := lookDaemon(t, "nginx", "nginx-light")
		dir := t.TempDir()
		conf := filepath.Join(dir, "nginx.conf")
		os.WriteFile(conf, []byte(fmt.Sprintf(`events {}
http {
  access_log off;
  server { listen 127.0.0.1:%d; }
}
`, freePort(t))), 0o644)
		pf := filepath.Join(dir, "nginx.pid")
		r := grade(t, Options{Command: []string{nginx, "-p", dir, "-c", conf, "-g", "pid " + pf + "; error_log " + filepath.Join(dir, "error.log") + ";"}, Dir: dir})
		// nginx forks once (its master leads its session) and keeps its cwd.
		expect(t, r, true, with(allPass, map[string]Status{"not-session-leader": Warn, "cwd": Warn}))
	})
	t.Run("redis-server --daemonize yes", func(t *testing.T) {
		t.Parallel()
		redis := lookDaemon(t, "redis-server", "redis-server")
		dir := t.TempDir()
		pf := filepath.Join(dir, "redis.pid")
		r := grade(t, Options{Command: []string{redis, "--daemonize", "yes", "--port", "0", "--unixsocket", filepath.Join(dir, "redis.sock"), "--pidfile", pf, "--dir", dir, "--save", "", "--logfile", filepath.Join(dir, "redis.log")}, Dir: dir})
		expect(t, r, true, map[string]Status{"returns": Pass, "no-ctty": Pass, "new-session": Pass, "stdio": Pass, "hangup": Pass, "sigterm": Pass, "pidfile": Pass})
	})
}

// shellDaemon is a daemon in sh that does every step the exercise asks for
// and leaves SIGHUP at its default action: setsid -f forks and calls
// setsid() in the child (one fork: it leads its session).
//
// It writes its PID file once it is ready, as a daemon should: its handlers
// in place and its child's PID known to them. dlab may signal it from then
// on; a SIGTERM between "sleep &" and "child=$!" would leave the sleep.
// The handler kills the child with SIGKILL: a SIGTERM that reaches the
// child between its fork and its exec of sleep is caught by the trap it
// inherited, then dropped as it resets its traps, and sleep runs on.
const shellDaemon = `#!/bin/sh
pidfile=$(realpath -m "$1")
setsid -f sh -c '
  exec </dev/null >/dev/null 2>&1
  umask 022
  cd /
  trap "rm -f \"$1\"; kill -KILL \$child 2>/dev/null; exit 0" TERM
  sleep 1000 & child=$!
  echo $$ >"$1"
  while :; do wait $child; sleep 1000 & child=$!; done
' sh "$pidfile"
`

// TestDaemonsThatDieOnSIGHUPAreJudgedWhole: a correct SysV daemon that
// leaves SIGHUP at its default action dies on kill -HUP; that is a warning,
// and SIGTERM and the PID file are still judged, on a live daemon.
func TestDaemonsThatDieOnSIGHUPAreJudgedWhole(t *testing.T) {
	t.Run("start-stop-daemon --background around sleep", func(t *testing.T) {
		t.Parallel()
		ssd := lookDaemon(t, "start-stop-daemon", "dpkg")
		pf := filepath.Join(t.TempDir(), "sleep.pid")
		r := grade(t, Options{Command: []string{ssd, "--start", "--background", "--make-pidfile", "--pidfile", pf, "--exec", "/bin/sleep", "--", "1000"}})
		expect(t, r, true, with(allPass, map[string]Status{
			"umask": Warn, "sighup": Warn, "pidfile-removed": Warn,
		}))
		if it, _ := r.Item("sighup"); !strings.Contains(it.Observed, "killed by SIGHUP") || !strings.Contains(it.Observed, "fresh start") {
			t.Errorf("sighup says %q", it.Observed)
		}
		if r.Observation.SIGHUP == nil || r.Observation.SIGHUP.FreshPID == 0 {
			t.Error("kill -HUP was not tried on a fresh start")
		}
		if _, err := os.Lstat(pf); err == nil {
			t.Errorf("%s is left behind, naming a daemon dlab ended", pf)
		}
	})
	t.Run("a daemon whose SIGHUP handler exits gets SIGTERM on a fresh start", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		script := filepath.Join(dir, "hup-exits.sh")
		// Its SIGTERM handler leaves the PID file: that must be seen on
		// the fresh start, before dlab cleans up.
		body := strings.Replace(shellDaemon, `  echo $$`, `  trap "rm -f \"$1\"; exit 0" HUP
  echo $$`, 1)
		body = strings.Replace(body, `trap "rm -f \"$1\"; kill`, `trap "kill`, 1)
		if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
		r := grade(t, Options{Command: []string{script, filepath.Join(dir, "d.pid")}, Dir: dir})
		expect(t, r, true, with(allPass, map[string]Status{"not-session-leader": Warn, "sighup": Warn, "pidfile-removed": Warn}))
		if r.Observation.SIGTERM == nil || r.Observation.SIGTERM.FreshPID == 0 {
			t.Error("SIGTERM was not tried on a fresh start")
		}
	})
	t.Run("a shell daemon doing every step asked", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		script := filepath.Join(dir, "worker.sh")
		if err := os.WriteFile(script, []byte(shellDaemon), 0o755); err != nil {
			t.Fatal(err)
		}
		pf := filepath.Join(dir, "worker.pid")
		r := grade(t, Options{Command: []string{script, pf}, Dir: dir})
		expect(t, r, true, with(allPass, map[string]Status{
			"not-session-leader": Warn, "sighup": Warn,
		}))
		if !strings.HasPrefix(r.Summary, "PASS") {
			t.Errorf("summary %q", r.Summary)
		}
	})
}

// startIgnoringTerm runs Observe on a daemon that ignores SIGTERM, with a
// long timeout, and returns once the daemon is being asked to stop (the
// check then waits): the daemon's PID, a pidfd on it, and the channel
// Observe's error comes on.
func startIgnoringTerm(t *testing.T) (*pidfd.Process, <-chan error) {
	t.Helper()
	pf := filepath.Join(t.TempDir(), "d.pid")
	done := make(chan error, 1)
	go func() {
		_, err := Observe(context.Background(), Options{Command: []string{sample(t, "sysv-ignores-term.sh"), pf}, Timeout: 60 * time.Second})
		done <- err
	}()
	logFile := strings.TrimSuffix(pf, ".pid") + ".log"
	poll.Until(t, 30*time.Second, "the daemon gets to SIGTERM", func() bool {
		b, _ := os.ReadFile(logFile)
		return strings.Contains(string(b), "ignoring SIGTERM")
	})
	pid, ok := readPID(pf)
	if !ok {
		t.Fatal("no PID in the PID file")
	}
	// The harness records a process when it has seen it; under load a fresh
	// start's daemon writes its PID file a moment before that. Killing the
	// grader in that moment would test the guard, not the registry.
	poll.Until(t, 30*time.Second, fmt.Sprintf("the daemon (PID %d) is recorded for dlab demo cleanup", pid), func() bool {
		return recorded(pid)
	})
	p, err := pidfd.Open(pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Signal(unix.SIGKILL); p.Close() })
	return p, done
}

// readPID reads a PID file holding one positive number.
func readPID(path string) (int, bool) {
	_, pid, err := readPIDFile(path)
	return pid, err == nil && pid > 0
}

func waitGone(t *testing.T, p *pidfd.Process, what string) {
	t.Helper()
	select {
	case <-p.Exited():
	case <-time.After(30 * time.Second):
		t.Fatalf("the daemon (PID %d) is still running 30s after %s", p.PID, what)
	}
}

// TestKilledHarnessLeavesNothing: when the grader's harness is killed with
// SIGKILL mid-check (the OOM killer), the daemon it adopted does not go on
// running under init: the guard ends it, and Observe says what happened.
func TestKilledHarnessLeavesNothing(t *testing.T) {
	p, done := startIgnoringTerm(t)
	st, err := proc.Live().Stat(p.PID)
	if err != nil {
		t.Fatal(err)
	}
	harness := st.PPID // the subreaper that adopted the daemon
	if err := unix.Kill(harness, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitGone(t, p, "the harness was killed")
	select {
	case err := <-done:
		if !errors.Is(err, ErrHarness) || !strings.Contains(err.Error(), "killed by SIGKILL") {
			t.Errorf("Observe: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Observe did not return after the harness was killed")
	}
	if l := reaper.FindPidsLimit("dlab-check-" + strconv.Itoa(harness)); l != nil {
		t.Errorf("the harness's pids cgroup %s is left", l.Dir)
	}
	// The guard ended them, so nothing is left for 'dlab demo cleanup'.
	es, _ := registry.List()
	for _, e := range es {
		if e.Owner.PID == harness {
			t.Errorf("the guard ended the harness's processes but left %+v in the registry", e)
		}
	}
}

// TestKilledGraderIsFoundByCleanup: when the guard and the harness are
// killed together, the daemon goes to init; the harness had recorded it in
// dlab's registry, so 'dlab demo cleanup' ends it.
func TestKilledGraderIsFoundByCleanup(t *testing.T) {
	p, done := startIgnoringTerm(t)
	st, err := proc.Live().Stat(p.PID)
	if err != nil {
		t.Fatal(err)
	}
	hst, err := proc.Live().Stat(st.PPID)
	if err != nil {
		t.Fatal(err)
	}
	// Observe puts the guard in a process group of its own, with the
	// harness in it. Cleanup leaves alone the processes of a dlab still
	// running, and a killed Go process is still running while the kernel
	// tears it down: wait for both to be gone, as a user who types the
	// cleanup command after the kill does.
	var killed []*pidfd.Process
	for _, pid := range []int{hst.PID, hst.PGID} {
		k, err := pidfd.Open(pid, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer k.Close()
		killed = append(killed, k)
	}
	if err := unix.Kill(-hst.PGID, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for _, k := range killed {
		select {
		case <-k.Exited():
		case <-time.After(30 * time.Second):
			t.Fatalf("process %d is still running 30s after SIGKILL", k.PID)
		}
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Observe did not return after the grader was killed")
	}
	ended, err := registry.CleanupLeftovers(5 * time.Second)
	if err != nil {
		t.Errorf("cleanup: %v", err)
	}
	found := false
	for _, e := range ended {
		found = found || e.Entry.PID == p.PID
	}
	if !found {
		t.Errorf("cleanup ended %+v, not the daemon %d", ended, p.PID)
	}
	waitGone(t, p, "cleanup")
	// The harness's pids cgroup, where it could make one, is named in the
	// entries, and 'dlab demo cleanup' ends and removes it.
	if _, err := EndLeftoverChecks(ended); err != nil {
		t.Errorf("EndLeftoverChecks: %v", err)
	}
	for _, e := range ended {
		if e.Entry.Cgroup == "" {
			continue
		}
		if _, err := os.Stat(e.Entry.Cgroup); err == nil {
			t.Errorf("the killed harness's cgroup %s is still there", e.Entry.Cgroup)
		}
	}
}

// recorded says whether the registry has an entry for pid.
func recorded(pid int) bool {
	es, _ := registry.List()
	for _, e := range es {
		if e.PID == pid {
			return true
		}
	}
	return false
}
