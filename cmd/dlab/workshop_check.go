package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"dlab/cmd/dlab/iostreams"
	"dlab/lessons/workshop"

	"github.com/spf13/cobra"
)

// workshopCheckOptions holds what dlab workshop check runs with.
type workshopCheckOptions struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	*workshopFlags

	Answer []string // as many words as the current exercise asks for
}

func newWorkshopCheckCmd(ios *iostreams.IOStreams, flags *workshopFlags, runF func(*workshopCheckOptions) error) *cobra.Command {
	opts := &workshopCheckOptions{IO: ios, Getenv: os.Getenv, workshopFlags: flags}
	cmd := &cobra.Command{
		Use:   "check [ANSWER...]",
		Short: "Check your answer to the current exercise on the live system",
		Long: `Check your answer to the current exercise on the live system. What the answer
is (a PID, a file, your program and its arguments) and how many words it has is
on the exercise's "Answer:" line; more words than that are a usage error.`,
		Example: "  dlab workshop check $$\n  dlab workshop check ./worker.sh",
		// How many words an answer has depends on the current exercise:
		// the workshop checks that once it knows which one it is.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Answer = args
			if runF != nil {
				return runF(opts)
			}
			return runWorkshopCheck(opts)
		},
	}
	// The answer may be a command with its own flags (the daemonize step).
	cmd.Flags().SetInterspersed(false)
	return cmd
}

func runWorkshopCheck(opts *workshopCheckOptions) error {
	w, err := openWorkshop(opts.Getenv)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	if e := w.Current().Exercise; e != nil && e.Slow && opts.IO.IsTerminal && !opts.JSON {
		fmt.Fprintln(opts.IO.ErrOut, "dlab: running it and watching it (a few seconds)...")
	}
	s, o, err := w.Check(ctx, opts.Answer)
	var ae *workshop.AnswerError
	switch {
	case errors.Is(err, context.Canceled):
		// What the interrupted check changed (a new demo daemon) is kept.
		if err := w.Save(); err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "dlab: %v\n", err)
		}
		return exitError{code: 130}
	case errors.As(err, &ae):
		return &FlagError{err}
	case err != nil:
		return err
	}
	if err := w.Save(); err != nil {
		return err
	}
	if opts.JSON {
		err = writeJSON(opts.IO, struct {
			Step     int              `json:"step"`
			Exercise string           `json:"exercise"`
			Notes    []string         `json:"notes,omitempty"`
			Outcome  workshop.Outcome `json:"outcome"`
		}{s.Number, s.Exercise.ID, w.Env.Notes, o})
	} else {
		err = w.WriteOutcome(opts.IO.Out, s, o, w.Env.Notes, opts.view(opts.IO))
	}
	if err != nil {
		return err
	}
	if !o.Passed {
		return exitError{code: 1}
	}
	return nil
}
