package main

import (
	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

func newDemoCmd(ios *iostreams.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Start real demo processes (a normal one, a daemon, and the ones in between) and inspect them",
	}
	cmd.AddCommand(
		newDemoDaemonCmd(ios, nil),
		newDemoNormalCmd(ios, nil),
		newDemoStopCmd(ios, nil),
		newDemoCleanupCmd(ios, nil),
		newDemoCompareCmd(ios, nil),
	)
	cmd.AddCommand(newDemoSpectrumCmds(ios)...)
	return cmd
}
