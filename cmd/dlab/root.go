package main

import (
	"encoding/json"
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

// FlagError is a usage error: an unknown flag or command, a wrong number of
// arguments, a flag value out of range. run points the user to the
// command's --help for it. (gh's cmdutil.FlagError: the kind of an error is
// its type, not its wording.)
type FlagError struct{ err error }

func (e *FlagError) Error() string { return e.err.Error() }
func (e *FlagError) Unwrap() error { return e.err }

// flagErrorf makes a usage error.
func flagErrorf(format string, a ...any) error {
	return &FlagError{fmt.Errorf(format, a...)}
}

// usageArgs makes an argument check's errors usage errors.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &FlagError{err}
		}
		return nil
	}
}

// The argument checks of dlab's commands: cobra's, as usage errors.
var noArgs = usageArgs(cobra.NoArgs)

func exactArgs(n int) cobra.PositionalArgs    { return usageArgs(cobra.ExactArgs(n)) }
func maximumNArgs(n int) cobra.PositionalArgs { return usageArgs(cobra.MaximumNArgs(n)) }

// writeJSON prints v for --json: indented, one value and a newline. Strings
// keep their exact bytes (JSON escapes control characters itself).
func writeJSON(ios *iostreams.IOStreams, v any) error {
	enc := json.NewEncoder(ios.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

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
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("dlab {{.Version}}\n")
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
	// Every command's flag errors are usage errors (children inherit it).
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &FlagError{err} })
	refuseUnknownSubcommands(root)
	return root
}

// refuseUnknownSubcommands makes every command that only groups others
// ("dlab", "dlab demo") answer an unknown subcommand with a usage error.
// Left to cobra, the root says "unknown command" as a plain error and any
// other group prints its help and exits 0, as if "dlab demo bogus" had worked.
func refuseUnknownSubcommands(c *cobra.Command) {
	if c.HasSubCommands() && !c.Runnable() {
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			err := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if cmd.SuggestionsMinimumDistance <= 0 {
				cmd.SuggestionsMinimumDistance = 2 // cobra's own default
			}
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				err += fmt.Sprintf("; did you mean %q?", s[0])
			}
			return flagErrorf("%s", err)
		}
	}
	for _, sub := range c.Commands() {
		refuseUnknownSubcommands(sub)
	}
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
	var fe *FlagError
	if errors.As(err, &fe) {
		msg = strings.SplitN(msg, "\n", 2)[0] + " (see '" + cmd.CommandPath() + " --help')"
	}
	fmt.Fprintf(ios.ErrOut, "dlab: %s\n", strings.ReplaceAll(msg, "\n", " "))
	return 1
}
