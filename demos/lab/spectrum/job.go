package spectrum

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// TerminalJob is a program that a shell on a terminal started as a
// background job through a wrapper command: nohup(1) or setsid(1).
type TerminalJob struct {
	*group
	TTY   string `json:"tty"`   // the terminal, "pts/N"
	Shell string `json:"shell"` // the shell typed into: "bash" or "sh"
}

// StartNohup types `nohup dlab ... &` into a real interactive shell on a
// new terminal, next to a plain background job: nohup ignores SIGHUP before
// it execs the program (the disposition survives exec) and, since stdout is
// the terminal, sends the output to nohup.out in the demo's directory, the
// shell's working directory.
func StartNohup(ctx context.Context, opts Options) (*TerminalJob, error) {
	return startTerminalJob(ctx, Nohup, "nohup", opts)
}

// StartSetsid types `setsid dlab ... &` into a real interactive shell on a
// new terminal, next to a plain background job. The job leads a process
// group, so setsid(1) forks first (setsid(2) fails for a group leader) and
// the program, in a new session without a controlling terminal, is left to
// the reaper; its stdio stay the terminal.
func StartSetsid(ctx context.Context, opts Options) (*TerminalJob, error) {
	return startTerminalJob(ctx, Setsid, "setsid", opts)
}

func startTerminalJob(ctx context.Context, kind Kind, wrapper string, opts Options) (*TerminalJob, error) {
	if _, err := exec.LookPath(wrapper); err != nil {
		return nil, fmt.Errorf("the %s demo needs %s(1), which is not in PATH: install coreutils (nohup) or util-linux (setsid)", kind, wrapper)
	}
	g, err := newGroup(kind, opts)
	if err != nil {
		return nil, err
	}
	sctx, cancel := startContext(ctx)
	defer cancel()
	args := []string{wrapper}
	if opts.Shell != "" {
		args = []string{"--shell=" + opts.Shell, wrapper}
	}
	got, err := startHolder(sctx, g, roleTerminal, opts.lifetime(), args...)
	shellName := got["shell"].Fields["name"]
	err = g.holdAnnounced(got, err,
		announced{"program", "program", "the program, typed as `" + wrapper + " dlab ... &` into the shell"},
		announced{"job", "job", "a plain background job, typed as `dlab ... &` into the shell, to compare"},
		announced{"shell", "shell", "the shell, a real " + shellName + " -i: session leader and controlling process of the terminal"},
		announced{roleTerminal, "terminal", "the terminal window: holds the master side of the pseudo-terminal"})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, g.fail(err)
	}
	return &TerminalJob{group: g, TTY: got[roleTerminal].Fields["tty"], Shell: shellName}, nil
}

// Program is the job's program.
func (j *TerminalJob) Program() Member { return j.member("program") }

// Hangup closes the terminal (its window closes: the holder closes the
// master) and returns once the shell, the controlling process, has reacted
// to the SIGHUP the kernel sent it and exited, and each job that the shell
// sent a signal on its way out has ended. A job with nothing pending once
// the shell is gone got nothing from it: no one else sends a background
// job SIGHUP at a hang-up.
func (j *TerminalJob) Hangup(ctx context.Context) error {
	term := j.proc(j.member("terminal").PID)
	shell := j.proc(j.member("shell").PID)
	if err := term.Signal(unix.SIGTERM); err != nil {
		return fmt.Errorf("cannot close the terminal: %w", err)
	}
	if err := waitAll(ctx, term, shell); err != nil {
		return fmt.Errorf("the terminal did not hang up: %w", err)
	}
	for _, role := range []string{"job", "program"} {
		m := j.member(role)
		if proc.Live().Ending(m.PID, m.StartTime, unix.SIGHUP) {
			if err := waitAll(ctx, j.proc(m.PID)); err != nil {
				return fmt.Errorf("the %s did not end of the SIGHUP it got: %w", role, err)
			}
		}
	}
	return nil
}

// Transcript is what the terminal showed: the commands typed at the
// shell's prompt, and what the shell and the programs wrote.
func (j *TerminalJob) Transcript() string {
	b, err := os.ReadFile(j.path("screen.txt"))
	if err != nil {
		return ""
	}
	return strings.ReplaceAll(string(b), "\r", "")
}
