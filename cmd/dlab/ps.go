package main

import (
	"fmt"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"

	"github.com/spf13/cobra"
)

// psOptions holds the flags and arguments of dlab ps.
type psOptions struct {
	IO   *iostreams.IOStreams
	Args []string

	Daemons bool
	Normal  bool
	JSON    bool
	// ProcRoot is where /proc is; tests point it at a fixture tree.
	ProcRoot string
}

func newPsCmd(ios *iostreams.IOStreams, runF func(*psOptions) error) *cobra.Command {
	opts := &psOptions{IO: ios, ProcRoot: proc.DefaultRoot}
	cmd := &cobra.Command{
		Use:   "ps",
		Short: "Every process with its verdict: daemon, normal, kernel-thread or zombie",
		Long: `Lists every process with a verdict and the columns that justify it: the
session (SID), process group (PGID), controlling terminal (TTY) and its
foreground group (TPGID). It reads /proc/PID/stat of every process, and the
owner of /proc/PID for the effective user, as ps shows it, so the
verdict rests on the terminal, the session and the parent: a job a parent
runs without a terminal (cron, ssh host cmd) is normal, as in dlab explain,
which reads the whole evidence (stdio, sockets) and can differ where those
decide.`,
		Example: `  dlab ps --daemons
  dlab ps --normal
  dlab ps --json | jq '.[] | select(.verdict == "zombie")'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if runF != nil {
				return runF(opts)
			}
			return runPs(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Daemons, "daemons", false, "only daemons")
	cmd.Flags().BoolVar(&opts.Normal, "normal", false, "only normal processes")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON: one object per process, with pid, verdict and evidence")
	cmd.Flags().StringVar(&opts.ProcRoot, "proc-root", proc.DefaultRoot, "read processes from this /proc tree")
	_ = cmd.Flags().MarkHidden("proc-root")
	return cmd
}

func runPs(opts *psOptions) error {
	fs, err := proc.New(opts.ProcRoot)
	if err != nil {
		return err
	}
	listing, err := inspect.List(fs, nil)
	if err != nil {
		return err
	}
	shown := listing.Processes
	if opts.Daemons || opts.Normal {
		shown = shown[:0:0]
		for _, p := range listing.Processes {
			if opts.Daemons && p.Verdict == inspect.Daemon || opts.Normal && p.Verdict == inspect.Normal {
				shown = append(shown, p)
			}
		}
	}
	if len(listing.Errors) > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "dlab: %d processes could not be read; the first: %v\n", len(listing.Errors), listing.Errors[0])
	}
	if opts.JSON {
		entries := make([]inspect.PsEntry, len(shown))
		for i, p := range shown {
			entries[i] = p.Entry()
		}
		return writeJSON(opts.IO, entries)
	}
	return inspect.WriteTable(opts.IO.Out, shown)
}
