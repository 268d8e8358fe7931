// Package grade grades a student's daemon by running it and watching it from
// outside, on the live system.
//
// A SysV daemon is started the way an interactive shell starts a command: on
// a fresh pseudo-terminal, by a session leader that makes it the foreground
// job. A new-style daemon is started the way a service manager starts one:
// in its own session, with no terminal, stdio on pipes, NOTIFY_SOCKET set.
// Each of daemon(7)'s steps is then checked from outside: on /proc, with a
// hang-up of the terminal and with real signals.
//
// The running and watching happen in a hidden dlab role, the harness, which
// is a child subreaper: the daemon that double-forked away from its caller is
// adopted by the harness instead of init, so it can be found and, at the end,
// ended together with everything else the program started. Observe runs the
// harness and returns what it saw; Judge turns that into pass, fail and warn
// items (pure); Text and JSON render the result.
package grade

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
)

// Options say what to grade and how.
type Options struct {
	// Command is the program and its arguments.
	Command []string `json:"command"`
	// NewStyle grades a daemon meant for a service manager.
	NewStyle bool `json:"new_style"`
	// Timeout bounds the wait for control to return (SysV), for readiness
	// (new-style) and for SIGTERM to end the daemon. Default 5s.
	Timeout time.Duration `json:"timeout_ns"`
	// PIDFile is where the daemon writes its PID, if known; otherwise dlab
	// looks at the arguments and for new *.pid files in the usual places.
	PIDFile string `json:"pid_file"`
	// Dir is the working directory to start the program in; default the
	// current one.
	Dir string `json:"dir"`
	// MaxProcs is how many processes the program may have at once before it
	// counts as forking without bound. Default 100.
	MaxProcs int `json:"max_procs"`
}

// DefaultTimeout is how long a program gets to return control, and a daemon
// to end after SIGTERM.
const DefaultTimeout = 5 * time.Second

func (o Options) withDefaults() (Options, error) {
	if len(o.Command) == 0 || o.Command[0] == "" {
		return o, errors.New("no program to check: give one after --, as in 'dlab check -- ./mydaemon'")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxProcs <= 0 {
		o.MaxProcs = 100
	}
	if o.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return o, fmt.Errorf("cannot find the current directory to start the program in: %w", err)
		}
		o.Dir = wd
	}
	if o.PIDFile != "" && !filepath.IsAbs(o.PIDFile) {
		o.PIDFile = filepath.Join(o.Dir, o.PIDFile)
	}
	return o, nil
}

// Run grades the program: it observes it, then judges what it saw.
func Run(ctx context.Context, opts Options) (Result, error) {
	obs, err := Observe(ctx, opts)
	if err != nil {
		return Result{}, err
	}
	return Judge(obs), nil
}

// ErrHarness means the grader itself failed (its harness died, or could not
// start): the program was not judged. Try again; if it persists, it is a bug
// in dlab.
var ErrHarness = errors.New("the grader's harness failed without a report")

// ErrNotRunnable means the program named in Options.Command cannot be
// started: it does not exist, or is not executable.
var ErrNotRunnable = errors.New("cannot run")

// Runnable checks that the program can be started, and says what is wrong
// in words a student can act on.
func Runnable(prog, dir string) error {
	path := prog
	if strings.Contains(prog, "/") && !filepath.IsAbs(prog) {
		path = filepath.Join(dir, prog)
	}
	if !strings.Contains(prog, "/") {
		if _, err := exec.LookPath(prog); err != nil {
			return fmt.Errorf("%w %q: not found in $PATH (for a file in this directory, write ./%s)", ErrNotRunnable, prog, prog)
		}
		return nil
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w %s: no such file", ErrNotRunnable, prog)
	case err != nil:
		return fmt.Errorf("%w %s: %w", ErrNotRunnable, prog, err)
	case st.IsDir():
		return fmt.Errorf("%w %s: it is a directory", ErrNotRunnable, prog)
	case st.Mode()&0o111 == 0:
		return fmt.Errorf("%w %s: it is not executable (chmod +x %s)", ErrNotRunnable, prog, prog)
	}
	return nil
}

// Observe starts the harness, which runs the program and watches it, and
// returns what it saw. When ctx is cancelled (^C), the harness ends
// everything the program started and Observe returns the partial
// observation with Aborted set.
func Observe(ctx context.Context, opts Options) (Observation, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Observation{}, err
	}
	if err := Runnable(opts.Command[0], opts.Dir); err != nil {
		return Observation{}, err
	}
	optsJSON, err := json.Marshal(opts)
	if err != nil {
		return Observation{}, err
	}
	// The guard runs the harness and ends what it leaves should it die.
	cmd, err := reexec.Command(guardRole, string(optsJSON))
	if err != nil {
		return Observation{}, err
	}
	// The control pipe: the harness reads it until EOF, which means "stop
	// now and clean up" — sent on ^C, and also when dlab dies, since the
	// kernel closes dlab's end then.
	ctrlR, ctrlW, err := os.Pipe()
	if err != nil {
		return Observation{}, err
	}
	defer ctrlW.Close()
	repR, repW, err := os.Pipe()
	if err != nil {
		ctrlR.Close()
		return Observation{}, err
	}
	defer repR.Close()
	var stderr tailBuffer
	cmd.Stdin = ctrlR
	cmd.Stderr = &stderr
	cmd.ExtraFiles = []*os.File{repW}
	// Its own process group, so ^C at dlab's terminal reaches only dlab,
	// which then tells the harness to clean up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		ctrlR.Close()
		repW.Close()
		return Observation{}, fmt.Errorf("cannot start the grader's harness: %w", err)
	}
	ctrlR.Close()
	repW.Close()

	report := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(repR)
		report <- b
	}()
	var b []byte
	aborted := false
	select {
	case b = <-report:
	case <-ctx.Done():
		aborted = true
		ctrlW.Close()
		select {
		case b = <-report:
		case <-time.After(15 * time.Second):
			// The harness is stuck: kill it, and the guard ends what it
			// leaves; the guard itself only if that does not come.
			killChildren(cmd.Process.Pid)
			select {
			case b = <-report:
			case <-time.After(15 * time.Second):
				cmd.Process.Kill()
			}
		}
	}
	var obs Observation
	if err := json.Unmarshal(b, &obs); err == nil {
		// The report is complete: the harness has ended everything the
		// program started, and it and the guard are only exiting now.
		// Collect them meanwhile.
		go cmd.Wait()
		if aborted {
			obs.Aborted = true
		}
		return obs, nil
	}
	waitErr := cmd.Wait()
	if err := json.Unmarshal(b, &obs); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" && waitErr != nil {
			msg = waitErr.Error()
		}
		return Observation{}, fmt.Errorf("%w: %s", ErrHarness, strings.TrimPrefix(lastLine(msg), "dlab: "))
	}
	if aborted {
		obs.Aborted = true
	}
	return obs, nil
}

// tailBuffer keeps the last few KiB written to it.
type tailBuffer struct{ bytes.Buffer }

func (t *tailBuffer) Write(p []byte) (int, error) {
	const max = 8 << 10
	t.Buffer.Write(p)
	if t.Len() > max {
		t.Next(t.Len() - max)
	}
	return len(p), nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" {
		return "no message"
	}
	return s
}

// killChildren sends SIGKILL to the children of pid (the guard's: the
// harness), each through a pidfd so that a reused PID is never hit.
func killChildren(pid int) {
	all, _ := proc.Live().Descendants(pid)
	for _, st := range all {
		if st.PPID != pid {
			continue
		}
		if p, err := pidfd.Open(st.PID, st.StartTime); err == nil {
			p.Signal(syscall.SIGKILL)
			p.Close()
		}
	}
}
