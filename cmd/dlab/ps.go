package main

import (
	"errors"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

// psOptions holds the flags and arguments of dlab ps.
type psOptions struct {
	IO   *iostreams.IOStreams
	Args []string
}

func newPsCmd(ios *iostreams.IOStreams, runF func(*psOptions) error) *cobra.Command {
	opts := &psOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "ps",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if runF != nil {
				return runF(opts)
			}
			return runPs(opts)
		},
	}
	return cmd
}

func runPs(opts *psOptions) error {
	return errors.New("ps is not built yet")
}
