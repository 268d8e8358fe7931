package compare

import (
	"fmt"
	"io"

	"dlab/demos/text/wrap"
)

// WriteText writes the side-by-side table and the experiments for a
// terminal: aligned columns wrapped to width (none when 0, piped), coloured
// marks when color is set.
func (r Result) WriteText(w io.Writer, color bool, width int) {
	t := wrap.Table{Widths: []int{16, 0, 0}, Width: width}
	t.Add("", fmt.Sprintf("normal process (PID %d)", r.Normal.PID), fmt.Sprintf("daemon (PID %d)", r.Daemon.PID))
	for _, row := range r.Rows {
		if row.Draft == nil && row.Aspect == "verdict" {
			t.Add("", "", "")
		}
		t.Add(row.Aspect, row.Normal.Observed, row.Daemon.Observed)
		if row.Draft != nil {
			t.Add("  the draft says", row.Draft.Normal, row.Draft.Daemon)
		}
	}
	t.Write(w)
	fmt.Fprintln(w)
	wrap.Write(w, fmt.Sprintf("The daemon's parent, after its first child exited: %s.", r.Reaper), width)
	wrap.Write(w, r.GoNote(), width)
	if len(r.Experiments) > 0 {
		fmt.Fprintln(w)
		r.Experiments.WriteText(w, color, width)
	}
}

// WriteText writes the experiments as a table, then the evidence of every
// one that is not as expected.
func (es Experiments) WriteText(w io.Writer, color bool, width int) {
	wrap.Write(w, "Signals and terminal events, each on fresh processes (^C is typed on, and the hang-up closes, the normal process's terminal; the daemon has none):", width)
	t := wrap.Table{Widths: []int{8, 12, 0, 0, 10}, Width: width}
	t.Add("event", "process", "expected", "observed", "")
	for _, e := range es {
		t.Add(shortEvent(e.Event), fmt.Sprintf("%s %d", e.Target, e.PID), e.Expected.Text, e.Observed.Text, e.textMark(color))
	}
	t.Write(w)
	for _, e := range es.DraftWrong() {
		fmt.Fprintln(w)
		wrap.Write(w, e.DraftNote(), width)
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

// textMark is the mark of the text table: ✓, ✗ MISMATCH or ? inconclusive,
// in green, red or yellow on a colour terminal.
func (e Experiment) textMark(color bool) string {
	mark, colour := "✓", "32"
	switch {
	case e.Inconclusive():
		mark, colour = "? inconclusive", "33"
	case !e.Match:
		mark, colour = "✗ MISMATCH", "31"
	}
	if color {
		return "\x1b[" + colour + "m" + mark + "\x1b[0m"
	}
	return mark
}
