package main

import (
	"errors"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

type demoNormalOptions struct {
	IO *iostreams.IOStreams
}

func newDemoNormalCmd(ios *iostreams.IOStreams, runF func(*demoNormalOptions) error) *cobra.Command {
	opts := &demoNormalOptions{IO: ios}
	return &cobra.Command{
		Use:   "normal",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return errors.New("demo normal is not built yet")
		},
	}
}
