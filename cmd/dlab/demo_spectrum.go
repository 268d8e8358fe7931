package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/lab/spectrum"

	"github.com/spf13/cobra"
)

// demoSpectrumOptions holds the flags of one spectrum demo command.
type demoSpectrumOptions struct {
	IO       *iostreams.IOStreams
	Kind     spectrum.Kind
	Event    bool // make the demo's event happen, show it, end everything
	Lifetime time.Duration
	JSON     bool
	Tmux     bool // pty-server only: the real tmux instead of dlab's own server
}

// spectrumCommand describes one spectrum command for its constructor.
type spectrumCommand struct {
	kind      spectrum.Kind
	short     string
	long      string
	eventFlag string
	eventHelp string
}

var spectrumCommands = []spectrumCommand{
	{spectrum.Nohup, "A nohup job on a terminal: ignores SIGHUP, still on the terminal",
		"Start a real interactive shell (bash, else sh) on a new pseudo-terminal and type\n`nohup dlab ... &` into it, next to a plain `dlab ... &`, as you would.",
		"hangup", "close the terminal, show that the nohup job survives (and bash's plain job does not), then end everything"},
	{spectrum.Setsid, "A setsid job: new session, no terminal, stdio still on the terminal",
		"Start a real interactive shell (bash, else sh) on a new pseudo-terminal and type\n`setsid dlab ... &` into it, next to a plain `dlab ... &`, as you would.",
		"hangup", "close the terminal, show that the setsid program survives (and bash's plain job does not), then end everything"},
	{spectrum.PtyServer, "A program on a pty held by a server, as tmux and screen do",
		"Start a server that holds the master side of a pseudo-terminal and runs a program on it,\nas `tmux new -d` does.",
		"kill-server", "end the server (as `tmux kill-server`), show the program die of SIGHUP, then end everything"},
	{spectrum.Supervised, "A new-style daemon in the foreground, restarted by its supervisor",
		"Start a supervisor that runs a new-style daemon in the foreground, with Restart=always\nand RestartSec=100ms, as systemd does for a Type=notify service.",
		"kill", "kill the service with SIGKILL, show the supervisor restart it with a new PID, then end everything"},
}

// newDemoSpectrumCmds builds the commands for the processes between a normal
// process and a daemon (nohup, setsid, a pty held by a server, a supervised
// foreground service).
func newDemoSpectrumCmds(ios *iostreams.IOStreams) []*cobra.Command {
	var cmds []*cobra.Command
	for _, sc := range spectrumCommands {
		cmds = append(cmds, newDemoSpectrumCmd(ios, sc, nil))
	}
	return cmds
}

func newDemoSpectrumCmd(ios *iostreams.IOStreams, sc spectrumCommand, runF func(*demoSpectrumOptions) error) *cobra.Command {
	opts := &demoSpectrumOptions{IO: ios, Kind: sc.kind}
	cmd := &cobra.Command{
		Use:   string(sc.kind),
		Short: sc.short,
		Long: sc.long + `

Without --` + sc.eventFlag + `, the processes are left running so you can look at them
(dlab explain PID, ps), until dlab demo stop, dlab demo cleanup, or --lifetime.
With --` + sc.eventFlag + `: ` + sc.eventHelp + `.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runDemoSpectrum(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Event, sc.eventFlag, false, sc.eventHelp)
	if sc.kind == spectrum.PtyServer {
		cmd.Flags().BoolVar(&opts.Tmux, "tmux", false, "use the real tmux (on a socket of its own) instead of dlab's built-in server")
	}
	cmd.Flags().DurationVar(&opts.Lifetime, "lifetime", time.Hour, "end the processes by themselves after this long")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print every observed value as JSON")
	return cmd
}

func runDemoSpectrum(opts *demoSpectrumOptions) error {
	if opts.Lifetime <= 0 {
		return fmt.Errorf("--lifetime must be positive, not %v", opts.Lifetime)
	}
	// ^C or SIGTERM while starting: everything started so far is ended.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer func() {
		if ctx.Err() != nil {
			fmt.Fprintln(opts.IO.ErrOut, "dlab: interrupted: every process it had started has been ended")
		}
	}()
	// Leftovers of an earlier dlab that was killed before it could end its
	// demo: end them now, as promised.
	if err := endLeftovers(opts.IO); err != nil {
		return err
	}
	kind := opts.Kind
	if opts.Tmux {
		kind = spectrum.Tmux
	}

	if opts.Event {
		s, err := spectrum.Show(ctx, kind, spectrum.Options{Lifetime: opts.Lifetime})
		if err != nil {
			return fmt.Errorf("demo %s: %w", kind, err)
		}
		return writeShowing(opts.IO, s, nil, opts.JSON)
	}

	run, err := spectrum.Start(ctx, kind, spectrum.Options{Lifetime: opts.Lifetime, Detach: true})
	if err != nil {
		return fmt.Errorf("demo %s: %w", kind, err)
	}
	s := spectrum.Now(ctx, run)
	left := &spectrum.LeftRunning{Members: run.Members(), Dir: run.Dir(), Lifetime: opts.Lifetime.String()}
	if p, ok := run.(*spectrum.PtySession); ok {
		left.Attach = p.AttachCommand()
	}
	return writeShowing(opts.IO, s, left, opts.JSON)
}

func writeShowing(ios *iostreams.IOStreams, s spectrum.Showing, left *spectrum.LeftRunning, asJSON bool) error {
	if asJSON {
		if err := writeJSON(ios, struct {
			spectrum.Showing
			Holds   bool                  `json:"holds"`
			Running *spectrum.LeftRunning `json:"left_running,omitempty"`
		}{s, s.Holds(), left}); err != nil {
			return err
		}
	} else {
		s.WriteText(ios.Out, ios.Color, ios.TermWidth(80))
		if left != nil {
			left.WriteText(ios.Out, ios.TermWidth(80))
		}
	}
	if !s.Holds() {
		// The output says which claim did not hold; the status says that one did not.
		return exitError{code: 1}
	}
	return nil
}
