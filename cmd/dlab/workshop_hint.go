package main

import (
	"os"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

// workshopHintOptions holds what dlab workshop hint runs with.
type workshopHintOptions struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	*workshopFlags
}

func newWorkshopHintCmd(ios *iostreams.IOStreams, flags *workshopFlags, runF func(*workshopHintOptions) error) *cobra.Command {
	opts := &workshopHintOptions{IO: ios, Getenv: os.Getenv, workshopFlags: flags}
	return &cobra.Command{
		Use:   "hint",
		Short: "Show one more hint for the current exercise",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runWorkshopHint(opts)
		},
	}
}

func runWorkshopHint(opts *workshopHintOptions) error {
	w, err := openWorkshop(opts.Getenv)
	if err != nil {
		return err
	}
	s, hints, total, err := w.Hint()
	if err != nil {
		return err
	}
	if err := w.Save(); err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(opts.IO, struct {
			Step  int      `json:"step"`
			Hints []string `json:"hints"`
			Total int      `json:"total"`
		}{s.Number, hints, total})
	}
	return w.WriteHints(opts.IO.Out, s, hints, total, opts.view(opts.IO))
}
