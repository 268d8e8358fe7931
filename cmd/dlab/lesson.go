package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"

	"dlab/cmd/dlab/iostreams"
	"dlab/content"
	"dlab/demos/text/wrap"
	"dlab/lessons"
	"dlab/lessons/catalog"
	"dlab/lessons/handout"
	"dlab/lessons/render"

	"github.com/spf13/cobra"
)

// lessonOptions holds the flags and arguments of dlab lesson.
type lessonOptions struct {
	IO      *iostreams.IOStreams
	Content fs.FS           // the lessons
	Run     lessons.RunFunc // runs a demo by name
	Getenv  func(string) string
	Now     func() time.Time

	Name    string // a lesson, "all", or "" for the list
	NoDemos bool
	Plain   bool
	Style   string
	Width   int
	Format  string // terminal, markdown or html
	Output  string // -o: write there instead of stdout
	NoPager bool
}

func newLessonCmd(ios *iostreams.IOStreams, runF func(*lessonOptions) error) *cobra.Command {
	opts := &lessonOptions{
		IO:      ios,
		Content: content.FS,
		Run:     catalog.Run,
		Getenv:  os.Getenv,
		Now:     time.Now,
	}
	cmd := &cobra.Command{
		Use:   "lesson [NAME|NUMBER|all]",
		Short: "Read a lesson, with live demos next to the text (no name: list the lessons)",
		Long: `Read a lesson in the terminal. Where the text makes a claim, dlab runs a
demo and shows what it observed on this machine a moment ago: PIDs, terminals,
sessions, signals, as they are now.

With no name, list the lessons in teaching order; a lesson is named by its
name or by its number in that list. "all" reads every lesson.
--format markdown or html writes a handout (the lesson with its live results,
dated and signed with host and user), for a lab report.`,
		Example: `  dlab lesson                    # the list
  dlab lesson signals            # read one, demos included
  dlab lesson 14                 # the fourteenth in the list
  dlab lesson signals --no-demos # just the text
  dlab lesson all --style dark | less -R
  dlab lesson signals --format html -o signals.html`,
		Args: maximumNArgs(1),
		// Shell completion offers the lessons by name.
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			ls, err := lessons.Load(opts.Content)
			if err != nil {
				return nil, cobra.ShellCompDirectiveError
			}
			names := []string{"all\tevery lesson, in order"}
			for _, l := range ls {
				names = append(names, l.Name+"\t"+l.Title)
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name = args[0]
			}
			switch opts.Format {
			case "terminal", "markdown", "html":
			default:
				return fmt.Errorf("unknown --format %q: use terminal, markdown or html", opts.Format)
			}
			if err := render.CheckWidth(opts.Width); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runLesson(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.NoDemos, "no-demos", false, "read the text only; run nothing")
	f.BoolVar(&opts.Plain, "plain", false, "plain text, no colours or styles")
	f.StringVar(&opts.Style, "style", "", "glamour style: "+strings.Join(render.StyleNames(), ", ")+", or a JSON style file (default: dark on a terminal; $GLAMOUR_STYLE)")
	f.IntVar(&opts.Width, "width", 0, fmt.Sprintf("wrap text at this column, %d to %d (default: the terminal's width, else 80)", render.MinWidth, render.MaxWidth))
	f.StringVar(&opts.Format, "format", "terminal", "terminal, markdown or html (a handout with the live results)")
	f.StringVarP(&opts.Output, "output", "o", "", "write to this file instead of stdout (- for stdout)")
	f.BoolVar(&opts.NoPager, "no-pager", false, "don't page a lesson read in a terminal (default pager: $DLAB_PAGER, $PAGER, less)")
	return cmd
}

func runLesson(ctx context.Context, opts *lessonOptions) error {
	all, err := lessons.Load(opts.Content)
	if err != nil {
		return fmt.Errorf("the lessons are broken: %w", err)
	}
	if opts.Name == "" && opts.Format == "terminal" {
		return listLessons(opts, all)
	}
	chosen := all
	if opts.Name != "" && opts.Name != "all" {
		l, err := findLesson(all, opts.Name)
		if err != nil {
			return err
		}
		chosen = []lessons.Lesson{l}
	}

	if opts.Output == "-" {
		// "-o -" is standard output, as is usual, unpaged as a pipe is.
		opts.Output, opts.NoPager = "", true
	}

	// A lesson is longer than a screen: in a terminal, page it as git and
	// gh page their output. The demos keep streaming into the pager.
	paged := false
	if opts.Output == "" && opts.Format == "terminal" && !opts.NoPager {
		if err := opts.IO.StartPagerFromEnv(opts.Getenv); err != nil {
			return err
		}
		paged = opts.IO.Paging()
		defer opts.IO.StopPager()
	}
	out := opts.IO.Out
	var file *outputFile
	if opts.Output != "" {
		file, err = createOutput(opts.Output)
		if err != nil {
			return err
		}
		// Until Commit, an early return leaves the target as it was.
		defer func() {
			if file != nil {
				file.Abort()
			}
		}()
		out = file
	}

	// ^C, a hang-up, a kill, or a reader that went away (| head, q in
	// less: SIGPIPE) while a demo runs must still end the demo's
	// processes: the demos clean up when this context is cancelled. With
	// SIGPIPE caught, a write to the closed pipe fails with EPIPE instead of
	// killing dlab on the spot.
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer signal.Stop(sigs)
	var caught os.Signal
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case caught = <-sigs:
			cancel()
		case <-done:
		}
	}()

	run := opts.Run
	if opts.NoDemos {
		run = nil
	}
	switch opts.Format {
	case "markdown", "html":
		meta := handoutMeta(opts)
		if opts.Format == "markdown" {
			err = handout.Markdown(ctx, out, chosen, meta, run)
		} else {
			err = handout.HTML(ctx, out, chosen, meta, run)
		}
	default:
		err = renderLessons(ctx, out, opts, chosen, run)
	}
	// caught is written before cancel(): read it only once ctx says so.
	var sig os.Signal
	if ctx.Err() != nil {
		sig = caught
	}
	if sig != nil && sig != syscall.SIGPIPE {
		return interrupted(opts, sig)
	}
	if errors.Is(err, syscall.EPIPE) || sig == syscall.SIGPIPE {
		if paged {
			// q in dlab's own pager before the end: the reader is done.
			return nil
		}
		// The reader stopped reading: nobody to tell.
		return exitError{code: 141}
	}
	if ctx.Err() != nil {
		return interrupted(opts, syscall.SIGINT)
	}
	if file != nil && (err == nil || render.IsDemoFailure(err) || isHandoutDemoFailure(err)) {
		f := file
		file = nil
		if cerr := f.Commit(); cerr != nil {
			return cerr
		}
		fmt.Fprintf(opts.IO.ErrOut, "dlab: wrote %s\n", opts.Output)
	}
	return err
}

// findLesson finds a lesson by name, or by its number in the list that
// 'dlab lesson' prints ("dlab lesson 14").
func findLesson(all []lessons.Lesson, name string) (lessons.Lesson, error) {
	if name != "" && strings.Trim(name, "0123456789") == "" {
		n, err := strconv.Atoi(name)
		if err != nil || n < 1 || n > len(all) {
			return lessons.Lesson{}, fmt.Errorf("no lesson %s: they are numbered 1 to %d (see 'dlab lesson' for the list)", name, len(all))
		}
		return all[n-1], nil
	}
	return lessons.Find(all, name)
}

// interrupted says that the lesson stopped and its demos were cleaned up,
// and exits the way a shell expects of a program ended by sig: 128+sig
// (130 for ^C's SIGINT, 143 for SIGTERM, 129 for a hang-up). In the pager
// the note ends the text, where the reader is looking, and dlab waits for
// the reader to quit the pager.
func interrupted(opts *lessonOptions, sig os.Signal) error {
	name := "interrupted"
	switch sig {
	case syscall.SIGTERM:
		name = "ended by SIGTERM"
	case syscall.SIGHUP:
		name = "the terminal hung up"
	}
	opts.IO.StopPagerWithNote(fmt.Sprintf("dlab: %s: the lesson stopped here, and every demo process was ended", name))
	code := 130
	if s, ok := sig.(syscall.Signal); ok {
		code = 128 + int(s)
	}
	return exitError{code: code}
}

// isHandoutDemoFailure reports whether err holds only demo failures.
func isHandoutDemoFailure(err error) bool {
	var de *lessons.DemoError
	return errors.As(err, &de)
}

func renderLessons(ctx context.Context, out io.Writer, opts *lessonOptions, ls []lessons.Lesson, run lessons.RunFunc) error {
	toTerminal := opts.Output == "" && opts.IO.IsTerminal
	ro := render.Options{Style: opts.Style, Plain: opts.Plain, Color: toTerminal && opts.IO.Color, Width: opts.Width}.FromEnv(opts.Getenv)
	if ro.Width == 0 && toTerminal {
		// Long lines are hard to read: like glow, cap the terminal's width.
		// A tiny window still gets the narrowest layout that works.
		ro.Width = max(min(opts.IO.TermWidth(render.DefaultWidth), 120), render.MinWidth)
	}
	r, err := render.New(ro)
	if err != nil {
		return err
	}
	var failed []error
	for i, l := range ls {
		if i > 0 {
			fmt.Fprintln(out)
		}
		err := r.Lesson(ctx, out, l, run)
		if err != nil && !render.IsDemoFailure(err) {
			return err
		}
		if err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("some demos could not run (shown in place above): %w", errors.Join(failed...))
	}
	return nil
}

// listLessons prints the lessons in teaching order: aligned for a person,
// one tab-separated line per lesson (name, title, summary) when piped.
func listLessons(opts *lessonOptions, ls []lessons.Lesson) error {
	out := opts.IO.Out
	if !opts.IO.IsTerminal {
		for _, l := range ls {
			fmt.Fprintf(out, "%s\t%s\t%s\n", l.Name, l.Title, l.Summary)
		}
		return nil
	}
	nameWidth := 0
	for _, l := range ls {
		nameWidth = max(nameWidth, len(l.Name))
	}
	indent := strings.Repeat(" ", 4+nameWidth+2)
	width := opts.IO.TermWidth(80)
	for i, l := range ls {
		// Each part is headed once: the lessons are in teaching order, and
		// lessons.Load refuses interleaved parts.
		if i == 0 || l.Part != ls[i-1].Part {
			if i > 0 {
				fmt.Fprintln(out)
			}
			fmt.Fprint(out, fill(fmt.Sprintf("Part %d: %s", l.Part, lessons.PartTitle(l.Part)), width, ""))
		}
		fmt.Fprint(out, strings.Join(wrap.Hanging(l.Title, width, fmt.Sprintf("%2d. %-*s  ", i+1, nameWidth, l.Name), indent), "\n")+"\n")
		fmt.Fprint(out, fill(l.Summary, width, indent))
	}
	fmt.Fprint(out, "\n"+fill("Read one with 'dlab lesson NAME' (differences is the place to begin, signals the liveliest), or all of them in order with 'dlab lesson all'.", width, ""))
	return nil
}

// fill wraps text to width, each line starting with indent.
func fill(text string, width int, indent string) string {
	return strings.Join(wrap.Hanging(text, width, indent, indent), "\n") + "\n"
}

// handoutMeta signs a handout: when, where, who, and which dlab.
func handoutMeta(opts *lessonOptions) handout.Meta {
	m := handout.Meta{Date: opts.Now(), Version: handout.Version(), Demos: !opts.NoDemos}
	m.Host, _ = os.Hostname()
	if u, err := user.Current(); err == nil {
		m.User = u.Username
	}
	return m
}
