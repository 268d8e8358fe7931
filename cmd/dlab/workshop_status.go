package main

import (
	"os"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

// workshopStatusOptions holds what dlab workshop status runs with.
type workshopStatusOptions struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	*workshopFlags
}

func newWorkshopStatusCmd(ios *iostreams.IOStreams, flags *workshopFlags, runF func(*workshopStatusOptions) error) *cobra.Command {
	opts := &workshopStatusOptions{IO: ios, Getenv: os.Getenv, workshopFlags: flags}
	return &cobra.Command{
		Use:   "status",
		Short: "How far you are",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runWorkshopStatus(opts)
		},
	}
}

func runWorkshopStatus(opts *workshopStatusOptions) error {
	w, err := openWorkshop(opts.Getenv)
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(opts.IO, w.JSON(opts.Instructor))
	}
	return w.WriteStatus(opts.IO.Out, opts.view(opts.IO))
}
