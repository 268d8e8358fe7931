package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"dlab/demos/lab/compare"
	"dlab/demos/lab/spectrum"
	"dlab/demos/text/wrap"
)

// The text forms of dlab demo compare and of the spectrum demos: aligned
// columns, wrapped to the terminal's width (none when piped), coloured
// marks on a colour terminal. The packages give the data and the
// Markdown; how it looks on a terminal is decided here.

// writeCompareText writes the side-by-side table and the experiments.
func writeCompareText(w io.Writer, r compare.Result, color bool, width int) {
	t := textTable{widths: []int{16, 0, 0}, width: width}
	t.add("", fmt.Sprintf("normal process (PID %d)", r.Normal.PID), fmt.Sprintf("daemon (PID %d)", r.Daemon.PID))
	for _, row := range r.Rows {
		if row.Draft == nil && row.Aspect == "verdict" {
			t.add("", "", "")
		}
		t.add(row.Aspect, row.Normal.Observed, row.Daemon.Observed)
		if row.Draft != nil {
			t.add("  the draft says", row.Draft.Normal, row.Draft.Daemon)
		}
	}
	t.write(w)
	fmt.Fprintln(w)
	writeWrapped(w, fmt.Sprintf("The daemon's parent, after its first child exited: %s.", r.Reaper), width)
	writeWrapped(w, r.GoNote(), width)
	if len(r.Experiments) > 0 {
		fmt.Fprintln(w)
		writeExperimentsText(w, r.Experiments, color, width)
	}
}

// writeExperimentsText writes the experiments as a table, then the
// evidence of every mismatch.
func writeExperimentsText(w io.Writer, es compare.Experiments, color bool, width int) {
	writeWrapped(w, "Signals and terminal events, each on fresh processes (^C is typed on, and the hang-up closes, the normal process's terminal; the daemon has none):", width)
	t := textTable{widths: []int{8, 12, 0, 0, 10}, width: width}
	t.add("event", "process", "expected", "observed", "")
	for _, e := range es {
		t.add(shortEvent(e.Event), fmt.Sprintf("%s %d", e.Target, e.PID), e.Expected.Text, e.Observed.Text, experimentMark(e, color))
	}
	t.write(w)
	for _, e := range es.DraftWrong() {
		fmt.Fprintln(w)
		writeWrapped(w, e.DraftNote(), width)
	}
	for _, e := range es {
		if e.Match {
			continue
		}
		fmt.Fprintln(w)
		writeWrapped(w, fmt.Sprintf("%s on the %s (PID %d): expected %s, because %s. Observed %s:",
			e.Event, e.Target, e.PID, e.Expected.Text, e.Expected.Why, e.Observed.Text), width)
		for _, ev := range e.Observed.Evidence {
			writeIndented(w, ev, "  - ", "    ", width)
		}
	}
	if n := es.Mismatches(); n > 0 {
		fmt.Fprintf(w, "\n%d mismatch(es) between the lesson and what happened.\n", n)
	}
	if n := es.Inconclusives(); n > 0 {
		fmt.Fprintln(w)
		writeWrapped(w, fmt.Sprintf("%d inconclusive: %s", n, compare.InconclusiveNote), width)
	}
}

// shortEvent names an event in a narrow column.
func shortEvent(e compare.Event) string {
	switch e {
	case compare.TypeCtrlC:
		return "^C typed"
	case compare.HangUp:
		return "hang-up"
	}
	return string(e)
}

// experimentMark is matchMark with a third answer: inconclusive.
func experimentMark(e compare.Experiment, color bool) string {
	switch {
	case e.Inconclusive() && color:
		return "\x1b[33m? inconclusive\x1b[0m"
	case e.Inconclusive():
		return "? inconclusive"
	}
	return matchMark(e.Match, color)
}

func matchMark(ok, color bool) string {
	switch {
	case ok && color:
		return "\x1b[32m✓\x1b[0m"
	case ok:
		return "✓"
	case color:
		return "\x1b[31m✗ MISMATCH\x1b[0m"
	}
	return "✗ MISMATCH"
}

// writeShowingText writes a spectrum showing: its processes (a table when
// it fits, else one block per process), the event and what it did, and the
// checked claims.
func writeShowingText(w io.Writer, s spectrum.Showing, color bool, width int) {
	fmt.Fprintln(w, s.Title)
	if s.Dir != "" {
		fmt.Fprintf(w, "files (./): %s\n", s.Dir)
	}
	fmt.Fprintln(w)
	writeProcesses(w, spectrum.Rows(s.Before, s.Dir), width)
	if s.Event != "" {
		fmt.Fprintln(w)
		writeWrapped(w, fmt.Sprintf("Then %s: %s.", s.Event, s.Outcome), width)
		fmt.Fprintln(w)
		writeProcesses(w, spectrum.Rows(s.After, s.Dir), width)
	}
	if note := s.GoNote(); note != "" {
		fmt.Fprintln(w)
		writeWrapped(w, note, width)
	}
	fmt.Fprintln(w)
	for _, c := range s.Checks {
		mark := matchMark(true, color)
		if !c.Holds {
			mark = claimFails(color)
		}
		writeIndented(w, c.Claim, mark+" ", "  ", width)
		writeIndented(w, spectrum.Shorten(c.Observed, s.Dir), "    observed: ", "      ", width)
	}
}

func claimFails(color bool) string {
	if color {
		return "\x1b[31m✗ does not hold:\x1b[0m"
	}
	return "✗ does not hold:"
}

// writeProcesses writes the process table, or, when it is wider than the
// terminal, each process as a block of its own (the table on its side).
func writeProcesses(w io.Writer, rows [][]string, width int) {
	t := textTable{widths: make([]int, len(spectrum.TableHeader))}
	t.add(spectrum.TableHeader...)
	for _, r := range rows {
		t.add(r...)
	}
	var b strings.Builder
	t.write(&b)
	if width == 0 || widest(b.String()) <= width {
		io.WriteString(w, b.String())
		return
	}
	for i, r := range rows {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (PID %s)\n", r[0], r[1])
		side := textTable{widths: []int{13, 0}, width: width}
		for c := 2; c < len(r); c++ {
			if r[c] != "-" {
				side.add("  "+spectrum.TableHeader[c], r[c])
			}
		}
		side.write(w)
	}
}

func widest(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		n = max(n, wrap.Width(l))
	}
	return n
}

// writeWrapped writes text wrapped to width (no wrapping when 0); nothing
// for "".
func writeWrapped(w io.Writer, text string, width int) {
	if text != "" {
		writeIndented(w, text, "", "", width)
	}
}

// writeIndented writes text wrapped to width, the first line after first
// and the others after rest.
func writeIndented(w io.Writer, text, first, rest string, width int) {
	for _, l := range wrap.Hanging(text, width, first, rest) {
		fmt.Fprintln(w, l)
	}
}

// textTable aligns columns, wrapping the cells of the columns whose width
// is 0 so that the table fits in width (0: no wrapping). The fixed widths
// are what the other columns wrap to.
type textTable struct {
	widths []int
	width  int
	rows   [][]string
}

func (t *textTable) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *textTable) write(w io.Writer) {
	const gap = 2
	flex, fixed := 0, 0
	for _, wd := range t.widths {
		if wd == 0 {
			flex++
		}
		fixed += wd + gap
	}
	flexWidth := 0
	if t.width > 0 && flex > 0 {
		flexWidth = max((t.width-fixed)/flex, 16)
	}
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 0, gap, ' ', 0)
	for _, r := range t.rows {
		var cols [][]string
		lines := 1
		for i, c := range r {
			wd := t.widths[i]
			if wd == 0 {
				wd = flexWidth
			}
			if t.width == 0 {
				wd = 0
			}
			// A cell that fits is kept as it is, with the spaces that
			// indent it under its heading ("  the draft says").
			wrapped := []string{c}
			if wd > 0 && wrap.Width(c) > wd {
				wrapped = wrap.Lines(c, wd)
			}
			cols = append(cols, wrapped)
			lines = max(lines, len(wrapped))
		}
		for l := 0; l < lines; l++ {
			var cells []string
			for _, c := range cols {
				cells = append(cells, at(c, l))
			}
			// Every line has every cell, even empty: tabwriter aligns a
			// column only over consecutive lines that have it.
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
	}
	tw.Flush()
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line != "" {
			fmt.Fprintln(w, strings.TrimRight(line, " \n"))
		}
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}
