// Package tool runs the machine's own programs (ps, pgrep, pkill,
// systemd-analyze, systemctl) for a lesson and hands back what they printed
// and their exit status, so that lessons/ starts no process itself.
package tool

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// sbin are the directories Debian installs system tools in, which are off
// an ordinary user's PATH.
var sbin = []string{"/usr/sbin", "/sbin"}

// Path finds name in PATH, then in /usr/sbin and /sbin.
func Path(name string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	for _, d := range sbin {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// Installed reports whether name can be run (see Path).
func Installed(name string) bool {
	_, ok := Path(name)
	return ok
}

// Result is what one run printed and how it ended.
type Result struct {
	Output []byte // stdout, and stderr too when Run was asked for both
	Code   int    // exit status; -1 when it could not be run or was killed
}

// Options change how a program runs.
type Options struct {
	Dir      string   // its working directory; "" for dlab's
	Env      []string // added to dlab's environment
	NoStderr bool     // keep stdout only (stderr is discarded)
}

// Run runs name with args and returns what it printed (stdout and stderr,
// interleaved as a terminal would show them) and its exit status. An error
// means it could not be run at all; a non-zero exit status is not one.
func Run(ctx context.Context, opts Options, name string, args ...string) (Result, error) {
	path, ok := Path(name)
	if !ok {
		path = name // let exec say what is wrong
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Args[0] = name
	cmd.Dir = opts.Dir
	if opts.Env != nil {
		cmd.Env = append(os.Environ(), opts.Env...)
	}
	var out []byte
	var err error
	if opts.NoStderr {
		out, err = cmd.Output()
	} else {
		out, err = cmd.CombinedOutput()
	}
	res := Result{Output: out}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.Code = ee.ExitCode()
		return res, nil
	case err != nil:
		res.Code = -1
		return res, err
	}
	return res, nil
}

// Alive reports whether a process with this PID exists (a zombie counts):
// kill(2) with signal 0 checks without sending anything.
func Alive(pid int) bool { return syscall.Kill(pid, 0) == nil }
