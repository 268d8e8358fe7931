package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/lab/compare"

	"github.com/spf13/cobra"
)

// demoCompareOptions holds the flags of dlab demo compare.
type demoCompareOptions struct {
	IO            *iostreams.IOStreams
	NoExperiments bool
	JSON          bool
	Markdown      bool
}

func newDemoCompareCmd(ios *iostreams.IOStreams, runF func(*demoCompareOptions) error) *cobra.Command {
	opts := &demoCompareOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "compare",
		Short: "A real normal process and a real daemon, side by side, and what signals do to each",
		Long: `Start a normal process (the foreground job of a shell on a new pseudo-terminal)
and a classic SysV daemon (every step of daemon(7)), and show them side by
side as dlab explain sees them: every row of the classic table (the one the
lesson differences checks), then the facts (PID, parent, session, process
group, terminal, fds, cwd, umask, user), and for SIGHUP, SIGINT and SIGTERM
whether each handled the signal, from what it did when sent one (with
--no-experiments, its disposition as /proc gives it).

Then the experiments, each on fresh processes: SIGTERM, SIGHUP, SIGINT and
SIGKILL sent to both, ^C typed on the terminal and the terminal hung up, with
what the lesson expects and what was observed. A mismatch is shown, and makes
the exit status 1. On a busy machine every wait grows with the load; an
experiment whose outcome still isn't seen in time is "inconclusive" (the
machine was too busy), which is not a mismatch.

Every process it starts has ended when it returns, also on ^C.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.JSON && opts.Markdown {
				return fmt.Errorf("--json and --markdown don't go together: pick one")
			}
			if runF != nil {
				return runF(opts)
			}
			return runDemoCompare(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.NoExperiments, "no-experiments", false, "only the side-by-side comparison")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print every observed value as JSON")
	cmd.Flags().BoolVar(&opts.Markdown, "markdown", false, "print Markdown tables, as a lesson shows them")
	return cmd
}

func runDemoCompare(opts *demoCompareOptions) error {
	// ^C or SIGTERM: Run ends every process it started, then returns.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	endLeftovers(opts.IO)

	r, err := compare.Run(ctx, compare.Options{Experiments: !opts.NoExperiments})
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(opts.IO.ErrOut, "dlab: interrupted: every process it had started has been ended")
			return exitError{code: 130}
		}
		return fmt.Errorf("demo compare: %w", err)
	}
	switch {
	case opts.JSON:
		if err := writeJSON(opts.IO, r); err != nil {
			return err
		}
	case opts.Markdown:
		fmt.Fprint(opts.IO.Out, r.Markdown())
	default:
		r.WriteText(opts.IO.Out, opts.IO.Color, opts.IO.Width)
	}
	if r.Experiments.Mismatches() > 0 {
		return exitError{code: 1}
	}
	return nil
}
