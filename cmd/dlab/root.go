package main

import (
	"errors"
	"fmt"
	"strings"

	"dlab/cmd/dlab/iostreams"

	"github.com/spf13/cobra"
)

// exitError ends dlab with a status but without a message of its own: the
// command has already said what happened (a failed grade, a mismatch).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func newRootCmd(ios *iostreams.IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "dlab",
		Short: "Learn how a Linux daemon differs from a normal process, on live processes",
		Long: `dlab shows, on real processes, what makes a daemon a daemon.

  dlab lesson signals     read a lesson, with live demos next to the text
  dlab explain PID        is this process a daemon? with evidence from /proc
  dlab ps --daemons       every process with its verdict
  dlab demo compare       a real normal process and a real daemon, side by side
  dlab workshop           the guided classroom path with checked exercises
  dlab check -- CMD       grade your own daemon against daemon(7)`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.AddCommand(
		newExplainCmd(ios, nil),
		newPsCmd(ios, nil),
		newDemoCmd(ios),
		newLessonCmd(ios, nil),
		newWorkshopCmd(ios),
		newCheckCmd(ios, nil),
	)
	return root
}

// run executes dlab with args and returns the exit status. Every error ends
// as one line on stderr: never a stack trace.
func run(args []string, ios *iostreams.IOStreams) int {
	root := newRootCmd(ios)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	msg := strings.TrimSpace(err.Error())
	// cobra's own usage errors get a pointer to --help.
	if strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand") || strings.Contains(msg, "arg(s)") ||
		strings.HasPrefix(msg, "invalid argument") || strings.HasPrefix(msg, "flag needs") {
		msg = strings.SplitN(msg, "\n", 2)[0] + " (see '" + cmd.CommandPath() + " --help')"
	}
	fmt.Fprintf(ios.ErrOut, "dlab: %s\n", strings.ReplaceAll(msg, "\n", " "))
	return 1
}
