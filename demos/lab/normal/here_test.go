package normal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dlab/demos/lab/normal"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/launch/registry"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// hereResult is what normal-test-here reports on fd 3.
type hereResult struct {
	Here        normal.Here
	Err         string
	Notes       []string
	Foreground  bool // dlab's group is the terminal's foreground group again
	TermiosSame bool // the terminal's settings were given back
}

func init() {
	// normal-test-here plays dlab run from an interactive terminal: it is
	// started as a session leader on a pty (so /dev/tty is that pty and its
	// group is in the foreground) and calls RunHere; it reports on fd 3.
	reexec.Register("normal-test-here", func(args []string) int {
		out := os.NewFile(3, "result")
		var res hereResult
		tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
		if err != nil {
			res.Err = err.Error()
			json.NewEncoder(out).Encode(res)
			return 1
		}
		before, _ := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		reg := registry.Store{Dir: args[0]}
		res.Here, err = normal.RunHere(context.Background(), tty, normal.Options{Lifetime: time.Minute, Registry: &reg},
			func(s string) { res.Notes = append(res.Notes, s) })
		if err != nil {
			res.Err = err.Error()
		}
		fg, _ := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
		res.Foreground = fg == unix.Getpgrp()
		after, _ := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		res.TermiosSame = before != nil && after != nil && *before == *after
		json.NewEncoder(out).Encode(res)
		return 0
	})
}

// hereSession is dlab (the normal-test-here role) started from an
// interactive terminal: master is the terminal's other side, screen what
// it shows, result where the role reports.
type hereSession struct {
	master *os.File
	screen *syncBuffer
	result *os.File
	cmd    *exec.Cmd
	done   chan error
}

func startHere(t *testing.T) *hereSession {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := reexec.Command("normal-test-here", filepath.Join(t.TempDir(), "processes"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.ExtraFiles = []*os.File{w}
	// A session leader with the pty as its controlling terminal, in its
	// foreground, as a login shell is.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	w.Close()
	h := &hereSession{master: master, screen: &syncBuffer{}, result: r, cmd: cmd, done: make(chan error, 1)}
	go func() { h.done <- cmd.Wait() }()
	go io.Copy(h.screen, master)
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-h.done
		master.Close()
		r.Close()
	})
	return h
}

func TestRunHereInTheUsersTerminal(t *testing.T) {
	t.Parallel()
	h := startHere(t)
	master, screen, r := h.master, h.screen, h.result
	// The user reads the intro, presses ^Z, then ^C twice.
	waitScreen(t, screen, "q quits")
	master.Write([]byte{0x1a})
	waitScreen(t, screen, "SIGCONT: running again")
	master.Write([]byte{0x03})
	waitScreen(t, screen, "^C again ends it")
	master.Write([]byte{0x03})

	var res hereResult
	if err := json.NewDecoder(r).Decode(&res); err != nil {
		t.Fatalf("no result: %v; screen:\n%s", err, screen.String())
	}
	if res.Err != "" || res.Here.How != "killed by SIGINT" {
		t.Fatalf("RunHere: %+v", res)
	}
	if !res.Foreground || !res.TermiosSame {
		t.Errorf("the terminal was not given back: foreground %v, settings restored %v", res.Foreground, res.TermiosSame)
	}
	if len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "stopped by SIGSTOP") {
		t.Errorf("dlab's notes: %q", res.Notes)
	}
	if !strings.Contains(screen.String(), "foreground  yes") {
		t.Errorf("the program did not see itself in the foreground:\n%s", screen.String())
	}
}

func TestRunHereProgramIsHungUpWhenDlabIsKilled(t *testing.T) {
	t.Parallel()
	h := startHere(t)
	screen := h.screen
	waitScreen(t, screen, "q quits")
	var pid int
	if _, err := fmt.Sscanf(screen.String(), "The demo normal program, PID %d", &pid); err != nil {
		t.Fatalf("no PID on the screen: %v\n%s", err, screen.String())
	}
	prog, err := pidfd.Open(pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	// dlab killed: it can't end its job itself.
	h.cmd.Process.Kill()
	exit, err := prog.ExitStatus(deadline(t))
	if err != nil {
		t.Fatal(err)
	}
	if exit.Known && exit.Signal() != unix.SIGHUP {
		t.Fatalf("the program %s, want killed by SIGHUP", exit)
	}
}

func TestRunHereRefusesWithoutATerminal(t *testing.T) {
	t.Parallel()
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := normal.RunHere(context.Background(), f, normal.Options{}, func(string) {}); err != normal.ErrNoTerminal && !strings.Contains(err.Error(), normal.ErrNoTerminal.Error()) {
		t.Fatalf("RunHere on /dev/null: %v", err)
	}
}

// syncBuffer collects a terminal's screen and wakes waiters on each write.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitScreen waits until the screen shows substr, waking on each write.
func waitScreen(t *testing.T, b *syncBuffer, substr string) {
	t.Helper()
	ctx := deadline(t)
	for {
		b.mu.Lock()
		text := b.buf.String()
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		changed := b.changed
		b.mu.Unlock()
		if strings.Contains(text, substr) {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("the screen never showed %q:\n%s", substr, text)
		}
	}
}
