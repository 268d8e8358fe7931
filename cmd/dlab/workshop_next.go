package main

import (
	"fmt"
	"os"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

// workshopNextOptions holds what dlab workshop next runs with.
type workshopNextOptions struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	*workshopFlags
}

func newWorkshopNextCmd(ios *iostreams.IOStreams, flags *workshopFlags, runF func(*workshopNextOptions) error) *cobra.Command {
	opts := &workshopNextOptions{IO: ios, Getenv: os.Getenv, workshopFlags: flags}
	return &cobra.Command{
		Use:   "next",
		Short: "Go on to the next step",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runWorkshopNext(opts)
		},
	}
}

func runWorkshopNext(opts *workshopNextOptions) error {
	w, err := openWorkshop(opts.Getenv)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	s, moved, err := w.Next(ctx)
	if err != nil {
		return err
	}
	if err := w.Save(); err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(opts.IO, w.JSON(opts.Instructor).Steps[s.Number-1])
	}
	if !moved {
		fmt.Fprintln(opts.IO.Out, "This is the last step; dlab workshop status shows how it went.")
	}
	return w.WriteStep(opts.IO.Out, s, opts.view(opts.IO))
}
