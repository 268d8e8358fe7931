package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"dlab/demos/core/proc"

	"github.com/creack/pty"
)

// terminal is an interactive bash on a pseudo-terminal, typed into as a
// student would.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptm  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	seen int // output before this offset has been matched already
	more chan struct{}
	once sync.Once
}

func startTerminal(t *testing.T, env []string) *terminal {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	if _, err := exec.LookPath("dlab"); err != nil {
		t.Skip("dlab is not in $PATH (testscript puts the test binary there as dlab)")
	}
	cmd := exec.Command(bash, "--norc", "--noprofile", "-i")
	cmd.Env = append(os.Environ(), env...)
	cmd.Env = append(cmd.Env, "PS1=$ ", "TERM=dumb", "NO_COLOR=1")
	ptm, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, cmd: cmd, ptm: ptm, more: make(chan struct{}, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptm.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			select {
			case term.more <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(term.close)
	return term
}

// typeLine types a line and Enter.
func (term *terminal) typeLine(s string) {
	term.t.Helper()
	if _, err := term.ptm.WriteString(s + "\r"); err != nil {
		term.t.Fatal(err)
	}
}

// expect waits for output matching re after what was matched before, and
// returns the match.
func (term *terminal) expect(re string) string {
	term.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(20 * time.Second)
	for {
		term.mu.Lock()
		s := term.out.String()[term.seen:]
		loc := rx.FindStringIndex(s)
		if loc != nil {
			term.seen += loc[1]
		}
		term.mu.Unlock()
		if loc != nil {
			return s[loc[0]:loc[1]]
		}
		select {
		case <-term.more:
		case <-deadline:
			term.t.Fatalf("no %q on the terminal; it shows:\n%s", re, s)
		}
	}
}

func (term *terminal) close() { term.once.Do(term.exit) }

func (term *terminal) exit() {
	term.ptm.WriteString("exit\r")
	done := make(chan struct{})
	go func() { term.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		term.cmd.Process.Kill()
		<-done
	}
	term.ptm.Close()
}

// TestWorkshopInAShell goes through exercises the way a student does: in an
// interactive shell on a terminal, with ^Z and background jobs, and finds
// the progress again in a new shell.
func TestWorkshopInAShell(t *testing.T) {
	dir := t.TempDir()
	env := []string{"HOME=" + dir, "XDG_STATE_HOME=" + filepath.Join(dir, "state"), "XDG_RUNTIME_DIR=" + filepath.Join(dir, "run")}
	os.MkdirAll(filepath.Join(dir, "run"), 0o700)

	term := startTerminal(t, env)
	term.typeLine("dlab workshop >/dev/null; dlab workshop check $$; echo rc=$?")
	term.expect(`PASS: yes, \d+ is your shell: a normal process with the controlling terminal pts/\d+`)
	term.expect(`rc=0`)

	// ^Z: the terminal driver stops the foreground job.
	term.typeLine("dlab workshop goto stopped-job >/dev/null")
	term.typeLine("sleep 600")
	waitForeground(t, term, "sleep")
	term.ptm.Write([]byte{0x1a})
	term.expect(`Stopped +sleep 600`)
	term.typeLine("dlab workshop check $(jobs -p %sleep); echo rc=$?")
	term.expect(`PASS: yes: \d+ is stopped \(T\)`)
	term.expect(`rc=0`)
	term.typeLine("kill -9 %1")

	// A background job dies with the terminal; nohup's survives.
	term.typeLine("dlab workshop goto survive-hangup >/dev/null; sleep 601 & dlab workshop check $!; echo rc=$?; kill $!")
	term.expect(`NOT YET: it would die`)
	term.expect(`rc=1`)
	term.typeLine("nohup sleep 602 >/dev/null 2>&1 & dlab workshop check $!; echo rc=$?; kill $!")
	term.expect(`PASS: nohup: it ignores SIGHUP`)
	term.expect(`rc=0`)
	term.close()

	// A new shell, a new dlab: the progress is still there.
	term = startTerminal(t, env)
	term.typeLine("dlab workshop status")
	term.expect(`3 of \d+ exercises done; at step \d+ of \d+ \(startup\)`)
	term.typeLine("dlab workshop reset; dlab workshop status")
	term.expect(`Not started yet`)
}

// waitForeground waits until a process named comm is the foreground job of
// the terminal's shell, so ^Z reaches it and not the shell still starting it.
func waitForeground(t *testing.T, term *terminal, comm string) {
	t.Helper()
	fs := proc.Live()
	shell, err := fs.Stat(term.cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		pids, _ := fs.PIDs()
		for _, pid := range pids {
			st, err := fs.Stat(pid)
			if err == nil && st.Comm == comm && st.TTY == shell.TTY && st.InForeground() {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %s in the foreground of the shell's terminal", comm)
}
