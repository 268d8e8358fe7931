package main

import (
	"fmt"
	"os"

	"dlab/cmd/dlab/iostreams"
	"dlab/lessons/workshop"

	"github.com/spf13/cobra"
)

// workshopResetOptions holds what dlab workshop reset runs with.
type workshopResetOptions struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	*workshopFlags
}

func newWorkshopResetCmd(ios *iostreams.IOStreams, flags *workshopFlags, runF func(*workshopResetOptions) error) *cobra.Command {
	opts := &workshopResetOptions{IO: ios, Getenv: os.Getenv, workshopFlags: flags}
	return &cobra.Command{
		Use:   "reset",
		Short: "Forget all progress and stop the workshop's demo daemon",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runWorkshopReset(opts)
		},
	}
}

// runWorkshopReset does not load the progress: reset is what dlab says to
// run when the progress can't be loaded (damaged, another version's).
func runWorkshopReset(opts *workshopResetOptions) error {
	store, err := workshop.DefaultStore(opts.Getenv)
	if err != nil {
		return err
	}
	if err := store.Reset(); err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(opts.IO, struct {
			Reset bool `json:"reset"`
		}{true})
	}
	fmt.Fprintln(opts.IO.Out, "Workshop progress forgotten; the demo daemon, if any, is stopped. Begin again with: dlab workshop next")
	return nil
}
