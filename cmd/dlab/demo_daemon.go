package main

import (
	"errors"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

type demoDaemonOptions struct {
	IO *iostreams.IOStreams
}

func newDemoDaemonCmd(ios *iostreams.IOStreams, runF func(*demoDaemonOptions) error) *cobra.Command {
	opts := &demoDaemonOptions{IO: ios}
	return &cobra.Command{
		Use:   "daemon",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return errors.New("demo daemon is not built yet")
		},
	}
}
