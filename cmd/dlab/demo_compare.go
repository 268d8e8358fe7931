package main

import (
	"errors"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

type demoCompareOptions struct {
	IO *iostreams.IOStreams
}

func newDemoCompareCmd(ios *iostreams.IOStreams, runF func(*demoCompareOptions) error) *cobra.Command {
	opts := &demoCompareOptions{IO: ios}
	return &cobra.Command{
		Use:   "compare",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return errors.New("demo compare is not built yet")
		},
	}
}
