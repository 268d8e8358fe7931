// Package orphan starts, for tests, a process that is nobody's child of
// theirs: dlab in a hidden role starts a sleeper in a session of its own,
// says its PID and exits, as the first child of a SysV daemon does after
// the second fork. (A shell's "cmd &" would not do: a non-interactive shell
// starts background jobs with SIGINT ignored.) The sleeper ends after a
// minute, or sooner when its lifeline or the test ends it.
//
// A test binary that imports it dispatches the roles: its TestMain calls
// reexec.Dispatch first.
package orphan

import (
	"fmt"
	"os/exec"
	"syscall"
	"time"

	"dlab/demos/launch/reexec"
)

const (
	parentRole  = "testkit-orphan-parent"
	sleeperRole = "testkit-orphan-sleeper"
)

func init() {
	reexec.Register(parentRole, func([]string) int {
		cmd, err := reexec.Command(sleeperRole)
		if err != nil {
			return 1
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			return 1
		}
		fmt.Println(cmd.Process.Pid)
		return 0
	})
	reexec.Register(sleeperRole, func([]string) int {
		time.Sleep(time.Minute)
		return 0
	})
}

// Command is the command that starts an orphan: it prints the orphan's PID
// (read it with PID) and exits.
func Command() (*exec.Cmd, error) { return reexec.Command(parentRole) }

// PID reads the orphan's PID from what Command printed.
func PID(out []byte) (int, error) {
	var pid int
	if _, err := fmt.Sscan(string(out), &pid); err != nil {
		return 0, fmt.Errorf("no PID in %q: %w", out, err)
	}
	return pid, nil
}
