package main

import (
	"errors"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

type demoStopOptions struct {
	IO *iostreams.IOStreams
}

func newDemoStopCmd(ios *iostreams.IOStreams, runF func(*demoStopOptions) error) *cobra.Command {
	opts := &demoStopOptions{IO: ios}
	return &cobra.Command{
		Use:   "stop",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return errors.New("demo stop is not built yet")
		},
	}
}

type demoCleanupOptions struct {
	IO *iostreams.IOStreams
}

func newDemoCleanupCmd(ios *iostreams.IOStreams, runF func(*demoCleanupOptions) error) *cobra.Command {
	opts := &demoCleanupOptions{IO: ios}
	return &cobra.Command{
		Use:   "cleanup",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return errors.New("demo cleanup is not built yet")
		},
	}
}
