// Package pidlock shows the race-free PID file: a daemon opens its PID file,
// takes an exclusive flock(2) on it and keeps it open for as long as it
// runs. A second copy fails to take the lock at once (EWOULDBLOCK) instead
// of reading a number and guessing whether that process is still the
// daemon; lsof shows the lock; and when the daemon dies, even by SIGKILL
// with no clean-up, the kernel drops the lock with its last descriptor, so
// the stale file can't block the next start or point a stop at a reused PID.
//
// The holders are dlab itself in a hidden role (reexec). Each reads its
// standard input, a pipe only dlab writes to, and ends at its end of file:
// when the demo is over or when dlab is gone.
package pidlock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"dlab/demos/launch/reexec"

	"golang.org/x/sys/unix"
)

const role = "pidfile-holder"

func init() { reexec.Register(role, holder) }

// holder is the daemon's start-up step 12 done right: open the PID file
// without truncating it (a running copy's PID must survive a failed start),
// lock it, and only then write its own PID. It reports "locked PID" or
// "busy ERRNO PID-IN-FILE" on stdout, and holds the lock until stdin ends.
func holder(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: __pidfile-holder PATH")
		return 2
	}
	f, err := os.OpenFile(args[0], os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		fmt.Printf("busy %s %s\n", errnoName(err), strings.TrimSpace(string(b[:n])))
		return 1
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	fmt.Printf("locked %d\n", os.Getpid())
	io.Copy(io.Discard, os.Stdin)
	// A clean stop removes the file; the lock goes with the descriptor.
	os.Remove(args[0])
	// The lock lives as long as the descriptor: without this, f is unused
	// after WriteAt and the garbage collector may close it (and drop the
	// lock) while we wait on stdin.
	runtime.KeepAlive(f)
	return 0
}

func errnoName(err error) string {
	if errors.Is(err, unix.EWOULDBLOCK) {
		return "EWOULDBLOCK"
	}
	return err.Error()
}

// Result is what the demo saw.
type Result struct {
	Path      string
	First     int    // the daemon that took the lock
	Second    string // what a second copy got: "EWOULDBLOCK"
	SecondPID int    // the PID the second copy read from the file
	Lsof      []string
	LsofNote  string // why there is no lsof output, if there is none
	Stale     string // the file's content after the first was SIGKILLed
	Killed    string // how the first ended
	Third     int    // a new copy, started after the kill: it got the lock at once
}

// Run does it: a daemon holds the lock, a second copy is refused, lsof is
// asked, the daemon is killed with SIGKILL, and a third copy starts at once
// on the stale file. Every process has ended when Run returns.
func Run(ctx context.Context) (Result, error) {
	dir, err := os.MkdirTemp("", "dlab-pidlock-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	r := Result{Path: filepath.Join(dir, "demo.pid")}

	first, err := start(ctx, r.Path)
	if err != nil {
		return r, err
	}
	defer first.stop()
	if r.First, err = first.locked(); err != nil {
		return r, err
	}

	second, err := start(ctx, r.Path)
	if err != nil {
		return r, err
	}
	line, err := second.report()
	second.stop()
	if err != nil {
		return r, err
	}
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != "busy" {
		return r, fmt.Errorf("the second copy was not refused: it said %q", line)
	}
	r.Second = f[1]
	r.SecondPID, _ = strconv.Atoi(f[2])

	r.Lsof, r.LsofNote = lsof(ctx, r.Path)

	// SIGKILL: no handler runs, nothing is cleaned up; only the kernel
	// closes the descriptors, and the lock with them.
	first.cmd.Process.Signal(syscall.SIGKILL)
	werr := first.cmd.Wait()
	first.waited = true
	r.Killed = "exited"
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.Killed = "killed by " + unix.SignalName(ws.Signal())
		}
	}
	b, err := os.ReadFile(r.Path)
	if err != nil {
		return r, fmt.Errorf("the PID file is gone after SIGKILL: %w", err)
	}
	r.Stale = strings.TrimSpace(string(b))

	third, err := start(ctx, r.Path)
	if err != nil {
		return r, err
	}
	defer third.stop()
	if r.Third, err = third.locked(); err != nil {
		return r, err
	}
	return r, nil
}

// copy is one started holder.
type copyProc struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	ctx    context.Context
	waited bool
}

func start(ctx context.Context, path string) (*copyProc, error) {
	cmd, err := reexec.Command(role, path)
	if err != nil {
		return nil, err
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start a copy of the demo daemon: %w", err)
	}
	return &copyProc{cmd: cmd, in: in, out: bufio.NewReader(out), ctx: ctx}, nil
}

// report waits for the copy's one line, or for ctx.
func (c *copyProc) report() (string, error) {
	type res struct {
		line string
		err  error
	}
	ch := make(chan res, 1)
	go func() {
		l, err := c.out.ReadString('\n')
		ch <- res{strings.TrimSpace(l), err}
	}()
	select {
	case r := <-ch:
		if r.err != nil && r.line == "" {
			return "", fmt.Errorf("the demo daemon said nothing: %w", r.err)
		}
		return r.line, nil
	case <-c.ctx.Done():
		c.stop()
		return "", c.ctx.Err()
	}
}

func (c *copyProc) locked() (int, error) {
	line, err := c.report()
	if err != nil {
		return 0, err
	}
	pid, ok := strings.CutPrefix(line, "locked ")
	if !ok {
		return 0, fmt.Errorf("the demo daemon could not lock its PID file: %q", line)
	}
	return strconv.Atoi(pid)
}

// stop ends the copy: the end of its stdin, which it takes as "stop".
func (c *copyProc) stop() {
	if c.waited {
		return
	}
	c.waited = true
	c.in.Close()
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-c.ctx.Done():
		c.cmd.Process.Kill()
		<-done
	}
}

// lsof asks lsof who has path open: the FD column ends in W for a write
// lock on the whole file (and lsof reads /proc/locks to say so).
func lsof(ctx context.Context, path string) ([]string, string) {
	bin, err := exec.LookPath("lsof")
	if err != nil {
		for _, d := range []string{"/usr/bin", "/usr/sbin", "/bin", "/sbin"} {
			if _, err := os.Stat(filepath.Join(d, "lsof")); err == nil {
				bin = filepath.Join(d, "lsof")
			}
		}
	}
	if bin == "" {
		return nil, "lsof is not installed here (Debian: apt install lsof)"
	}
	out, err := exec.CommandContext(ctx, bin, "-w", path).Output()
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) < 2 {
		return nil, fmt.Sprintf("lsof showed nothing (%v)", err)
	}
	return lines, ""
}

// LockColumn is lsof's FD column for pid ("5uW": descriptor 5, open for
// reading and writing, write lock on the whole file), or "".
func LockColumn(lsof []string, pid int) string {
	for _, l := range lsof {
		f := strings.Fields(l)
		if len(f) >= 4 && f[1] == strconv.Itoa(pid) {
			return f[3]
		}
	}
	return ""
}
