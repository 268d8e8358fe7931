package compare

// The text of a comparison: for a terminal (WriteText), for a lesson and
// --markdown (Markdown), and the lesson signals' one-row-per-event table
// (SignalsMarkdown). Every sentence is written here once; the three forms
// share it.

import (
	"fmt"
	"io"
	"strings"

	"dlab/demos/text/md"
	"dlab/demos/text/paint"
	"dlab/demos/text/safe"
	"dlab/demos/text/wrap"
)

// Labels of the side-by-side table.
const (
	classicLabel = "classic table" // under each of its rows, what the classic table says
)

func (r Result) normalHead() string { return fmt.Sprintf("normal process (PID %d)", r.Normal.PID) }
func (r Result) daemonHead() string { return fmt.Sprintf("daemon (PID %d)", r.Daemon.PID) }

// reaperLine says who adopted the daemon.
func (r Result) reaperLine() string {
	return fmt.Sprintf("The daemon's parent, after its first child exited: %s.", r.Reaper)
}

// experimentsIntro says what the experiments are.
const experimentsIntro = "Signals and terminal events, each on fresh processes (^C is typed on, and the hang-up closes, the normal process's terminal; the daemon has none):"

// InconclusiveNote says what an inconclusive experiment means and what to
// do about it.
const InconclusiveNote = "the machine was too busy to see what happened in time, which contradicts nothing the lesson says; run dlab demo compare again when it is quieter."

// WriteText writes the side-by-side table and the experiments for a
// terminal: aligned columns wrapped to width (none when 0, piped), coloured
// marks when color is set.
func (r Result) WriteText(w io.Writer, color bool, width int) {
	t := wrap.Table{Widths: []int{16, 0, 0}, Width: width}
	t.Add("", r.normalHead(), r.daemonHead())
	for _, row := range r.Rows {
		if row.Classic == nil && row.Aspect == "verdict" {
			t.Add("", "", "")
		}
		t.Add(row.Aspect, safe.Text(row.Normal.Observed), safe.Text(row.Daemon.Observed))
		if row.Classic != nil {
			t.Add("  "+classicLabel, row.Classic.Normal, row.Classic.Daemon)
		}
	}
	t.Write(w)
	fmt.Fprintln(w)
	wrap.Write(w, safe.Text(r.reaperLine()), width)
	if len(r.Experiments) > 0 {
		fmt.Fprintln(w)
		r.Experiments.WriteText(w, color, width)
	}
}

// WriteText writes the experiments as a table, then the evidence of every
// one that is not as expected.
func (es Experiments) WriteText(w io.Writer, color bool, width int) {
	wrap.Write(w, experimentsIntro, width)
	t := wrap.Table{Widths: []int{8, 12, 0, 0, 10}, Width: width}
	t.Add("event", "process", "expected", "observed", "")
	for _, e := range es {
		t.Add(shortEvent(e.Event), fmt.Sprintf("%s %d", e.Target, e.PID), e.Expected.Text, e.Observed.Text, e.mark(color))
	}
	t.Write(w)
	for _, e := range es.ClassicWrong() {
		fmt.Fprintln(w)
		wrap.Write(w, e.ClassicNote(), width)
	}
	for _, e := range es {
		if e.Match {
			continue
		}
		fmt.Fprintln(w)
		wrap.Write(w, fmt.Sprintf("%s on the %s (PID %d): expected %s, because %s. Observed %s:",
			e.Event, e.Target, e.PID, e.Expected.Text, e.Expected.Why, e.Observed.Text), width)
		for _, ev := range e.Observed.Evidence {
			wrap.WriteHanging(w, ev, "  - ", "    ", width)
		}
	}
	if n := es.Mismatches(); n > 0 {
		fmt.Fprintf(w, "\n%d mismatch(es) between the lesson and what happened.\n", n)
	}
	if n := es.Inconclusives(); n > 0 {
		fmt.Fprintln(w)
		wrap.Write(w, fmt.Sprintf("%d inconclusive: %s", n, InconclusiveNote), width)
	}
}

// Markdown is the side-by-side table and the experiments, for a lesson.
func (r Result) Markdown() string {
	var b strings.Builder
	rows := [][]string{}
	for _, row := range r.Rows {
		rows = append(rows, []string{"**" + md.Escape(row.Aspect) + "**", cell(row.Normal.Observed), cell(row.Daemon.Observed)})
		if row.Classic != nil {
			rows = append(rows, []string{"*" + classicLabel + "*", "*" + md.Escape(row.Classic.Normal) + "*", "*" + md.Escape(row.Classic.Daemon) + "*"})
		}
	}
	b.WriteString(md.Table([]string{"", r.normalHead(), r.daemonHead()}, rows))
	fmt.Fprintf(&b, "\n%s\n", cell(r.reaperLine()))
	if len(r.Experiments) > 0 {
		b.WriteString("\n")
		b.WriteString(r.Experiments.Markdown())
	}
	return b.String()
}

// Markdown is the experiments as a table: what the classic table and the
// lesson say, what was observed, and whether they match.
func (es Experiments) Markdown() string {
	var b strings.Builder
	var rows [][]string
	for _, e := range es {
		classic := md.Escape(e.Classic)
		if e.ClassicHolds != nil && !*e.ClassicHolds {
			classic = "~~" + classic + "~~"
		}
		rows = append(rows, []string{md.Escape(string(e.Event)), fmt.Sprintf("%s (PID %d)", e.Target, e.PID),
			classic, md.Escape(e.Expected.Text), cell(e.Observed.Text), e.Mark()})
	}
	b.WriteString(md.Table([]string{"event", "process", classicLabel, "expected", "observed", ""}, rows))
	es.markdownNotes(&b)
	return b.String()
}

// SignalsMarkdown is the experiments with one row per event and a column
// per process, each cell what was observed and its mark: the lesson
// signals' table (Markdown's five columns are too many for a terminal).
func (es Experiments) SignalsMarkdown() string {
	var rows [][]string
	for _, ev := range Events {
		row := []string{md.Escape(string(ev))}
		for _, target := range []Target{NormalProcess, SysVDaemon} {
			e := es.Find(ev, target)
			switch {
			case e == nil:
				row = append(row, "not run")
			case e.Match:
				row = append(row, cell(e.Observed.Text)+" "+paint.Holds)
			case e.Inconclusive():
				row = append(row, cell(e.Observed.Text)+" "+paint.Unknown)
			default:
				row = append(row, cell(e.Observed.Text)+" "+paint.Fails+" (the lesson expects: "+md.Escape(e.Expected.Text)+")")
			}
		}
		rows = append(rows, row)
	}
	var b strings.Builder
	b.WriteString("Each cell is a fresh process: started, signalled, watched until it ended or proved it was still running. " +
		paint.Holds + " marks an outcome that is what the lesson predicts.\n\n")
	b.WriteString(md.Table([]string{"event", "normal process", "daemon"}, rows))
	es.markdownNotes(&b)
	if es.Mismatches() == 0 {
		b.WriteString("\nThe kernel treated both processes alike. Every difference came from who could send the signal (a terminal reaches only its own session) or from what the daemon chose to catch (SIGTERM and SIGHUP).\n")
	}
	return b.String()
}

// markdownNotes writes what the marks of a table don't say: where the
// classic table is wrong, and how many experiments didn't go as expected.
func (es Experiments) markdownNotes(b *strings.Builder) {
	for _, e := range es.ClassicWrong() {
		fmt.Fprintf(b, "\n%s\n", cell(e.ClassicNote()))
	}
	if n := es.Mismatches(); n > 0 {
		fmt.Fprintf(b, "\n**%d mismatch(es)**: what was observed is not what the lesson expects; `dlab demo compare --json` shows the evidence of each.\n", n)
	}
	if n := es.Inconclusives(); n > 0 {
		fmt.Fprintf(b, "\n**%d inconclusive**: %s\n", n, md.Escape(InconclusiveNote))
	}
}

// cell is an observed value in Markdown: what /proc said may hold anything.
func cell(s string) string { return md.Escape(safe.Text(s)) }

// ClassicWrong lists the experiments whose observation contradicts the
// classic signal table.
func (es Experiments) ClassicWrong() Experiments {
	var wrong Experiments
	for _, e := range es {
		if e.ClassicHolds != nil && !*e.ClassicHolds {
			wrong = append(wrong, e)
		}
	}
	return wrong
}

// ClassicNote says which row of the classic signal table the observation
// contradicts, shows the row, and says why.
func (e Experiment) ClassicNote() string {
	row := fmt.Sprintf("%s | %s | %s", e.Event, ClassicSignals[NormalProcess][e.Event], ClassicSignals[SysVDaemon][e.Event])
	return fmt.Sprintf("The classic table's row %q is wrong about the %s: observed %s. Why: %s.",
		row, e.Target, e.Observed.Text, e.Expected.Why)
}

// Mark says in a few characters how the observation compares with the
// lesson.
func (e Experiment) Mark() string {
	switch {
	case e.Match:
		return paint.Holds + " as expected"
	case e.Inconclusive():
		return paint.Unknown + " inconclusive"
	}
	return paint.Fails + " MISMATCH"
}

// mark is the mark of the text table: ✓, ✗ MISMATCH or ? inconclusive, in
// green, red or yellow on a colour terminal.
func (e Experiment) mark(color bool) string {
	switch {
	case e.Inconclusive():
		return paint.If(color, paint.Yellow, paint.Unknown+" inconclusive")
	case !e.Match:
		return paint.If(color, paint.Red, paint.Fails+" MISMATCH")
	}
	return paint.If(color, paint.Green, paint.Holds)
}

// shortEvent names an event in a narrow column.
func shortEvent(e Event) string {
	switch e {
	case TypeCtrlC:
		return "^C typed"
	case HangUp:
		return "hang-up"
	}
	return string(e)
}
