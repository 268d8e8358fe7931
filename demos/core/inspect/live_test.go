package inspect

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/term"
	"dlab/demos/testkit/poll"

	"golang.org/x/sys/unix"
)

// The live tests run real programs (bash on a pseudo-terminal, setsid,
// start-stop-daemon, tmux, nginx, cron, redis-server) and check what dlab
// says about them, and, where the evidence predicts an outcome (a hang-up
// kills it, or not), that the outcome happens.

var live = proc.Live()

// deadline is generous: the tests share a loaded machine, and a deadline only
// bounds a wait for an event, it never paces one.
const deadline = 30 * time.Second

// need finds a program or skips the test, naming the Debian package.
func need(t *testing.T, bin, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(bin)
	if err == nil {
		return p
	}
	// Daemons live in /usr/sbin, off an ordinary user's PATH.
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		if fi, err := os.Stat(filepath.Join(dir, bin)); err == nil && fi.Mode()&0o111 != 0 {
			return filepath.Join(dir, bin)
		}
	}
	t.Skipf("%s not installed (Debian package %s)", bin, pkg)
	return ""
}

func explainLive(t *testing.T, pid int) Report {
	t.Helper()
	r, err := Explain(live, pid)
	if err != nil {
		t.Fatalf("explain %d: %v", pid, err)
	}
	return r
}

// hold takes a process by a pidfd and ends it at the end of the test.
func hold(t *testing.T, pid int) *pidfd.Process {
	t.Helper()
	p, err := pidfd.Open(pid, 0)
	if err != nil {
		t.Fatalf("hold %d: %v", pid, err)
	}
	t.Cleanup(func() {
		p.Stop(3 * time.Second)
		p.Close()
	})
	return p
}

func waitExit(t *testing.T, p *pidfd.Process, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("%s did not exit: %v", what, err)
	}
}

// childNamed finds the child of parent running comm.
func childNamed(parent int, comm string) (proc.Stat, bool) {
	pids, _ := live.PIDs()
	for _, pid := range pids {
		if st, err := live.Stat(pid); err == nil && st.PPID == parent && st.Comm == comm && st.State != 'Z' {
			return st, true
		}
	}
	return proc.Stat{}, false
}

func expectRow(t *testing.T, r Report, aspect, observed string, daemonLike *bool) {
	t.Helper()
	got := row(t, r, aspect)
	if observed != "" && !strings.Contains(got.Observed, observed) {
		t.Errorf("PID %d %s: observed %q, want %q", r.PID, aspect, got.Observed, observed)
	}
	if daemonLike != nil && (got.DaemonLike == nil || *got.DaemonLike != *daemonLike) {
		t.Errorf("PID %d %s: daemon_like %s, want %s (%s)", r.PID, aspect, mark(got.DaemonLike), mark(daemonLike), got.Why)
	}
}

// shell is an interactive bash on a fresh pseudo-terminal: the session
// leader and controlling process of the pty, with job control, as a login
// in a terminal window is.
type shell struct {
	cmd    *exec.Cmd
	master *os.File
	proc   *pidfd.Process
	out    *lockedBuffer
}

func startShell(t *testing.T, dir string) *shell {
	t.Helper()
	bash := need(t, "bash", "bash")
	cmd := exec.Command(bash, "--norc", "--noprofile", "-i")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PS1=$ ", "TERM=dumb", "HISTFILE=/dev/null")
	master, tty, err := term.Open(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	// bash leads a session of its own on the pty, as a terminal emulator
	// starts it.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	err = cmd.Start()
	tty.Close()
	if err != nil {
		master.Close()
		t.Fatalf("bash on a pty: %v", err)
	}
	s := &shell{cmd: cmd, master: master, out: &lockedBuffer{}}
	// The pty's output must be read, or bash blocks once the buffer fills.
	go io.Copy(s.out, master)
	s.proc = hold(t, cmd.Process.Pid)
	t.Cleanup(func() {
		master.Close()
		s.proc.Stop(3 * time.Second)
		cmd.Wait()
	})
	return s
}

// run types a command line and returns the job's process once it runs.
func (s *shell) run(t *testing.T, line, comm string) proc.Stat {
	t.Helper()
	if _, err := s.master.WriteString(line + "\n"); err != nil {
		t.Fatal(err)
	}
	var st proc.Stat
	poll.Until(t, deadline, comm+" runs under the shell", func() bool {
		var ok bool
		st, ok = childNamed(s.cmd.Process.Pid, comm)
		return ok
	})
	return st
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func TestLiveForegroundJobOnAPtyIsNormalAndDiesWithTheTerminal(t *testing.T) {
	s := startShell(t, t.TempDir())
	st := s.run(t, "sleep 1000", "sleep")
	poll.Until(t, deadline, "sleep is the foreground job", func() bool {
		cur, err := live.Stat(st.PID)
		return err == nil && cur.InForeground()
	})
	job := hold(t, st.PID)
	r := explainLive(t, st.PID)
	if r.Verdict != Normal || r.Mixed {
		t.Fatalf("verdict %s mixed %v:\n%s", r.Verdict, r.Mixed, r.Summary)
	}
	expectRow(t, r, "terminal", "controlling terminal pts/", no)
	expectRow(t, r, "process group", "the foreground group", no)
	expectRow(t, r, "fd 0 (stdin)", "/dev/pts/", no)
	expectRow(t, r, "SIGHUP", "default", no)
	expectRow(t, r, "parent", "bash", no)
	if h := r.Facts.TermHolder; h == nil || h.PID != os.Getpid() || !h.Confirmed {
		t.Errorf("terminal holder %+v, want this test (PID %d), confirmed by fdinfo", h, os.Getpid())
	}
	if p := prediction(t, r, EventTerminalCloses); !strings.Contains(p.Outcome, "it terminates") {
		t.Fatalf("prediction: %q", p.Outcome)
	}
	// The prediction, live: close the terminal; bash gets SIGHUP from the
	// kernel and passes it on to its job.
	s.master.Close()
	waitExit(t, job, "sleep after the terminal closed")
}

func TestLiveNohupJobIsNormalButSurvivesTheHangup(t *testing.T) {
	dir := t.TempDir()
	s := startShell(t, dir)
	st := s.run(t, "nohup sleep 1000 &", "sleep")
	job := hold(t, st.PID)
	// nohup redirects output to nohup.out once it has set SIGHUP ignored.
	poll.Until(t, deadline, "nohup has redirected stdout", func() bool {
		l, _ := live.Link(st.PID, "fd/1")
		return strings.HasSuffix(l, "nohup.out")
	})
	r := explainLive(t, st.PID)
	if r.Verdict != Normal || !r.Mixed {
		t.Fatalf("verdict %s mixed %v:\n%s", r.Verdict, r.Mixed, r.Summary)
	}
	expectRow(t, r, "SIGHUP", "ignored", yes)
	expectRow(t, r, "process group", "a background group", no)
	expectRow(t, r, "fd 1 (stdout)", "nohup.out", yes)
	if !strings.Contains(r.Summary, "ignores SIGHUP") {
		t.Errorf("summary doesn't say why it is mixed: %s", r.Summary)
	}
	if p := prediction(t, r, EventTerminalCloses); !strings.Contains(p.Outcome, "nothing (it ignores SIGHUP)") {
		t.Fatalf("prediction: %q", p.Outcome)
	}
	// Live: the hang-up ends the shell but not the nohup job, which then has
	// no terminal left at all.
	s.master.Close()
	waitExit(t, s.proc, "bash after the hang-up")
	if !job.Alive() {
		t.Fatal("the nohup job died with the terminal")
	}
	poll.Until(t, deadline, "the orphaned job has lost its terminal", func() bool {
		cur, err := live.Stat(st.PID)
		return err == nil && !cur.HasTTY()
	})
	// No terminal reaches it now, but it is a leftover job, not a service:
	// normal, a detached job, as the startup lesson says.
	if after := explainLive(t, st.PID); after.Verdict != Normal || after.Kind != KindDetachedJob {
		t.Errorf("after the hang-up: %s %s, want normal detached-job (a leftover job, not a service):\n%s", after.Verdict, after.Kind, after.Summary)
	}
}

// setsid run directly by a program that waits for it (setsid doesn't fork
// when it isn't a group leader): out of every terminal's reach, with the
// daemon's stdio and cwd, yet a job of its live parent: normal, batch-job.
func TestLiveSetsidWithRedirectedStdioUnderItsParentIsABatchJob(t *testing.T) {
	cmd := exec.Command(need(t, "setsid", "util-linux"), need(t, "sleep", "coreutils"), "1000")
	cmd.Dir = "/"
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: the hold's stop, then the wait.
	t.Cleanup(func() { cmd.Wait() })
	p := hold(t, cmd.Process.Pid)
	poll.Until(t, deadline, "setsid has exec'd sleep", func() bool {
		st, err := live.Stat(p.PID)
		return err == nil && st.Comm == "sleep" && st.IsSessionLeader()
	})
	r := explainLive(t, p.PID)
	if r.Verdict != Normal || r.Kind != KindBatchJob {
		t.Fatalf("verdict %s kind %s:\n%s", r.Verdict, r.Kind, r.Summary)
	}
	expectRow(t, r, "terminal", "none", yes)
	expectRow(t, r, "session", "which it leads", yes)
	for _, fd := range []string{"fd 0 (stdin)", "fd 1 (stdout)", "fd 2 (stderr)"} {
		expectRow(t, r, fd, "/dev/null", yes)
	}
	expectRow(t, r, "working directory", "/", yes)
	if p := prediction(t, r, EventTerminalCloses); !strings.HasPrefix(p.Outcome, "nothing") {
		t.Errorf("prediction: %q", p.Outcome)
	}
}

func TestLiveSetsidKeepingTheTerminalsFdsIsMixed(t *testing.T) {
	master, tty, err := term.Open(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	t.Cleanup(func() { master.Close() })
	go io.Copy(io.Discard, master)
	sleep := need(t, "sleep", "coreutils")

	detached := exec.Command(need(t, "setsid", "util-linux"), sleep, "1000")
	detached.Stdin, detached.Stdout, detached.Stderr = tty, tty, tty
	// A control: the same program as the controlling process of the pty.
	control := exec.Command(sleep, "1000")
	control.Stdin, control.Stdout, control.Stderr = tty, tty, tty
	control.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	for _, c := range []*exec.Cmd{detached, control} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Wait() })
	}
	d, c := hold(t, detached.Process.Pid), hold(t, control.Process.Pid)
	poll.Until(t, deadline, "setsid has exec'd sleep", func() bool {
		st, err := live.Stat(d.PID)
		return err == nil && st.Comm == "sleep" && st.IsSessionLeader()
	})
	r := explainLive(t, d.PID)
	if r.Verdict != Daemon || !r.Mixed {
		t.Fatalf("verdict %s mixed %v:\n%s", r.Verdict, r.Mixed, r.Summary)
	}
	expectRow(t, r, "fd 1 (stdout)", "/dev/pts/", no)
	if !strings.Contains(r.Summary, "a terminal it doesn't control") {
		t.Errorf("summary: %s", r.Summary)
	}
	if p := prediction(t, r, EventTerminalCloses); !strings.Contains(p.Outcome, "no SIGHUP") {
		t.Errorf("prediction: %q", p.Outcome)
	}
	if cr := explainLive(t, c.PID); cr.Verdict != Normal || !strings.Contains(prediction(t, cr, EventTerminalCloses).Outcome, "it terminates") {
		t.Fatalf("control: %s, %q", cr.Verdict, prediction(t, cr, EventTerminalCloses).Outcome)
	}
	// Live: hang the terminal up. The controlling process dies of SIGHUP;
	// the setsid one gets none and lives on.
	tty.Close()
	master.Close()
	waitExit(t, c, "the pty's controlling process after the hang-up")
	if !d.Alive() {
		t.Error("the setsid process died with a terminal it did not control")
	}
}

func TestLiveDoubleForkedDaemonFromStartStopDaemon(t *testing.T) {
	ssd := need(t, "start-stop-daemon", "dpkg")
	sleep := need(t, "sleep", "coreutils")
	pidfile := filepath.Join(t.TempDir(), "sleep.pid")
	out, err := exec.Command(ssd, "--start", "--background", "--make-pidfile", "--pidfile", pidfile,
		"--exec", sleep, "--", "1000").CombinedOutput()
	if err != nil {
		t.Fatalf("start-stop-daemon: %v: %s", err, out)
	}
	pid := readPIDFile(t, pidfile)
	d := hold(t, pid)
	r := explainLive(t, pid)
	if r.Verdict != Daemon {
		t.Fatalf("verdict %s:\n%s", r.Verdict, r.Summary)
	}
	if r.Facts.PPID == os.Getpid() {
		t.Error("the daemon is still our child: no double fork")
	}
	expectRow(t, r, "terminal", "none", yes)
	expectRow(t, r, "parent", "", yes)
	expectRow(t, r, "working directory", "/", yes)
	for _, fd := range []string{"fd 0 (stdin)", "fd 1 (stdout)", "fd 2 (stderr)"} {
		expectRow(t, r, fd, "/dev/null", yes)
	}
	if p := prediction(t, r, EventHUP); !strings.Contains(p.Outcome, "it terminates") {
		t.Errorf("kill -HUP prediction: %q", p.Outcome)
	}
	// Live: sleep keeps SIGHUP at its default, so kill -HUP ends it.
	if err := d.Signal(unix.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitExit(t, d, "the daemon after SIGHUP")
}

func readPIDFile(t *testing.T, path string) int {
	t.Helper()
	var pid int
	// A daemon may write its PID file before it forks (cron does, to lock
	// it) and again after: wait for a PID whose process runs.
	poll.Until(t, deadline, path+" holds the PID of a running process", func() bool {
		b, err := os.ReadFile(path)
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 {
			return false
		}
		st, err := live.Stat(pid)
		return err == nil && st.State != 'Z'
	})
	return pid
}

func TestLiveTmuxPaneIsNormalAndTheServerADaemon(t *testing.T) {
	tmux := need(t, "tmux", "tmux")
	dir := t.TempDir()
	socket := fmt.Sprintf("dlab-test-%d", os.Getpid())
	command := func(args ...string) *exec.Cmd {
		cmd := exec.Command(tmux, append([]string{"-L", socket, "-f", "/dev/null"}, args...)...)
		cmd.Env = append(os.Environ(), "TMUX_TMPDIR="+dir, "TERM=xterm")
		cmd.Env = removeEnv(cmd.Env, "TMUX")
		return cmd
	}
	run := func(args ...string) string {
		out, err := command(args...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("new-session", "-d", "-s", "t", need(t, "sleep", "coreutils")+" 1000")
	server, _ := strconv.Atoi(run("display-message", "-p", "#{pid}"))
	srv := hold(t, server)
	t.Cleanup(func() {
		command("kill-server").Run()
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		srv.Wait(ctx)
	})
	pane, _ := strconv.Atoi(run("list-panes", "-F", "#{pane_pid}"))
	hold(t, pane)
	// tmux reports the pane's PID as soon as it forks; the child takes its
	// terminal and execs the user's shell (which may exec sleep, or not) a
	// moment later.
	poll.Until(t, deadline, "the pane's process runs on its terminal", func() bool {
		st, err := live.Stat(pane)
		return err == nil && st.HasTTY() && !strings.HasPrefix(st.Comm, "tmux")
	})

	r := explainLive(t, pane)
	if r.Verdict != Normal || !r.Mixed {
		t.Fatalf("pane: verdict %s mixed %v:\n%s", r.Verdict, r.Mixed, r.Summary)
	}
	if h := r.Facts.TermHolder; h == nil || h.PID != server || !h.Confirmed {
		t.Errorf("pane's terminal holder %+v, want the tmux server %d", h, server)
	}
	if p := prediction(t, r, EventTerminalCloses); !strings.Contains(p.Outcome, "does nothing to it") {
		t.Errorf("pane prediction: %q", p.Outcome)
	}
	sr := explainLive(t, server)
	if sr.Verdict != Daemon || sr.Command != "tmux: server" {
		t.Errorf("server %q: %s:\n%s", sr.Command, sr.Verdict, sr.Summary)
	}
	expectRow(t, sr, "listening sockets", filepath.Join(dir, "tmux-"+strconv.Itoa(os.Getuid()), socket), nil)
}

func removeEnv(env []string, name string) []string {
	out := env[:0:0]
	for _, e := range env {
		if !strings.HasPrefix(e, name+"=") {
			out = append(out, e)
		}
	}
	return out
}

func TestLiveNginxMasterListensAndReloadsOnSIGHUP(t *testing.T) {
	master, port := startNginx(t)
	var worker proc.Stat
	poll.Until(t, deadline, "nginx has a worker", func() bool {
		var ok bool
		worker, ok = childNamed(master.PID, "nginx")
		return ok
	})

	owner, err := ListenerOn(live, port)
	if err != nil {
		t.Fatal(err)
	}
	if owner.PID != master.PID {
		t.Errorf("port %d: explained PID %d, want the master %d (holders %v)", port, owner.PID, master.PID, owner.Holders)
	}
	r := explainLive(t, master.PID)
	if r.Verdict != Daemon {
		t.Fatalf("master: %s:\n%s", r.Verdict, r.Summary)
	}
	expectRow(t, r, "purpose", fmt.Sprintf("127.0.0.1:%d", port), yes)
	expectRow(t, r, "session", "which it leads", yes)
	if wr := explainLive(t, worker.PID); wr.Verdict != Daemon || row(t, wr, "parent").DaemonLike == nil {
		t.Errorf("worker: %s, parent row %+v", wr.Verdict, row(t, wr, "parent"))
	}
	if p := prediction(t, r, EventHUP); !strings.Contains(p.Outcome, "rereads its configuration") || p.Effect != EffectProgramDecides {
		t.Fatalf("kill -HUP prediction: %q", p.Outcome)
	}
	// Live: SIGHUP makes the master start a new worker and retire the old
	// one; the master itself lives on.
	if err := master.Signal(unix.SIGHUP); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, deadline, "nginx has a new worker after SIGHUP", func() bool {
		w, ok := childNamed(master.PID, "nginx")
		return ok && w.PID != worker.PID
	})
	if !master.Alive() {
		t.Error("the nginx master died of SIGHUP")
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.1: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestLiveCronIsADaemon(t *testing.T) {
	cron := need(t, "cron", "cron")
	if os.Geteuid() != 0 {
		t.Skip("cron starts only as root")
	}
	const pidfile = "/run/crond.pid"
	if b, err := os.ReadFile(pidfile); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && live.Exists(pid) {
			t.Skipf("cron already runs (PID %d); not starting another", pid)
		}
	}
	if out, err := exec.Command(cron).CombinedOutput(); err != nil {
		t.Fatalf("cron: %v: %s", err, out)
	}
	d := hold(t, readPIDFile(t, pidfile))
	r := explainLive(t, d.PID)
	if r.Verdict != Daemon || r.Command != "cron" {
		t.Fatalf("cron: %s %q:\n%s", r.Verdict, r.Command, r.Summary)
	}
	expectRow(t, r, "terminal", "none", yes)
	expectRow(t, r, "naming", `"cron"`, nil)
	if row(t, r, "naming").DaemonLike != nil {
		t.Error("cron doesn't end in d: the naming row should say nothing either way")
	}
}

func TestLiveRedisDaemonizes(t *testing.T) {
	redis := need(t, "redis-server", "redis-server")
	dir := t.TempDir()
	sock := filepath.Join(dir, "redis.sock")
	out, err := exec.Command(redis, "--daemonize", "yes", "--port", "0", "--unixsocket", sock,
		"--pidfile", filepath.Join(dir, "redis.pid"), "--dir", dir, "--logfile", filepath.Join(dir, "redis.log"),
		"--save", "", "--appendonly", "no").CombinedOutput()
	if err != nil {
		t.Fatalf("redis-server: %v: %s", err, out)
	}
	d := hold(t, readPIDFile(t, filepath.Join(dir, "redis.pid")))
	poll.Until(t, deadline, "redis listens on its socket", func() bool {
		_, err := os.Stat(sock)
		return err == nil
	})
	r := explainLive(t, d.PID)
	if r.Verdict != Daemon || r.Facts.PPID == os.Getpid() {
		t.Fatalf("redis: %s, parent %d:\n%s", r.Verdict, r.Facts.PPID, r.Summary)
	}
	expectRow(t, r, "listening sockets", sock, nil)
	expectRow(t, r, "purpose", "serves", yes)
}

func TestLiveZombie(t *testing.T) {
	cmd := exec.Command(need(t, "true", "coreutils"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := hold(t, cmd.Process.Pid)
	waitExit(t, p, "true")
	// It has exited; until Wait reaps it, it is a zombie.
	r := explainLive(t, p.PID)
	if r.Verdict != Zombie || r.Facts.ParentComm == "" {
		t.Errorf("verdict %s, parent %q:\n%s", r.Verdict, r.Facts.ParentComm, r.Summary)
	}
	if !strings.Contains(r.Summary, fmt.Sprintf("(PID %d)", os.Getpid())) {
		t.Errorf("summary doesn't name this test as the parent that must reap it: %s", r.Summary)
	}
	cmd.Wait()
	if _, err := Explain(live, p.PID); !errors.Is(err, proc.ErrGone) {
		t.Errorf("after the reap: %v, want ErrGone", err)
	}
}

func TestLiveKernelThread(t *testing.T) {
	st, err := live.Stat(2)
	if err != nil || !st.IsKernelThread() {
		t.Skip("PID 2 is not a kernel thread here (a PID namespace shows none)")
	}
	r := explainLive(t, 2)
	if r.Verdict != KernelThread {
		t.Errorf("PID 2: %s", r.Verdict)
	}
	for _, row := range r.Evidence {
		if row.DaemonLike != nil {
			t.Errorf("kernel thread row %q says daemon_like %v: a kernel thread is neither", row.Aspect, *row.DaemonLike)
		}
	}
}

// A process that exits, and is reaped, while it is read gives ErrGone (or a
// report): never another error, never a mix of two processes.
func TestLiveProcessExitingWhileRead(t *testing.T) {
	bin := need(t, "true", "coreutils")
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		cmd := exec.Command(bin)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pid := cmd.Process.Pid
		wg.Add(1)
		go func() { defer wg.Done(); cmd.Wait() }()
		r, err := Explain(live, pid)
		switch {
		case err != nil && !errors.Is(err, proc.ErrGone):
			t.Errorf("PID %d: %v, want an error wrapping ErrGone", pid, err)
		case err == nil && r.PID != pid:
			t.Errorf("asked for %d, got a report on %d", pid, r.PID)
		}
	}
	wg.Wait()
}

func init() {
	// The test binary re-executed as another user explains a process and
	// prints the report as JSON.
	reexec.Register("inspect-test-explain", func(args []string) int {
		pid, _ := strconv.Atoi(args[0])
		r, err := Explain(live, pid)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		json.NewEncoder(os.Stdout).Encode(r)
		return 0
	})
}

// Another user's process: what can't be read is said, with what would be
// needed, and never guessed.
func TestLiveAnotherUsersProcessSaysWhatIsUnreadable(t *testing.T) {
	one, err := live.StatReader().Read(1)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	switch {
	case os.Geteuid() == 0 && one.UID != 65534:
		r = explainAsNobody(t, 1)
	case os.Geteuid() != 0 && one.UID != os.Geteuid():
		r = explainLive(t, 1)
	default:
		t.Skipf("PID 1 belongs to uid %d: no other user's process to try", one.UID)
	}
	if len(r.Facts.Unreadable) == 0 || !r.Facts.hidden("fds") {
		t.Fatalf("nothing unreadable: hidden %v", r.Facts.Hidden)
	}
	if !strings.Contains(r.Facts.Unreadable[0], "permission denied") || !strings.Contains(r.Facts.Unreadable[0], "root") {
		t.Errorf("unreadable %q doesn't say what is needed", r.Facts.Unreadable[0])
	}
	got := row(t, r, "fd 0 (stdin)")
	if got.Observed != "unreadable" || got.DaemonLike != nil || !strings.Contains(got.Why, "sudo dlab explain 1") {
		t.Errorf("fd 0 row %+v", got)
	}
	if r.Verdict == "" {
		t.Error("no verdict: stat is readable by everyone, so there must be one")
	}
}

// explainAsNobody runs a copy of the test binary as user nobody.
func explainAsNobody(t *testing.T, pid int) Report {
	t.Helper()
	self, err := reexec.Self()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	copyPath := filepath.Join(dir, "inspect.test")
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copyPath, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(copyPath, reexec.Args("inspect-test-explain", strconv.Itoa(pid))[1:]...)
	cmd.Args[0] = "dlab"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("explain as nobody: %v: %s", err, ee.Stderr)
		}
		t.Skipf("cannot run as nobody: %v", err)
	}
	var r Report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	return r
}

// dlab ps agrees with ps(1) on the processes whose columns are stable.
func TestLiveListAgreesWithPs(t *testing.T) {
	psBin := need(t, "ps", "procps")
	s := startShell(t, t.TempDir())
	job := s.run(t, "sleep 1000", "sleep")
	pids := []int{1, os.Getpid(), s.cmd.Process.Pid, job.PID}
	l, err := List(live, nil)
	if err != nil {
		t.Fatal(err)
	}
	ours := map[int]Process{}
	for _, p := range l.Processes {
		ours[p.PID] = p
	}
	args := []string{"-o", "pid=,ppid=,sid=,pgid=,tty=,uid=,comm=", "-p"}
	var list []string
	for _, p := range pids {
		list = append(list, strconv.Itoa(p))
	}
	out, err := exec.Command(psBin, append(args, strings.Join(list, ","))...).Output()
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	n := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 7 {
			continue
		}
		pid, _ := strconv.Atoi(f[0])
		p, ok := ours[pid]
		if !ok {
			t.Errorf("dlab ps lacks PID %d", pid)
			continue
		}
		got := []string{strconv.Itoa(p.PID), strconv.Itoa(p.PPID), strconv.Itoa(p.SID), strconv.Itoa(p.PGID), proc.TTYName(p.TTY), strconv.Itoa(p.UID)}
		if strings.Join(got, " ") != strings.Join(f[:6], " ") {
			t.Errorf("dlab ps %v, ps %v", got, f[:6])
		}
		n++
	}
	if n != len(pids) {
		t.Errorf("compared %d of %d processes:\n%s", n, len(pids), out)
	}
	if ours[job.PID].Verdict != Normal {
		t.Errorf("the pty job is %s in dlab ps", ours[job.PID].Verdict)
	}
}

// startNginx runs nginx as a SysV daemon (master and one worker) on a free
// loopback port, its files in a temporary folder, and holds its master.
func startNginx(t *testing.T) (*pidfd.Process, int) {
	t.Helper()
	nginx := need(t, "nginx", "nginx-light")
	dir := t.TempDir()
	port := freePort(t)
	conf := fmt.Sprintf(`daemon on; master_process on; worker_processes 1;
pid %[1]s/nginx.pid; error_log %[1]s/error.log;
events { worker_connections 16; }
http { access_log off; client_body_temp_path %[1]s/body; proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi; uwsgi_temp_path %[1]s/uwsgi; scgi_temp_path %[1]s/scgi;
  server { listen 127.0.0.1:%[2]d; location / { return 204; } } }
`, dir, port)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log")).CombinedOutput(); err != nil {
		t.Fatalf("nginx: %v: %s", err, out)
	}
	return hold(t, readPIDFile(t, filepath.Join(dir, "nginx.pid"))), port
}
