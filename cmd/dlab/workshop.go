package main

import (
	"errors"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

func newWorkshopCmd(ios *iostreams.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "workshop",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("workshop is not built yet")
		},
	}
}
