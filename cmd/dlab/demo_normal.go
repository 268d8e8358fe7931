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

With no terminal (a pipe, CI), dlab makes a fresh pseudo-terminal, starts a
real interactive shell on it (bash, else sh), types the program's command
into it, types what you pipe in, typing fg when ^Z stopped the program, and
hangs the terminal up when your input ends. It then shows the terminal's
transcript: what the shell said, too.`,
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
	Terminal   string         `json:"terminal"` // "yours" or "fresh"
	TTY        string         `json:"tty"`
	PID        int            `json:"pid"`
	How        string         `json:"how"`
	Events     []normal.Event `json:"events"`
	Shell      string         `json:"shell,omitempty"`      // fresh: the shell on the terminal
	ShellPID   int            `json:"shell_pid,omitempty"`  // fresh
	ShellEnd   string         `json:"shell_end,omitempty"`  // fresh: how the shell ended
	Transcript string         `json:"transcript,omitempty"` // fresh: what the terminal showed
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

// runOnFreshTerminal runs the program in a real shell on a new
// pseudo-terminal that dlab holds, like a terminal window: what comes on
// stdin is typed on it, and the end of stdin hangs it up. What the program
// reports is shown from its events, which all arrive, as it happens; the
// terminal's transcript, whose last lines a hang-up may drop, comes at the
// end.
func runOnFreshTerminal(ctx context.Context, opts *demoNormalOptions, out *lockedWriter, why string) error {
	var hungUp sync.Once
	closed := false // by dlab while the program ran
	width := out.width
	p, err := normal.Start(ctx, normal.Options{
		Report: true, Resume: true, Lifetime: opts.Lifetime,
		OnEvent: func(e normal.Event) {
			switch {
			case e.Kind == "ready" || e.Kind == "note":
				// The intro is told below.
			default:
				out.say(wrapped(e.Text, width))
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
			closed = true
			p.Hangup()
		})
	}
	out.say(strings.Join(wrap.Lines(fmt.Sprintf(`dlab can't use your terminal: %s.
So it made one: a fresh pseudo-terminal, %s, whose master side dlab holds, as
a terminal window does. A real interactive %s (PID %d) leads its session,
with it as its controlling terminal. dlab typed the program's command into
it, as you would (the transcript at the end shows it), and %s runs the program
(PID %d) as its foreground job. dlab types on the terminal what comes on its
standard input; when that ends, dlab closes the terminal: a hang-up. What the
program says:
`, why, p.TTY, p.Shell, p.LeaderPID, p.Shell, p.PID), width), "\n"))
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
	r := normalRun{Terminal: "fresh", TTY: p.TTY, PID: p.PID, How: how, Events: p.EventLog(), Shell: p.Shell, ShellPID: p.LeaderPID}
	hungUp.Do(func() {}) // from now on, only Stop closes the terminal
	p.Stop()             // ends the shell, if the program ended first
	r.ShellEnd, r.Transcript = p.ShellEnd(), p.Output()
	if err := finishNormal(opts, out, r); err != nil || opts.JSON {
		return err
	}
	out.say(wrapped(shellReport(r, closed), out.width))
	out.say("\nWhat the terminal showed, the shell's words with the program's:\n\n" + indentBlock(r.Transcript, "    "))
	return nil
}

// shellReport says how the terminal's shell ended, and what that shows;
// closed tells whether dlab hung up while the program ran, or after.
func shellReport(r normalRun, closed bool) string {
	s := "[dlab] "
	if !closed {
		s += "The program had ended; then dlab closed the terminal, as closing its window would. "
	}
	s += fmt.Sprintf("The shell, %s (PID %d), %s", r.Shell, r.ShellPID, wasEnded(r.ShellEnd))
	if r.ShellEnd != "killed by SIGHUP" {
		return s + "."
	}
	s += ": the SIGHUP the kernel sends to the terminal's controlling process when the terminal hangs up. "
	if r.Shell == "bash" {
		s += "bash passes SIGHUP on to its jobs before it dies of it; "
	} else {
		s += r.Shell + " does not pass SIGHUP on to its jobs; "
	}
	return s + "and when the controlling process exits, the kernel sends SIGHUP to the terminal's foreground group."
}

// indentBlock indents every line of text, for a transcript set apart.
func indentBlock(text, indent string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(indent+l, " ")
	}
	return strings.Join(lines, "\n")
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
	how := r.How
	if strings.HasPrefix(how, "killed") || strings.HasPrefix(how, "stopped") {
		how = "was " + how // "exited with status 0" needs no verb
	}
	out.say(wrapped(fmt.Sprintf("[dlab] The program (PID %d) %s: %s", r.PID, how, endMeaning(r.How)), out.width))
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

// wasEnded puts "killed by SIGHUP" in a sentence: "was killed by SIGHUP".
func wasEnded(how string) string {
	if strings.HasPrefix(how, "killed") {
		return "was " + how
	}
	return how
}
