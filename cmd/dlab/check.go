package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/core/grade"
	"dlab/demos/text/safe"

	"github.com/spf13/cobra"
)

// checkOptions holds the flags and arguments of dlab check.
type checkOptions struct {
	IO *iostreams.IOStreams

	Command  []string
	NewStyle bool
	JSON     bool
	Timeout  time.Duration
	PIDFile  string
	MaxProcs int
}

func newCheckCmd(ios *iostreams.IOStreams, runF func(*checkOptions) error) *cobra.Command {
	opts := &checkOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "check [flags] -- CMD [ARGS...]",
		Short: "Grade your own daemon against daemon(7), on the live system",
		Long: `Run a program as it would be started from an interactive shell (on a fresh
pseudo-terminal, as the foreground job) and grade it against daemon(7)'s SysV
steps, each observed from outside on the live processes: control returns
promptly, the original process exits, the daemon has no controlling terminal,
is in a new session, is not a session leader (the second fork), its stdio is
not on the terminal, cwd is /, umask is set, a PID file names it, the terminal
hanging up and SIGHUP don't kill it, SIGTERM ends it promptly and it removes
its PID file. Each required step is judged on a live daemon: a trial that
would end it (kill -HUP on a daemon that leaves SIGHUP at its default
action) runs last, on a fresh start of the program.

The PID file is found in the program's arguments (--pidfile X, any argument
ending in .pid), else among your new *.pid files in the usual places; give
it with --pidfile otherwise. Only a small regular file is read.

Required steps (without them the program is still tied to your terminal or
session) decide pass or fail; recommended ones give warnings. With --new-style
the program is started as a service manager starts one, and graded as a
daemon that stays in the foreground, logs to stderr, ends on SIGTERM and says
READY=1 on $NOTIFY_SOCKET.

Everything the program started is ended afterwards, also on ^C, and also
when dlab itself is killed ('dlab demo cleanup' finds what is left if all of
dlab's processes were killed at once). The exit status is 0 only when the
program passes; with --json, a program that can't be run is a failed report
on stdout with its reason.`,
		Example: `  dlab check -- ./mydaemon.sh
  dlab check --pidfile /tmp/mydaemon.pid -- ./mydaemon --port 8080
  dlab check -- redis-server --daemonize yes --port 6390 --pidfile /tmp/redis.pid
  dlab check --new-style -- ./myservice
  dlab check --json -- ./mydaemon.sh | jq .passed`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("no program to check: give one after --, as in 'dlab check -- ./mydaemon.sh'")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Command = args
			if opts.Timeout <= 0 {
				return fmt.Errorf("--timeout %s: want a positive duration, such as 5s", opts.Timeout)
			}
			if opts.MaxProcs < 2 {
				return fmt.Errorf("--max-procs %d: want at least 2", opts.MaxProcs)
			}
			if runF != nil {
				return runF(opts)
			}
			return runCheck(opts)
		},
	}
	// Everything after the program's name is the program's: dlab check
	// ./d.sh --foo passes --foo on.
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().BoolVar(&opts.NewStyle, "new-style", false, "grade a daemon meant for a service manager (no fork, logs to stderr, READY=1)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the result as JSON")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", grade.DefaultTimeout, "how long control may take to return, and the daemon to end after SIGTERM")
	cmd.Flags().StringVar(&opts.PIDFile, "pidfile", "", "where the daemon writes its PID (default: found from its arguments or new *.pid files)")
	cmd.Flags().IntVar(&opts.MaxProcs, "max-procs", 100, "processes the program may have at once before it counts as forking without bound")
	return cmd
}

func runCheck(opts *checkOptions) error {
	// ^C, a hang-up of dlab's own terminal or a kill ends the check; the
	// grader then ends everything the program started.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	gopts := grade.Options{
		Command:  opts.Command,
		NewStyle: opts.NewStyle,
		Timeout:  opts.Timeout,
		PIDFile:  opts.PIDFile,
		MaxProcs: opts.MaxProcs,
	}
	if err := grade.Runnable(opts.Command[0], ""); err != nil {
		return checkFailed(opts, gopts, err)
	}
	if opts.IO.IsTerminal && !opts.JSON {
		fmt.Fprintf(opts.IO.ErrOut, "dlab: running %s and watching it (a few seconds)...\n", safe.Text(opts.Command[0]))
	}
	r, err := grade.Run(ctx, gopts)
	if err != nil {
		return checkFailed(opts, gopts, err)
	}
	if opts.JSON {
		err = grade.JSON(opts.IO.Out, r)
	} else {
		err = grade.Text(opts.IO.Out, r, grade.TextOptions{Color: opts.IO.Color, Width: opts.IO.TermWidth(80)})
	}
	if err != nil {
		return err
	}
	switch {
	case r.Aborted:
		return exitError{code: 130}
	case !r.Passed:
		return exitError{code: 1}
	}
	return nil
}

// checkFailed reports a program that could not be checked at all: with
// --json, as a failed report carrying the reason, since an autograder reads
// standard output; otherwise as one line on stderr. Exit status 1 when the
// program is at fault, 2 when dlab is.
func checkFailed(opts *checkOptions, gopts grade.Options, err error) error {
	if !opts.JSON {
		return err
	}
	r := grade.Unchecked(gopts, err)
	if jerr := grade.JSON(opts.IO.Out, r); jerr != nil {
		return jerr
	}
	if r.GraderError {
		return exitError{code: 2}
	}
	return exitError{code: 1}
}
