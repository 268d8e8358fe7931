package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/core/grade"
	"dlab/demos/launch/registry"

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

// stopTimeout is how long dlab waits after SIGTERM before SIGKILL.
const stopTimeout = 5 * time.Second

// endLeftovers ends what an earlier dlab, killed before it could end its
// demo, left running (the promise of `dlab demo`: nothing leaks), and says
// so on stderr.
//
// An unusable state directory is the one error it returns: the demo could
// not record its processes either, and the user reads it once.
func endLeftovers(ios *iostreams.IOStreams) error {
	if _, err := registry.Default(); err != nil {
		return err
	}
	ended, err := registry.CleanupLeftovers(stopTimeout)
	if _, cgErr := grade.EndLeftoverChecks(ended); cgErr != nil {
		err = errors.Join(err, cgErr)
	}
	if err != nil {
		fmt.Fprintf(ios.ErrOut, "dlab: could not end every leftover of an earlier run: %v\n", err)
	}
	for _, e := range ended {
		if e.Signalled {
			fmt.Fprintf(ios.ErrOut, "dlab: ended PID %d (%s), left running by an earlier dlab that was killed: %s\n", e.Entry.PID, e.Entry.Kind, e.How)
		}
	}
	return nil
}

// parseDemoPID reads the PID of a demo process.
func parseDemoPID(arg string) (int, error) {
	pid, err := strconv.Atoi(strings.TrimSpace(arg))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("%q is not a process ID: give the PID that dlab demo printed", arg)
	}
	return pid, nil
}
