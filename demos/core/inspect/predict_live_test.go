package inspect

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/poll"

	"golang.org/x/sys/unix"
)

// The prediction matrix: each test starts a real scenario, records what dlab
// predicts for one event, makes that event happen, and compares the outcome
// with the predicted effect. Every row is logged as
//
//	MATRIX | scenario | event effect | observed
//
// (go test -v -run Matrix ./demos/core/inspect | grep MATRIX gives the table).

// matrix logs a row and fails when the observed outcome contradicts the
// effect. "unknown" and "program-decides" are honest about not knowing, so
// any outcome is consistent with them; the row still shows what happened.
func matrix(t *testing.T, scenario string, p Prediction, observed Effect, detail string) {
	t.Helper()
	t.Logf("MATRIX | %s | %s %s | %s (%s)", scenario, p.Event, p.Effect, observed, detail)
	switch p.Effect {
	case EffectUnknown, EffectProgramDecides:
		return
	}
	if p.Effect != observed {
		t.Errorf("%s: predicted %s on %s (%s), observed %s (%s)", scenario, p.Effect, p.Event, p.Outcome, observed, detail)
	}
}

func predictionFor(t *testing.T, pid int, event string) (Report, Prediction) {
	t.Helper()
	r := explainLive(t, pid)
	return r, prediction(t, r, event)
}

const pfExiting = 0x00000004 // PF_EXITING in stat's flags: do_exit has begun

// outcome waits until a signal sent to p has been dealt with, and says
// whether p ended. A fatal signal makes the kernel queue SIGKILL for the
// whole thread group at once (complete_signal), so a process that shows
// neither the signal nor SIGKILL pending, and is not exiting, has survived
// it; a dropped signal (a namespace's init) is never queued at all.
func outcome(t *testing.T, p *pidfd.Process, sig unix.Signal) (Effect, string) {
	t.Helper()
	end := time.Now().Add(deadline)
	for time.Now().Before(end) {
		if !p.Alive() {
			return EffectEnds, "exited"
		}
		st, err := live.Stat(p.PID)
		if err != nil || st.State == 'Z' || st.State == 'X' {
			return EffectEnds, "exited"
		}
		b, err := live.ReadFile(p.PID, "status")
		if err != nil {
			return EffectEnds, "exited"
		}
		if !pending(b, sig) && !pending(b, unix.SIGKILL) && st.Flags&pfExiting == 0 {
			return EffectSurvives, fmt.Sprintf("still running, state %c, nothing pending", st.State)
		}
		select {
		case <-p.Exited():
			return EffectEnds, "exited"
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("PID %d neither ended nor settled after %v", p.PID, deadline)
	return "", ""
}

// pending reports whether sig is pending for the thread or the process.
func pending(status []byte, sig unix.Signal) bool {
	for _, key := range []string{"SigPnd", "ShdPnd"} {
		line := proc.StatusLine(status, key)
		_, v, _ := strings.Cut(line, ":")
		m, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err == nil && m&(1<<(uint(sig)-1)) != 0 {
			return true
		}
	}
	return false
}

// endsWithin waits for p to exit after an event that should end it.
func endsWithin(p *pidfd.Process) (Effect, string) {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if p.Wait(ctx) == nil {
		return EffectEnds, "exited"
	}
	return EffectSurvives, fmt.Sprintf("still running %v later", deadline)
}

// started runs cmd as a child of the test and holds it by a pidfd.
func started(t *testing.T, cmd *exec.Cmd) *pidfd.Process {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", cmd.Path, err)
	}
	t.Cleanup(func() { cmd.Wait() })
	return hold(t, cmd.Process.Pid)
}

// childOf waits until parent has a child running comm.
func childOf(t *testing.T, parent int, comm string) *pidfd.Process {
	t.Helper()
	var st proc.Stat
	poll.Until(t, deadline, comm+" runs under PID "+strconv.Itoa(parent), func() bool {
		var ok bool
		st, ok = childNamed(parent, comm)
		return ok
	})
	return hold(t, st.PID)
}

func TestLiveMatrixTmuxServerExitHangsUpItsPanes(t *testing.T) {
	tmux := need(t, "tmux", "tmux")
	dir := t.TempDir()
	socket := fmt.Sprintf("explain-matrix-%d", os.Getpid())
	command := func(args ...string) *exec.Cmd {
		cmd := exec.Command(tmux, append([]string{"-L", socket, "-f", "/dev/null"}, args...)...)
		cmd.Env = removeEnv(append(os.Environ(), "TMUX_TMPDIR="+dir, "TERM=xterm"), "TMUX")
		return cmd
	}
	if out, err := command("new-session", "-d", need(t, "sleep", "coreutils")+" 1000").CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	out, _ := command("display-message", "-p", "#{pid} #{pane_pid}").Output()
	var server, pane int
	fmt.Sscan(string(out), &server, &pane)
	srv := hold(t, server)
	t.Cleanup(func() { command("kill-server").Run() })
	job := hold(t, pane)
	poll.Until(t, deadline, "the pane runs sleep on its terminal", func() bool {
		st, err := live.Stat(pane)
		return err == nil && st.HasTTY() && st.Comm == "sleep"
	})
	r, p := predictionFor(t, pane, EventParentExits)
	if r.Facts.TermHolder == nil || r.Facts.TermHolder.PID != server {
		t.Fatalf("terminal holder %+v, want the server %d", r.Facts.TermHolder, server)
	}
	// The parent exits abruptly: the pane's master closes with it.
	srv.Signal(unix.SIGKILL)
	waitExit(t, srv, "the tmux server")
	got, detail := endsWithin(job)
	matrix(t, "tmux pane running sleep; the tmux server is killed", p, got, detail)
}

// script(1) holds the master of the terminal its child runs on, and reads
// its signals through a signalfd: they are blocked (SigBlk).
func startScript(t *testing.T) (script, child *pidfd.Process) {
	t.Helper()
	bin := need(t, "script", "bsdutils")
	dir := t.TempDir()
	cmd := exec.Command(bin, "-q", "-f", "-e", "-c", need(t, "sleep", "coreutils")+" 1000", filepath.Join(dir, "typescript"))
	cmd.Env = append(os.Environ(), "SHELL=/bin/sh")
	// script reads its stdin and ends at its end: give it a pipe that
	// stays open.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	cmd.Stdin = r
	script = started(t, cmd)
	r.Close()
	// The child is the shell script runs the command with (it may exec
	// sleep, or fork it), the session leader of script's terminal.
	var leader proc.Stat
	poll.Until(t, deadline, "script's child leads a session on its terminal", func() bool {
		pids, _ := live.PIDs()
		for _, pid := range pids {
			st, err := live.Stat(pid)
			if err == nil && st.PPID == script.PID && st.HasTTY() && st.IsSessionLeader() {
				leader = st
				return true
			}
		}
		return false
	})
	return script, hold(t, leader.PID)
}

func TestLiveMatrixScriptExitHangsUpItsChild(t *testing.T) {
	script, child := startScript(t)
	_, p := predictionFor(t, child.PID, EventParentExits)
	script.Signal(unix.SIGKILL)
	waitExit(t, script, "script")
	got, detail := endsWithin(child)
	matrix(t, "the shell under script(1); script is killed", p, got, detail)
}

func TestLiveMatrixBlockedSignalStaysPending(t *testing.T) {
	script, child := startScript(t)
	r, p := predictionFor(t, script.PID, EventHUP)
	if !r.Facts.blocked("SIGHUP") {
		t.Skipf("script does not block SIGHUP here (SigBlk %v)", r.Facts.SigBlk)
	}
	if p.Effect != EffectProgramDecides || !strings.Contains(p.Outcome, "stays pending") {
		t.Errorf("prediction %s: %s", p.Effect, p.Outcome)
	}
	script.Signal(unix.SIGHUP)
	// The event to wait for: SIGHUP shows as pending, or script read it
	// and exited.
	var got Effect
	var detail string
	poll.Until(t, deadline, "SIGHUP is pending or script exits", func() bool {
		b, err := live.ReadFile(script.PID, "status")
		switch {
		case err != nil || !script.Alive():
			got, detail = EffectEnds, "script read SIGHUP from its signalfd and exited"
			return true
		case pending(b, unix.SIGHUP):
			got, detail = EffectSurvives, "SIGHUP stays pending (SigPnd/ShdPnd), script still runs"
			return true
		}
		return false
	})
	if !child.Alive() {
		detail += "; its child ended"
	}
	matrix(t, "script(1), which blocks signals and reads a signalfd; kill -HUP", p, got, detail)
}

// supervisord runs a program in the foreground and restarts it.
func TestLiveMatrixSupervisordProgram(t *testing.T) {
	bin := need(t, "supervisord", "supervisor")
	dir := t.TempDir()
	conf := fmt.Sprintf(`[supervisord]
nodaemon=true
logfile=%[1]s/supervisord.log
pidfile=%[1]s/supervisord.pid
childlogdir=%[1]s
[program:sleeper]
command=%[2]s 1000
autorestart=true
startsecs=0
`, dir, need(t, "sleep", "coreutils"))
	if err := os.WriteFile(filepath.Join(dir, "supervisord.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", filepath.Join(dir, "supervisord.conf"))
	cmd.Dir = dir
	sup := started(t, cmd)
	child := childOf(t, sup.PID, "sleep")
	r, p := predictionFor(t, child.PID, EventParentExits)
	if r.Kind != KindSupervised || r.Verdict != Daemon || !strings.Contains(r.KindWhy, "autorestart") {
		t.Errorf("kind %s verdict %s: %s", r.Kind, r.Verdict, r.KindWhy)
	}
	// It restarts the program when it dies.
	child.Signal(unix.SIGKILL)
	waitExit(t, child, "the program")
	again := childOf(t, sup.PID, "sleep")
	t.Logf("MATRIX | supervisord program killed | restart (kind %s) | restarted as PID %d", r.Kind, again.PID)
	sup.Signal(unix.SIGTERM)
	got, detail := endsWithin(again)
	matrix(t, "supervisord program; supervisord gets SIGTERM", p, got, detail)
}

func TestLiveMatrixRunsvService(t *testing.T) {
	bin := need(t, "runsv", "runit")
	dir := t.TempDir()
	run := "#!/bin/sh\nexec " + need(t, "sleep", "coreutils") + " 1000\n"
	if err := os.WriteFile(filepath.Join(dir, "run"), []byte(run), 0o755); err != nil {
		t.Fatal(err)
	}
	sv := started(t, exec.Command(bin, dir))
	child := childOf(t, sv.PID, "sleep")
	r, p := predictionFor(t, child.PID, EventParentExits)
	if r.Kind != KindSupervised || !strings.Contains(r.KindWhy, "always restarts") {
		t.Errorf("kind %s: %s", r.Kind, r.KindWhy)
	}
	child.Signal(unix.SIGKILL)
	waitExit(t, child, "the service")
	again := childOf(t, sv.PID, "sleep")
	t.Logf("MATRIX | runsv service killed | restart (kind %s) | restarted as PID %d", r.Kind, again.PID)
	sv.Signal(unix.SIGTERM)
	got, detail := endsWithin(again)
	matrix(t, "runsv service; runsv gets SIGTERM", p, got, detail)
}

// The init of a PID namespace: signals it has no handler for are dropped.
func TestLiveMatrixNamespaceInitDropsUnhandledSignals(t *testing.T) {
	bin := need(t, "unshare", "util-linux")
	sleep := need(t, "sleep", "coreutils")
	var cmd *exec.Cmd
	for _, args := range [][]string{{"-fp", "--mount-proc"}, {"-Urfp", "--mount-proc"}} {
		try := exec.Command(bin, append(args, "true")...)
		if try.Run() == nil {
			cmd = exec.Command(bin, append(args, sleep, "1000")...)
			break
		}
	}
	if cmd == nil {
		t.Skip("unshare -fp and unshare -Urfp are not permitted here")
	}
	un := started(t, cmd)
	init := childOf(t, un.PID, "sleep")
	r := explainLive(t, init.PID)
	if !r.Facts.isNamespaceInit() {
		t.Fatalf("NSpid %v: not its namespace's init", r.Facts.NSpid)
	}
	for _, sig := range []unix.Signal{unix.SIGHUP, unix.SIGTERM} {
		p := prediction(t, r, map[unix.Signal]string{unix.SIGHUP: EventHUP, unix.SIGTERM: EventTERM}[sig])
		init.Signal(sig)
		got, detail := outcome(t, init, sig)
		matrix(t, "sleep as PID 1 of unshare -p; kill -"+strings.TrimPrefix(proc.SignalName(sig), "SIG")+" from outside", p, got, detail)
	}
}

// Jobs of an interactive bash on a pty, when the terminal closes.
func TestLiveMatrixShellJobsOnHangup(t *testing.T) {
	t.Run("a background job", func(t *testing.T) {
		s := startShell(t, t.TempDir())
		st := s.run(t, "sleep 1001 &", "sleep")
		job := hold(t, st.PID)
		_, p := predictionFor(t, st.PID, EventTerminalCloses)
		s.master.Close()
		got, detail := endsWithin(job)
		matrix(t, "bash -i job `sleep &`; the pty master closes", p, got, detail)
	})
	t.Run("a process the shell never tracked", func(t *testing.T) {
		s := startShell(t, t.TempDir())
		s.master.WriteString("(sleep 1002 &)\n")
		var st proc.Stat
		poll.Until(t, deadline, "the subshell's sleep is orphaned", func() bool {
			pids, _ := live.PIDs()
			for _, pid := range pids {
				c, err := live.Stat(pid)
				if err == nil && c.Comm == "sleep" && c.SID == s.cmd.Process.Pid && c.PPID != s.cmd.Process.Pid {
					if a, err := live.Stat(c.PPID); err == nil && a.SID != c.SID {
						st = c
						return true
					}
				}
			}
			return false
		})
		job := hold(t, st.PID)
		_, p := predictionFor(t, st.PID, EventTerminalCloses)
		s.master.Close()
		waitExit(t, s.proc, "the shell")
		got, detail := outcome(t, job, unix.SIGHUP)
		matrix(t, "`(sleep &)` from bash -i, reparented; the pty master closes", p, got, detail)
	})
}

// A plain orphan: its parent exits and it is adopted.
func TestLiveMatrixOrphanKeepsRunning(t *testing.T) {
	sh := started(t, exec.Command(need(t, "sh", "dash"), "-c", need(t, "sleep", "coreutils")+" 1003 & wait"))
	child := childOf(t, sh.PID, "sleep")
	r, p := predictionFor(t, child.PID, EventParentExits)
	if r.Kind != KindBatchJob || r.Verdict != Normal {
		t.Errorf("a script's child: kind %s verdict %s", r.Kind, r.Verdict)
	}
	sh.Signal(unix.SIGKILL)
	waitExit(t, sh, "sh")
	poll.Until(t, deadline, "sleep is adopted", func() bool {
		st, err := live.Stat(child.PID)
		return err != nil || st.PPID != sh.PID
	})
	got, detail := EffectSurvives, "adopted, still running"
	if !child.Alive() {
		got, detail = EffectEnds, "exited"
	}
	matrix(t, "a script's child; the script is killed", p, got, detail)
	_, hup := predictionFor(t, child.PID, EventHUP)
	child.Signal(unix.SIGHUP)
	got, detail = outcome(t, child, unix.SIGHUP)
	matrix(t, "the adopted orphan; kill -HUP", hup, got, detail)
}

func TestLiveMatrixNginxReloadsOnSIGHUP(t *testing.T) {
	master, _ := startNginx(t)
	worker := childOf(t, master.PID, "nginx")
	r, p := predictionFor(t, master.PID, EventHUP)
	if r.Kind != KindSysV || !strings.Contains(p.Outcome, "nginx(8)") {
		t.Errorf("kind %s, prediction %q", r.Kind, p.Outcome)
	}
	master.Signal(unix.SIGHUP)
	poll.Until(t, deadline, "nginx starts a new worker", func() bool {
		w, ok := childNamed(master.PID, "nginx")
		return ok && w.PID != worker.PID
	})
	got, detail := outcome(t, master, unix.SIGHUP)
	matrix(t, "nginx master; kill -HUP", p, got, detail+", new worker started")
}

func init() {
	// The test binary re-executed as another user tries kill(pid, 0),
	// which checks permission without sending anything.
	reexec.Register("inspect-test-kill0", func(args []string) int {
		pid, _ := strconv.Atoi(args[0])
		if err := unix.Kill(pid, 0); err != nil {
			fmt.Println(err)
			return 0
		}
		fmt.Println("allowed")
		return 0
	})
}

// Another user's kill fails with EPERM, and dlab says so.
func TestLiveMatrixAnotherUsersKillFailsWithEPERM(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a copy of the test as nobody")
	}
	target := started(t, exec.Command(need(t, "sleep", "coreutils"), "1004"))
	r := explainAsNobody(t, target.PID)
	p := prediction(t, r, EventTERM)
	if !strings.Contains(p.Outcome, "EPERM") {
		t.Errorf("prediction for nobody: %q", p.Outcome)
	}
	self, err := reexec.Self()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	copyPath := filepath.Join(dir, "inspect.test")
	b, _ := os.ReadFile(self)
	os.WriteFile(copyPath, b, 0o755)
	cmd := exec.Command(copyPath, reexec.Args("inspect-test-kill0", strconv.Itoa(target.PID))[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("cannot run as nobody: %v", err)
	}
	t.Logf("MATRIX | root's sleep, asked by nobody | %s (says EPERM: %v) | nobody's kill: %s", p.Event, strings.Contains(p.Outcome, "EPERM"), strings.TrimSpace(string(out)))
	if !strings.Contains(string(out), "operation not permitted") {
		t.Errorf("nobody's kill: %s", out)
	}
}

// A thread's TID belongs to its process.
func TestLiveThreadIDBelongsToItsProcess(t *testing.T) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		tid, _ := strconv.Atoi(task.Name())
		if tid == os.Getpid() {
			continue
		}
		if tgid, err := live.ThreadGroup(tid); err != nil || tgid != os.Getpid() {
			t.Errorf("TGID(%d) = %d, %v; want %d", tid, tgid, err, os.Getpid())
		}
		return
	}
	t.Skip("the test process has a single thread")
}

// A unix datagram socket bound to a path (what rsyslogd serves /dev/log
// with) is found by its path.
func TestLiveUnixDatagramServerIsFoundByItsPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	h, err := HoldersOf(live, path)
	if err != nil {
		t.Fatal(err)
	}
	if h.PID != os.Getpid() || h.SocketType != proc.Datagram {
		t.Errorf("holders %+v, want this test (%d) on a dgram socket", h, os.Getpid())
	}
	r := explainLive(t, os.Getpid())
	expectRow(t, r, "listening sockets", path+" (fd "+strconv.Itoa(fd)+", datagram, bound)", nil)
}

func init() {
	// The test binary re-executed as root drops to nobody without exec:
	// the kernel makes it non-dumpable, and gives its /proc files to root.
	reexec.Register("inspect-test-setuid", func(args []string) int {
		if err := syscall.Setuid(65534); err != nil {
			fmt.Println(err)
			return 1
		}
		fmt.Println("ready")
		buf := make([]byte, 1)
		os.Stdin.Read(buf)
		return 0
	})
}

// dlab ps shows the effective user, as ps does, even where the owner of
// /proc/PID/stat says root: it takes the owner of the directory /proc/PID.
func TestLiveListShowsTheEffectiveUserOfANonDumpableProcess(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to change uid without exec")
	}
	cmd, err := reexec.Command("inspect-test-setuid")
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := started(t, cmd)
	t.Cleanup(func() { stdin.Close() })
	line := make([]byte, 6)
	if _, err := out.Read(line); err != nil || string(line) != "ready\n" {
		t.Fatalf("helper: %q %v", line, err)
	}
	// The kernel gave the files under /proc/PID to root: USER must not
	// come from them.
	var file syscall.Stat_t
	if err := syscall.Stat(live.Path(p.PID, "stat"), &file); err != nil || file.Uid != 0 {
		t.Fatalf("/proc/%d/stat owned by uid %d, %v: want root", p.PID, file.Uid, err)
	}
	l, err := List(live, MapNames{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range l.Processes {
		if q.PID == p.PID {
			if q.UID != 65534 {
				t.Errorf("dlab ps shows uid %d, want the effective uid 65534", q.UID)
			}
			return
		}
	}
	t.Fatalf("PID %d not listed", p.PID)
}
