package workshop

import (
	"fmt"
	"io"
	"strings"
	"time"

	"dlab/demos/text/paint"
	"dlab/demos/text/safe"
	"dlab/demos/text/wrap"
)

// View says how to render.
type View struct {
	Instructor bool // timings and discussion prompts
	Color      bool
	Width      int // 0: don't wrap
}

func (v View) paint(code, s string) string { return paint.If(v.Color, code, s) }

// mark is a step's box in the path: [x] done, [>] current, [-] skipped.
func (v View) mark(st StepStatus) string {
	switch st {
	case StatusDone:
		return v.paint(paint.Green, "[x]")
	case StatusCurrent:
		return v.paint(paint.Bold+paint.Yellow, "[>]")
	case StatusSkipped:
		return v.paint(paint.Dim, "[-]")
	}
	return "[ ]"
}

// wrapIndent wraps s at the view's width, each line after the first
// indented like the first.
func (v View) wrapIndent(s, lead, rest string) string {
	var b strings.Builder
	for _, para := range strings.Split(s, "\n") {
		lines := []string{lead + para}
		if v.Width > 0 && !strings.HasPrefix(para, "    ") {
			lines = wrap.Hanging(para, v.Width, lead, rest)
		}
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
		lead = rest
	}
	return b.String()
}

// paintWrapped wraps s like wrapIndent and paints each line's text, so a
// colour never runs into the next line's indent.
func (v View) paintWrapped(code, s, lead, rest string) string {
	plain := View{Width: v.Width}.wrapIndent(s, lead, rest)
	if !v.Color {
		return plain
	}
	var b strings.Builder
	for i, l := range strings.Split(strings.TrimSuffix(plain, "\n"), "\n") {
		indent := rest
		if i == 0 {
			indent = lead
		}
		b.WriteString(indent + v.paint(code, strings.TrimPrefix(l, indent)) + "\n")
	}
	return b.String()
}

// WritePath writes the whole path with progress marks, then the current step.
func (w *Workshop) WritePath(out io.Writer, v View) error {
	var b strings.Builder
	title := fmt.Sprintf("dlab workshop: daemons and normal processes, on the live system (%d steps, %d minutes)", len(w.Path.Steps), w.Path.Minutes())
	b.WriteString(v.paintWrapped(paint.Bold, title, "", "") + "\n")
	for _, s := range w.Path.Steps {
		st := w.StatusOf(s)
		clockCol := ""
		if v.Instructor {
			clockCol = fmt.Sprintf("%s  %2d min  ", clock(w.Path.StartsAt(s.Number)), s.Minutes)
		}
		pad := strings.Repeat(" ", 10+len(clockCol))
		b.WriteString(v.wrapIndent(s.Lesson.Title, fmt.Sprintf("  %s %s%2d. ", v.mark(st), clockCol, s.Number), pad))
		if s.Exercise != nil {
			b.WriteString(v.paintWrapped(paint.Dim, "exercise: "+s.Exercise.Title, pad, pad+"          "))
		} else {
			b.WriteString(v.paintWrapped(paint.Dim, "reading and discussion", pad, pad))
		}
		if v.Instructor {
			for _, p := range s.Prompts {
				b.WriteString(v.wrapIndent(p, pad+"? ", pad+"  "))
			}
		}
	}
	fmt.Fprintf(&b, "\n%d of %d exercises done.\n\n", w.Done(), w.Path.Exercises())
	if _, err := io.WriteString(out, b.String()); err != nil {
		return err
	}
	if !w.Started() {
		_, err := fmt.Fprintln(out, "Begin with: dlab workshop next")
		return err
	}
	return w.WriteStep(out, w.Current(), v)
}

// WriteStep writes what to do at step s.
func (w *Workshop) WriteStep(out io.Writer, s Step, v View) error {
	var b strings.Builder
	head := fmt.Sprintf("Step %d of %d: %s", s.Number, len(w.Path.Steps), s.Lesson.Title)
	b.WriteString(v.paintWrapped(paint.Bold, head, "", "  "))
	if v.Instructor {
		fmt.Fprintf(&b, "  Time:      %d min, from %s to %s\n", s.Minutes, clock(w.Path.StartsAt(s.Number)), clock(w.Path.StartsAt(s.Number)+s.Minutes))
	}
	fmt.Fprintf(&b, "  Read:      dlab lesson %s\n", s.Lesson.Name)
	if e := s.Exercise; e != nil {
		const hang = "             "
		b.WriteString(v.wrapIndent(e.Title, "  Exercise:  ", hang))
		b.WriteString(v.wrapIndent(e.Task(w.Env), hang, hang))
		b.WriteString(v.wrapIndent(e.Answer, "  Answer:    ", hang))
		st := w.Progress.Steps[s.Lesson.Name]
		if st != nil && st.Done {
			fmt.Fprintf(&b, "  Done:      %s\n", v.paint(paint.Green, "passed"))
		} else {
			fmt.Fprintf(&b, "  Stuck?     dlab workshop hint (%d hints)\n", len(e.Hints(w.Env)))
		}
	} else {
		b.WriteString("  Exercise:  none: this step is reading and discussion\n")
	}
	if v.Instructor && len(s.Prompts) > 0 {
		b.WriteString("  Discuss:\n")
		for _, p := range s.Prompts {
			b.WriteString(v.wrapIndent(p, "    - ", "      "))
		}
	}
	if next, ok := w.Path.Next(s); ok {
		b.WriteString(v.wrapIndent(fmt.Sprintf("dlab workshop next (step %d: %s)", next.Number, next.Lesson.Name), "  Then:      ", "             "))
	} else {
		b.WriteString(v.wrapIndent("that was the last step; dlab workshop status shows how it went", "  Then:      ", "             "))
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// WriteOutcome writes the result of a check.
func (w *Workshop) WriteOutcome(out io.Writer, s Step, o Outcome, notes []string, v View) error {
	var b strings.Builder
	for _, n := range notes {
		b.WriteString(v.wrapIndent("note: "+n, "", "      "))
	}
	tag := v.paint(paint.Bold+paint.Red, "NOT YET:")
	if o.Passed {
		tag = v.paint(paint.Bold+paint.Green, "PASS:")
	}
	// What a check saw names processes and echoes the student's program:
	// untrusted bytes, escaped before they reach the terminal.
	b.WriteString(v.wrapIndent(tag+" "+safe.Text(o.Summary), "", "  "))
	for _, l := range o.Seen {
		b.WriteString(v.wrapIndent(safe.Text(l), "  seen: ", "        "))
	}
	if o.Grade != nil && !o.Passed {
		b.WriteString("  every step and why it matters: dlab check -- " + safe.Text(strings.Join(o.Grade.Command, " ")) + "\n")
	}
	switch next, ok := w.Path.Next(s); {
	case o.Passed && ok:
		b.WriteString(v.wrapIndent(fmt.Sprintf("Next: dlab workshop next (step %d: %s)", next.Number, next.Lesson.Title), "", "  "))
	case o.Passed:
		b.WriteString("That was the last exercise. dlab workshop status shows how it went.\n")
	default:
		b.WriteString("Try again, or ask for a hint: dlab workshop hint\n")
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// WriteHints writes the hints shown so far.
func (w *Workshop) WriteHints(out io.Writer, s Step, hints []string, total int, v View) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Step %d, %s:\n", s.Number, s.Exercise.Title)
	for i, h := range hints {
		b.WriteString(v.wrapIndent(h, fmt.Sprintf("  hint %d of %d: ", i+1, total), "              "))
	}
	if len(hints) < total {
		b.WriteString("Another: dlab workshop hint\n")
	} else {
		b.WriteString("That was the last hint.\n")
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// WriteStatus writes a short account of the progress.
func (w *Workshop) WriteStatus(out io.Writer, v View) error {
	var b strings.Builder
	if !w.Started() {
		_, err := io.WriteString(out, "Not started yet: dlab workshop next begins at step 1.\n")
		return err
	}
	cur := w.Current()
	b.WriteString(v.wrapIndent(fmt.Sprintf("%d of %d exercises done; at step %d of %d (%s); started %s (%s).",
		w.Done(), w.Path.Exercises(), cur.Number, len(w.Path.Steps), cur.Lesson.Name,
		w.Progress.Started.Format("2006-01-02 15:04"), sinceStart(w.Now().Sub(w.Progress.Started))), "", ""))
	for _, s := range w.Path.Steps {
		if s.Exercise == nil {
			continue
		}
		st := w.Progress.Steps[s.Lesson.Name]
		detail := ""
		if st != nil && (st.Tries > 0 || st.Hints > 0) {
			detail = fmt.Sprintf(" (%s, %s)", plural(st.Tries, "try", "tries"), plural(st.Hints, "hint", "hints"))
		}
		b.WriteString(v.wrapIndent(s.Exercise.Title+detail, fmt.Sprintf("  %s %2d. ", v.mark(w.StatusOf(s)), s.Number), "         "))
	}
	if v.Instructor {
		fmt.Fprintf(&b, "Plan: %d minutes; step %d is due at %s.\n", w.Path.Minutes(), cur.Number, clock(w.Path.StartsAt(cur.Number)))
	}
	_, err := io.WriteString(out, b.String())
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// StepJSON is one step as --json shows it.
type StepJSON struct {
	Number   int        `json:"number"`
	Lesson   string     `json:"lesson"`
	Title    string     `json:"title"`
	Minutes  int        `json:"minutes"`
	StartsAt int        `json:"starts_at_minute"`
	Exercise string     `json:"exercise,omitempty"`
	Task     string     `json:"task,omitempty"`
	Answer   string     `json:"answer,omitempty"`
	Status   StepStatus `json:"status"`
	Tries    int        `json:"tries"`
	Hints    int        `json:"hints_used"`
	Prompts  []string   `json:"prompts,omitempty"`
}

// PathJSON is the path and the progress as --json shows them.
type PathJSON struct {
	Minutes   int        `json:"minutes"`
	Started   *time.Time `json:"started,omitempty"`
	Current   int        `json:"current_step"` // 0 before the start
	Done      int        `json:"exercises_done"`
	Exercises int        `json:"exercises"`
	Steps     []StepJSON `json:"steps"`
}

// JSON is the path and progress as data.
func (w *Workshop) JSON(instructor bool) PathJSON {
	p := PathJSON{Minutes: w.Path.Minutes(), Done: w.Done(), Exercises: w.Path.Exercises()}
	if w.Started() {
		t := w.Progress.Started
		p.Started, p.Current = &t, w.Current().Number
	}
	for _, s := range w.Path.Steps {
		j := StepJSON{Number: s.Number, Lesson: s.Lesson.Name, Title: s.Lesson.Title, Minutes: s.Minutes,
			StartsAt: w.Path.StartsAt(s.Number), Status: w.StatusOf(s)}
		if s.Exercise != nil {
			j.Exercise, j.Task, j.Answer = s.Exercise.ID, s.Exercise.Task(w.Env), s.Exercise.Answer
		}
		if st := w.Progress.Steps[s.Lesson.Name]; st != nil {
			j.Tries, j.Hints = st.Tries, st.Hints
		}
		if instructor {
			j.Prompts = s.Prompts
		}
		p.Steps = append(p.Steps, j)
	}
	return p
}

// sinceStart says how long ago the workshop began. A start in the future
// (the clock was set back, or the file came from another machine) is said
// as such, not as a negative duration.
func sinceStart(d time.Duration) string {
	if d < 0 {
		return "in the future by this machine's clock: was the clock changed?"
	}
	return d.Round(time.Minute).String() + " ago"
}
