package main

import (
	"errors"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

func newDemoCmd(ios *iostreams.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("demo is not built yet")
		},
	}
}
