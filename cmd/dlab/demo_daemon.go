package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/lab/sysv"

	"github.com/spf13/cobra"
)

// demoDaemonOptions holds the flags of dlab demo daemon.
type demoDaemonOptions struct {
	IO       *iostreams.IOStreams
	Lifetime time.Duration
	Listen   bool
	JSON     bool
}

func newDemoDaemonCmd(ios *iostreams.IOStreams, runF func(*demoDaemonOptions) error) *cobra.Command {
	opts := &demoDaemonOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "daemon",
		Short: "Start a classic SysV daemon, made with every step of daemon(7), and leave it running",
		Long: `Start the demo daemon: dlab makes itself a daemon with the fifteen steps that
systemd's daemon(7) lists for SysV daemons (close inherited fds, reset signal
handlers and mask, sanitize the environment, fork, setsid, fork again, let
the first child exit, /dev/null on stdio, umask, cwd /, a PID file, drop
privileges when root, tell the launcher it is ready).

It returns once the daemon is ready, prints its PID, and leaves it running
for you to look at with ps, pstree, lsof, dlab explain and kill. SIGHUP makes
it reload its configuration, SIGTERM makes it exit cleanly. It ends by itself
after --lifetime; dlab demo stop PID or dlab demo cleanup end it sooner.`,
		Example: `  dlab demo daemon
  pid=$(dlab demo daemon --json | jq .pid)
  dlab demo daemon --listen --lifetime 10m`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Lifetime <= 0 {
				return fmt.Errorf("--lifetime must be positive, not %v", opts.Lifetime)
			}
			if runF != nil {
				return runF(opts)
			}
			return runDemoDaemon(opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Lifetime, "lifetime", sysv.DefaultLifetime, "the daemon ends by itself after this long")
	cmd.Flags().BoolVar(&opts.Listen, "listen", false, "listen on 127.0.0.1 (a free port), to show a daemon's socket")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the daemon as JSON, for scripts")
	return cmd
}

func runDemoDaemon(opts *demoDaemonOptions) error {
	// ^C or SIGTERM while it starts: Start ends whatever it had started.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := endLeftovers(opts.IO); err != nil {
		return err
	}

	d, err := sysv.Start(ctx, sysv.Options{Lifetime: opts.Lifetime, Listen: opts.Listen, Keep: true})
	if err != nil {
		if ctx.Err() != nil {
			// Interrupted is not failed: the shell's convention, 128 + SIGINT.
			fmt.Fprintln(opts.IO.ErrOut, "dlab: interrupted: the demo daemon was not left running")
			return exitError{code: 130}
		}
		return err
	}
	if opts.JSON {
		return writeJSON(opts.IO, d)
	}
	d.WriteText(opts.IO.Out)
	return nil
}
