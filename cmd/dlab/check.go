package main

import (
	"errors"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

// checkOptions holds the flags and arguments of dlab check.
type checkOptions struct {
	IO   *iostreams.IOStreams
	Args []string
}

func newCheckCmd(ios *iostreams.IOStreams, runF func(*checkOptions) error) *cobra.Command {
	opts := &checkOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if runF != nil {
				return runF(opts)
			}
			return runCheck(opts)
		},
	}
	return cmd
}

func runCheck(opts *checkOptions) error {
	return errors.New("check is not built yet")
}
