package main

import (
	"errors"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

// explainOptions holds the flags and arguments of dlab explain.
type explainOptions struct {
	IO   *iostreams.IOStreams
	Args []string
}

func newExplainCmd(ios *iostreams.IOStreams, runF func(*explainOptions) error) *cobra.Command {
	opts := &explainOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "explain",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if runF != nil {
				return runF(opts)
			}
			return runExplain(opts)
		},
	}
	return cmd
}

func runExplain(opts *explainOptions) error {
	return errors.New("explain is not built yet")
}
