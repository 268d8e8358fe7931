package main

import (
	"os"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

// workshopGotoOptions holds what dlab workshop goto runs with.
type workshopGotoOptions struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	*workshopFlags

	Step string // a step number or a lesson or exercise name
}

func newWorkshopGotoCmd(ios *iostreams.IOStreams, flags *workshopFlags, runF func(*workshopGotoOptions) error) *cobra.Command {
	opts := &workshopGotoOptions{IO: ios, Getenv: os.Getenv, workshopFlags: flags}
	return &cobra.Command{
		Use:     "goto STEP",
		Short:   "Jump to a step, by number or lesson name",
		Example: "  dlab workshop goto 3\n  dlab workshop goto signals",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Step = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runWorkshopGoto(opts)
		},
	}
}

func runWorkshopGoto(opts *workshopGotoOptions) error {
	w, err := openWorkshop(opts.Getenv)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	s, err := w.Goto(ctx, opts.Step)
	if err != nil {
		return err
	}
	if err := w.Save(); err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(opts.IO, w.JSON(opts.Instructor).Steps[s.Number-1])
	}
	return w.WriteStep(opts.IO.Out, s, opts.view(opts.IO))
}
