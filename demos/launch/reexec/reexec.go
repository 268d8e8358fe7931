// Package reexec lets dlab start copies of itself in hidden roles.
//
// Go can't fork without exec, so every "fork" of the classic daemon recipe is
// dlab executing its own binary again as `dlab __ROLE ARGS...`. A role is
// registered by the package that owns it; main (and TestMain in the tests of
// any package that launches roles) calls Dispatch first, so the same binary
// serves as the demo daemon, the demo normal process and the launcher.
package reexec

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	"dlab/demos/launch/lifeline"
)

const prefix = "__"

var (
	mu    sync.Mutex
	roles = map[string]func(args []string) int{}
)

// Register makes role available to Command. It panics on a duplicate name,
// which is a programming error caught by any test.
func Register(role string, run func(args []string) int) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := roles[role]; dup {
		panic("reexec: role registered twice: " + role)
	}
	roles[role] = run
}

// Dispatch runs the role named in os.Args, if any, and exits with its status.
// It returns when this process was not started in a role: an unregistered
// "__" word (cobra's own "__complete" for shell completion, or a typo) is
// left to the command line parser.
//
// A role started with a lifeline (see Command) ends itself once the dlab
// that started it is gone; a process that is not a role is dlab itself, the
// anchor of the processes it starts.
func Dispatch() {
	run, ok := lookup()
	if !ok {
		lifeline.Clear()
		return
	}
	lifeline.Watch()
	os.Exit(run(os.Args[2:]))
}

func lookup() (func([]string) int, bool) {
	if len(os.Args) < 2 || !strings.HasPrefix(os.Args[1], prefix) {
		return nil, false
	}
	mu.Lock()
	defer mu.Unlock()
	run, ok := roles[strings.TrimPrefix(os.Args[1], prefix)]
	return run, ok
}

// Self is the path of the running binary. It is used instead of
// /proc/self/exe so the new process's command name stays "dlab" (or the test
// binary's name) rather than "exe".
func Self() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot find dlab's own binary to start a demo process: %w", err)
	}
	return p, nil
}

// Command returns a command that runs this binary in role with args. argv[0]
// is "dlab", which is also how testscript recognises the binary. The
// command carries a lifeline to the dlab this process belongs to (itself,
// or the one that started this role): the role ends itself when that dlab
// is gone. A process meant to outlive dlab needs lifeline.Cut; a caller
// that replaces cmd.Env calls lifeline.Attach again.
func Command(role string, args ...string) (*exec.Cmd, error) {
	self, err := Self()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Args = append([]string{"dlab", prefix + role}, args...)
	lifeline.Attach(cmd)
	return cmd, nil
}

// Args returns the argument vector (without the binary path) that runs role,
// for callers that need a raw syscall.ForkExec.
func Args(role string, args ...string) []string {
	return append([]string{"dlab", prefix + role}, args...)
}
