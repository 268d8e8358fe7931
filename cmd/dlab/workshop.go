package main

import (
	"context"
	"errors"
	"fmt"
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

// workshopOptions holds the flags and arguments of dlab workshop and its
// subcommands.
type workshopOptions struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string

	Action     string // "", "next", "check", "hint", "status", "reset", "goto"
	Args       []string
	Instructor bool
	JSON       bool
}

func newWorkshopCmd(ios *iostreams.IOStreams) *cobra.Command {
	return newWorkshopCmdWith(ios, nil)
}

// newWorkshopCmdWith builds dlab workshop; runF, when set, replaces the run
// function (tests check the options a command line gives).
func newWorkshopCmdWith(ios *iostreams.IOStreams, runF func(*workshopOptions) error) *cobra.Command {
	opts := &workshopOptions{IO: ios, Getenv: os.Getenv}
	run := func(action string) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			opts.Action, opts.Args = action, args
			if runF != nil {
				return runF(opts)
			}
			return runWorkshop(opts)
		}
	}
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
		Args: cobra.NoArgs,
		RunE: run(""),
	}
	cmd.PersistentFlags().BoolVar(&opts.Instructor, "instructor", false, "add timings and discussion prompts")
	cmd.PersistentFlags().BoolVar(&opts.JSON, "json", false, "print as JSON")
	check := &cobra.Command{
		Use:   "check [ANSWER...]",
		Short: "Check your answer to the current exercise on the live system",
		RunE:  run("check"),
	}
	// The answer may be a command with its own flags (the daemonize step).
	check.Flags().SetInterspersed(false)
	cmd.AddCommand(
		&cobra.Command{Use: "next", Short: "Go on to the next step", Args: cobra.NoArgs, RunE: run("next")},
		check,
		&cobra.Command{Use: "hint", Short: "Show one more hint for the current exercise", Args: cobra.NoArgs, RunE: run("hint")},
		&cobra.Command{Use: "status", Short: "How far you are", Args: cobra.NoArgs, RunE: run("status")},
		&cobra.Command{Use: "goto STEP", Short: "Jump to a step, by number or lesson name", Args: cobra.ExactArgs(1), RunE: run("goto")},
		&cobra.Command{Use: "reset", Short: "Forget all progress and stop the workshop's demo daemon", Args: cobra.NoArgs, RunE: run("reset")},
	)
	return cmd
}

func runWorkshop(opts *workshopOptions) error {
	ls, err := lessons.Load(content.FS)
	if err != nil {
		return err
	}
	store, err := workshop.DefaultStore(opts.Getenv)
	if err != nil {
		return err
	}
	w, err := workshop.Open(ls, store, filepath.Join(filepath.Dir(store.Path), "workshop"))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	v := workshop.View{Instructor: opts.Instructor, Color: opts.IO.Color, Width: opts.IO.TermWidth(80)}
	out := opts.IO.Out

	switch opts.Action {
	case "":
		// The first look begins the workshop at step 1; later ones ready
		// the current exercise again (the demo daemon may have ended since).
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
			return workshop.WriteJSON(out, w.JSON(opts.Instructor))
		}
		return w.WritePath(out, v)

	case "next", "goto":
		var s workshop.Step
		moved := true
		if opts.Action == "goto" {
			s, err = w.Goto(ctx, opts.Args[0])
		} else {
			s, moved, err = w.Next(ctx)
		}
		if err != nil {
			return err
		}
		if err := w.Save(); err != nil {
			return err
		}
		if opts.JSON {
			return workshop.WriteJSON(out, w.JSON(opts.Instructor).Steps[s.Number-1])
		}
		if !moved {
			fmt.Fprintln(out, "This is the last step; dlab workshop status shows how it went.")
		}
		return w.WriteStep(out, s, v)

	case "check":
		if e := w.Current().Exercise; e != nil && e.Slow && opts.IO.IsTerminal && !opts.JSON {
			fmt.Fprintln(opts.IO.ErrOut, "dlab: running it and watching it (a few seconds)...")
		}
		s, o, err := w.Check(ctx, opts.Args)
		if errors.Is(err, context.Canceled) {
			w.Save()
			return exitError{code: 130}
		}
		if err != nil {
			return err
		}
		if err := w.Save(); err != nil {
			return err
		}
		if opts.JSON {
			err = workshop.WriteJSON(out, struct {
				Step     int              `json:"step"`
				Exercise string           `json:"exercise"`
				Notes    []string         `json:"notes,omitempty"`
				Outcome  workshop.Outcome `json:"outcome"`
			}{s.Number, s.Exercise.ID, w.Env.Notes, o})
		} else {
			err = w.WriteOutcome(out, s, o, w.Env.Notes, v)
		}
		if err != nil {
			return err
		}
		if !o.Passed {
			return exitError{code: 1}
		}
		return nil

	case "hint":
		s, hints, total, err := w.Hint()
		if err != nil {
			return err
		}
		if err := w.Save(); err != nil {
			return err
		}
		if opts.JSON {
			return workshop.WriteJSON(out, struct {
				Step  int      `json:"step"`
				Hints []string `json:"hints"`
				Total int      `json:"total"`
			}{s.Number, hints, total})
		}
		return w.WriteHints(out, s, hints, total, v)

	case "status":
		if opts.JSON {
			return workshop.WriteJSON(out, w.JSON(opts.Instructor))
		}
		return w.WriteStatus(out, v)

	case "reset":
		if err := w.Reset(); err != nil {
			return err
		}
		if opts.JSON {
			return workshop.WriteJSON(out, struct {
				Reset bool `json:"reset"`
			}{true})
		}
		fmt.Fprintln(out, "Workshop progress forgotten; the demo daemon, if any, is stopped. Begin again with: dlab workshop next")
		return nil
	}
	return fmt.Errorf("unknown workshop action %q", opts.Action)
}
