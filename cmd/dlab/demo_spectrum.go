package main

import (
	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

// newDemoSpectrumCmds builds the commands for the processes between a normal
// process and a daemon (nohup, setsid, a pty held by a server, a supervised
// foreground service).
func newDemoSpectrumCmds(ios *iostreams.IOStreams) []*cobra.Command {
	return nil
}
