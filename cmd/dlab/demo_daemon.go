package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
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
	writeDaemon(opts.IO.Out, d)
	return nil
}

// writeDaemon tells what the daemon is and how to look at it.
func writeDaemon(w io.Writer, d *sysv.Daemon) {
	fmt.Fprintf(w, "Started the demo daemon: PID %d.\n\n", d.PID)
	fmt.Fprintln(w, "How it got there, each process as it saw itself in /proc/self/stat:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  PROCESS\tPID\tPPID\tPGID\tSID\tTTY")
	for _, s := range d.Stages {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%s\n", stageLabel(s), s.PID, s.PPID, s.PGID, s.SID, s.TTY)
	}
	tw.Flush()
	fmt.Fprintln(w)

	user := d.User
	if d.DroppedFrom != "" {
		user += " (dlab ran as " + d.DroppedFrom + ": the daemon dropped its privileges, step 13)"
	}
	rows := [][2]string{
		{"parent", d.Reaper.String()},
		{"session", fmt.Sprintf("%d, the first child's (gone); not its leader, the daemon can never get a terminal", sessionOf(d))},
		{"user", user},
		{"stdio", "/dev/null (fd 0, 1, 2); it writes its own log"},
		{"umask", fmt.Sprintf("%04o", d.Umask)},
		{"cwd", "/"},
		{"PID file", d.PIDFile},
		{"log", d.LogFile},
		{"config", d.ConfigFile + " (edit it, then kill -HUP)"},
	}
	if d.Addr != "" {
		rows = append(rows, [2]string{"listening", d.Addr + " (in bash: cat </dev/tcp/" + strings.Replace(d.Addr, ":", "/", 1) + ")"})
	}
	rows = append(rows, [2]string{"ends", fmt.Sprintf("by itself after %s, or with dlab demo stop %d", d.Lifetime, d.PID)})
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\t%s\n", r[0], r[1])
	}
	tw.Flush()

	fmt.Fprintf(w, `
Look at it:
  ps -o pid,ppid,pgid,sid,tty,stat,user,comm -p %[1]d
  dlab explain %[1]d
  ls -l /proc/%[1]d/fd
  kill -HUP %[1]d; tail -n 1 %[2]s
  dlab demo stop %[1]d
`, d.PID, d.LogFile)
}

// stageLabel names a stage in a few words: "first child, after setsid (step 6)".
func stageLabel(s sysv.Stage) string {
	when, _, _ := strings.Cut(s.When, ":")
	return s.Name + ", " + when
}

func sessionOf(d *sysv.Daemon) int {
	if n := len(d.Stages); n > 0 {
		return d.Stages[n-1].SID
	}
	return 0
}
