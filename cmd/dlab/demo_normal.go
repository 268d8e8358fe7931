package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/lab/normal"
	"dlab/demos/text/wrap"

	"github.com/spf13/cobra"
)

// demoNormalOptions holds the flags of dlab demo normal.
type demoNormalOptions struct {
	IO       *iostreams.IOStreams
	Lifetime time.Duration
	JSON     bool
	// TTY opens the controlling terminal; tests replace it.
	TTY func() (*os.File, error)
}

func newDemoNormalCmd(ios *iostreams.IOStreams, runF func(*demoNormalOptions) error) *cobra.Command {
	opts := &demoNormalOptions{IO: ios, TTY: func() (*os.File, error) { return os.OpenFile("/dev/tty", os.O_RDWR, 0) }}
	cmd := &cobra.Command{
		Use:   "normal",
		Short: "Run a normal process in the foreground of your terminal and see what it receives",
		Long: `Run the demo normal program as the foreground job of your own terminal, in a
process group of its own, the way your shell runs a command. It tells you
what it receives: ^C (SIGINT), ^Z (SIGTSTP), ^\ (SIGQUIT), a resize
(SIGWINCH), the window closing (SIGHUP). It catches them to show them, then
does what a program that doesn't catch them would: ^C twice ends it, ^Z
stops it (dlab resumes it, as fg would). q quits.

With no terminal (a pipe, CI), dlab makes a fresh pseudo-terminal with a
session leader on it, types on it what you pipe in, and hangs it up when your
input ends.`,
		Example: `  dlab demo normal
  printf 'hi\003\003' | dlab demo normal     # types hi, then ^C twice
  dlab demo normal </dev/null               # no input: the terminal hangs up`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Lifetime <= 0 {
				return fmt.Errorf("--lifetime must be positive, not %v", opts.Lifetime)
			}
			if runF != nil {
				return runF(opts)
			}
			return runDemoNormal(opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Lifetime, "lifetime", normal.DefaultLifetime, "the program ends by itself after this long")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print, at the end, what happened as JSON")
	return cmd
}

// normalRun is what dlab demo normal saw, for --json.
type normalRun struct {
	Terminal string         `json:"terminal"` // "yours" or "fresh"
	TTY      string         `json:"tty"`
	PID      int            `json:"pid"`
	How      string         `json:"how"`
	Events   []normal.Event `json:"events"`
}

func runDemoNormal(opts *demoNormalOptions) error {
	// dlab is not in the terminal's foreground group while the program
	// runs, so ^C typed there never reaches it; these come from elsewhere.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if err := endLeftovers(opts.IO); err != nil {
		return err
	}
	out := &lockedWriter{w: opts.IO.Out, quiet: opts.JSON, width: reportWidth(opts.IO)}

	var why string
	if opts.IO.InIsTerminal {
		tty, err := opts.TTY()
		if err == nil {
			defer tty.Close()
			here, err := normal.RunHere(ctx, tty, normal.Options{Lifetime: opts.Lifetime},
				func(s string) { out.say(wrapped("[dlab] "+s, out.width)) })
			if !errors.Is(err, normal.ErrNoTerminal) {
				if err != nil {
					return err
				}
				return finishNormal(opts, out, normalRun{Terminal: "yours", TTY: here.TTY, PID: here.PID, How: here.How, Events: here.Events})
			}
			why = "dlab runs in the background of it (started with &?)"
		} else {
			why = "dlab has no controlling terminal (started with setsid?)"
		}
	} else {
		why = "there is none, standard input is not a terminal"
	}
	return runOnFreshTerminal(ctx, opts, out, why)
}

// runOnFreshTerminal runs the program on a new pseudo-terminal that dlab
// holds, like a terminal window: what comes on stdin is typed on it, and
// the end of stdin hangs it up. What the program and its session leader
// report is shown from their events, which all arrive, rather than from
// the terminal's screen, whose last lines a hang-up may drop.
func runOnFreshTerminal(ctx context.Context, opts *demoNormalOptions, out *lockedWriter, why string) error {
	var hungUp sync.Once
	width := out.width
	p, err := normal.Start(ctx, normal.Options{
		Report: true, Resume: true, Lifetime: opts.Lifetime,
		OnEvent: func(e normal.Event) {
			switch {
			case e.Kind == "ready" || e.Kind == "note" || e.Kind == "ended":
				// The intro, the start and the end are told below.
			case e.From == "program":
				out.say(wrapped(e.Text, width))
			default:
				out.say(wrapped("["+e.From+"] "+e.Text, width))
			}
		},
	})
	if err != nil {
		return err
	}
	defer p.Stop()
	hangup := func(why string) {
		hungUp.Do(func() {
			out.say(wrapped("[dlab] "+why, width))
			p.Hangup()
		})
	}
	out.say(strings.Join(wrap.Lines(fmt.Sprintf(`dlab can't use your terminal: %s.
So it made one: a fresh pseudo-terminal, %s, whose master side dlab holds, as
a terminal window does. A session leader (PID %d) has it as its controlling
terminal and runs the program (PID %d) as its foreground job. dlab types on
it what comes on its standard input; when that ends, dlab closes the
terminal: a hang-up. What the program says:
`, why, p.TTY, p.LeaderPID, p.PID), width), "\n"))
	out.say(wrapBlock(normal.Intro(p.Self), width))

	go func() {
		if opts.IO.InIsTerminal {
			// dlab is in the background of a terminal: reading it would
			// stop dlab (SIGTTIN). Nothing to type; the program runs until
			// it is signalled or its lifetime ends.
			return
		}
		buf := make([]byte, 4096)
		for {
			n, err := opts.IO.In.Read(buf)
			if n > 0 {
				if p.TypeAndWait(ctx, string(buf[:n])) != nil {
					return
				}
			}
			if err != nil {
				if !p.Ending() { // else it ends on what was typed: nothing to hang up
					hangup("your input ended: closing the terminal, a hang-up")
				}
				return
			}
		}
	}()
	how, err := waitOrHangup(ctx, p, func() { hangup("dlab was asked to end: closing the terminal, a hang-up") })
	if err != nil {
		return err
	}
	return finishNormal(opts, out, normalRun{Terminal: "fresh", TTY: p.TTY, PID: p.PID, How: how, Events: p.EventLog()})
}

// reportWidth is where the reports wrap: the terminal's width less one
// (a line that fills the last column makes some terminals wrap early), or 80
// when piped.
func reportWidth(ios *iostreams.IOStreams) int {
	if ios.IsTerminal {
		return ios.TermWidth(80) - 1
	}
	return 80
}

// labelled is a line of a block such as "  terminal    pts/3, its ...".
var labelled = regexp.MustCompile(`^(  \S+\s+)(.*)$`)

// wrapBlock wraps each line of text to width; the lines of a labelled list
// continue under their value, not under the label.
func wrapBlock(text string, width int) string {
	var out []string
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		first, rest := "", ""
		if m := labelled.FindStringSubmatch(line); m != nil {
			first, rest, line = m[1], strings.Repeat(" ", len(m[1])), m[2]
		}
		out = append(out, wrap.Hanging(line, width, first, rest)...)
	}
	return strings.Join(out, "\n")
}

// wrapped wraps a report to width columns, its later lines indented.
func wrapped(text string, width int) string {
	return strings.Join(wrap.Hanging(text, width, "", "    "), "\n")
}

// waitOrHangup waits for the program to end; if ctx ends first (dlab got
// a signal), it hangs the terminal up and waits for the end of that.
func waitOrHangup(ctx context.Context, p *normal.Process, hangup func()) (string, error) {
	how, err := p.WaitExit(ctx)
	if err == nil || ctx.Err() == nil {
		return how, err
	}
	hangup()
	wait, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	return p.WaitExit(wait)
}

// finishNormal says how the program ended, and what that shows.
func finishNormal(opts *demoNormalOptions, out *lockedWriter, r normalRun) error {
	if opts.JSON {
		if r.Events == nil {
			r.Events = []normal.Event{}
		}
		return writeJSON(opts.IO, r)
	}
	out.say(wrapped(fmt.Sprintf("[dlab] The program (PID %d) %s: %s", r.PID, r.How, endMeaning(r.How)), out.width))
	return nil
}

// endMeaning says what an end shows about a normal process.
func endMeaning(how string) string {
	switch how {
	case "killed by SIGINT":
		return "what ^C does to a program that doesn't catch SIGINT."
	case "killed by SIGHUP":
		return "what a hang-up does to a program on that terminal."
	case "killed by SIGQUIT":
		return "what ^\\ does to a program that doesn't catch SIGQUIT."
	case "killed by SIGTERM":
		return "what kill does by default."
	case "killed by SIGKILL":
		return "SIGKILL can't be caught, blocked or ignored."
	case "exited with status 0":
		return "it quit by itself (q, or its lifetime ended)."
	}
	return "see its last report above."
}

// lockedWriter serializes what the screen relay, the events and dlab write.
type lockedWriter struct {
	mu    sync.Mutex
	w     io.Writer
	quiet bool // --json: only the final JSON
	width int  // where reports wrap
}

func (l *lockedWriter) write(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.quiet {
		io.WriteString(l.w, s)
	}
}

func (l *lockedWriter) say(s string) {
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	l.write(s)
}
