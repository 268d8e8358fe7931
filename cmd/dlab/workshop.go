package main

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"dlab/cmd/dlab/iostreams"
	"dlab/content"
	"dlab/lessons"
	"dlab/lessons/workshop"

	"github.com/spf13/cobra"
)

// workshopFlags are the flags of dlab workshop that its subcommands share.
type workshopFlags struct {
	Instructor bool
	JSON       bool
}

// bind makes them flags of cmd and its subcommands, so both "dlab workshop
// --json status" and "dlab workshop status --json" work.
func (f *workshopFlags) bind(cmd *cobra.Command) {
	cmd.PersistentFlags().BoolVar(&f.Instructor, "instructor", false, "add timings and discussion prompts")
	cmd.PersistentFlags().BoolVar(&f.JSON, "json", false, "print as JSON")
}

// view is how the student (or the instructor) sees the workshop.
func (f *workshopFlags) view(ios *iostreams.IOStreams) workshop.View {
	return workshop.View{Instructor: f.Instructor, Color: ios.Color, Width: ios.TermWidth(80)}
}

// workshopOptions holds what dlab workshop (the path) runs with.
type workshopOptions struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
	*workshopFlags
}

func newWorkshopCmd(ios *iostreams.IOStreams) *cobra.Command {
	return newWorkshopCmdWith(ios, nil)
}

// newWorkshopCmdWith builds dlab workshop and its subcommands; runF, when
// set, replaces the path's run function (tests check the options a command
// line gives; each subcommand's constructor takes its own).
func newWorkshopCmdWith(ios *iostreams.IOStreams, runF func(*workshopOptions) error) *cobra.Command {
	flags := &workshopFlags{}
	opts := &workshopOptions{IO: ios, Getenv: os.Getenv, workshopFlags: flags}
	cmd := &cobra.Command{
		Use:   "workshop",
		Short: "The guided classroom path: lessons in order, each with an exercise dlab checks live",
		Long: `A 90-minute workshop: dlab's lessons in teaching order, each followed by an
exercise you do with real commands in your own shell and that dlab checks on the
live system (start a process that survives closing the terminal, make a zombie,
find who listens on a port, turn a script into a daemon...).

Progress is kept per user in $XDG_STATE_HOME/dlab/workshop.json (default
~/.local/state) and survives restarts. --instructor adds the timings and
discussion prompts.`,
		Example: `  dlab workshop                 # the path, and what to do now
  dlab workshop next            # on to the next step
  dlab workshop check 1234      # check your answer
  dlab workshop hint            # one more hint
  dlab workshop status
  dlab workshop --instructor    # the plan with timings and prompts`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runWorkshop(opts)
		},
	}
	flags.bind(cmd)
	cmd.AddCommand(
		newWorkshopNextCmd(ios, flags, nil),
		newWorkshopCheckCmd(ios, flags, nil),
		newWorkshopHintCmd(ios, flags, nil),
		newWorkshopStatusCmd(ios, flags, nil),
		newWorkshopGotoCmd(ios, flags, nil),
		newWorkshopResetCmd(ios, flags, nil),
	)
	return cmd
}

func runWorkshop(opts *workshopOptions) error {
	w, err := openWorkshop(opts.Getenv)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	// The first look begins the workshop at step 1; later ones ready the
	// current exercise again (the demo daemon may have ended since).
	if !w.Started() {
		err = w.Begin(ctx)
	} else {
		err = w.Prepare(ctx)
	}
	if err != nil {
		return err
	}
	if err := w.Save(); err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(opts.IO, w.JSON(opts.Instructor))
	}
	return w.WritePath(opts.IO.Out, opts.view(opts.IO))
}

// openWorkshop loads the lessons and the student's progress.
func openWorkshop(getenv func(string) string) (*workshop.Workshop, error) {
	ls, err := lessons.Load(content.FS)
	if err != nil {
		return nil, err
	}
	store, err := workshop.DefaultStore(getenv)
	if err != nil {
		return nil, err
	}
	return workshop.Open(ls, store, filepath.Join(filepath.Dir(store.Path), "workshop"))
}

// interruptible is the context of a workshop command: ^C, a closed terminal
// or a SIGTERM cancels what it waits for, so it can still save and end the
// processes it started.
func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
}
