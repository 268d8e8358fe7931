package spectrum

import (
	"context"
	"fmt"
	"os/exec"

	"dlab/demos/launch/reexec"

	"golang.org/x/sys/unix"
)

// TerminalJob is a program that a shell on a terminal started as a
// background job through a wrapper command: nohup(1) or setsid(1).
type TerminalJob struct {
	*group
	TTY string `json:"tty"` // the terminal, "pts/N"
}

// StartNohup runs `nohup PROGRAM` as a background job of a shell on a new
// terminal: nohup ignores SIGHUP before it execs the program (the
// disposition survives exec) and, since stdout is the terminal, sends the
// output to nohup.out in the demo's directory.
func StartNohup(ctx context.Context, opts Options) (*TerminalJob, error) {
	return startTerminalJob(ctx, Nohup, "nohup", opts)
}

// StartSetsid runs `setsid PROGRAM` as a background job of a shell on a new
// terminal. The job leads a process group, so setsid(1) forks first (setsid(2)
// fails for a group leader) and the program, in a new session without a
// controlling terminal, is left to the reaper; its stdio stay the terminal.
func StartSetsid(ctx context.Context, opts Options) (*TerminalJob, error) {
	return startTerminalJob(ctx, Setsid, "setsid", opts)
}

func startTerminalJob(ctx context.Context, kind Kind, wrapper string, opts Options) (*TerminalJob, error) {
	wrapperPath, err := exec.LookPath(wrapper)
	if err != nil {
		return nil, fmt.Errorf("the %s demo needs %s(1), which is not in PATH: install coreutils (nohup) or util-linux (setsid)", kind, wrapper)
	}
	self, err := reexec.Self()
	if err != nil {
		return nil, err
	}
	g, err := newGroup(kind, opts)
	if err != nil {
		return nil, err
	}
	life := opts.lifetime().String()
	job := append([]string{wrapperPath, self}, reexec.Args(roleProgram, "--ready-fd=3", "--lifetime="+life)[1:]...)
	shell := append([]string{roleShell, "--ready-fd=3", "--log=shell.log", "--lifetime=" + life, "--"}, job...)
	sctx, cancel := startContext(ctx)
	defer cancel()
	got, err := startHolder(sctx, g, roleTerminal, opts.lifetime(), shell...)
	err = g.holdAnnounced(got, err,
		announced{"program", "program", "the program, started as `" + wrapper + " dlab ...` by the shell"},
		announced{"shell", "shell", "the shell: session leader and controlling process of the terminal"},
		announced{roleTerminal, "terminal", "the terminal window: holds the master side of the pseudo-terminal"})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, g.fail(err)
	}
	return &TerminalJob{group: g, TTY: got[roleTerminal].Fields["tty"]}, nil
}

// Program is the job's program.
func (j *TerminalJob) Program() Member { return j.member("program") }

// Hangup closes the terminal (its window closes: the holder closes the
// master) and returns once the shell, the controlling process, has reacted
// to the SIGHUP the kernel sent it and exited.
func (j *TerminalJob) Hangup(ctx context.Context) error {
	term := j.proc(j.member("terminal").PID)
	shell := j.proc(j.member("shell").PID)
	if err := term.Signal(unix.SIGTERM); err != nil {
		return fmt.Errorf("cannot close the terminal: %w", err)
	}
	if err := waitAll(ctx, term, shell); err != nil {
		return fmt.Errorf("the terminal did not hang up: %w", err)
	}
	return nil
}
