package compare

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"dlab/demos/spectrum"
)

// Markdown is the side-by-side table and the experiments, for a lesson.
func (r Result) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| | normal process (PID %d) | daemon (PID %d) |\n|---|---|---|\n", r.Normal.PID, r.Daemon.PID)
	for _, row := range r.Rows {
		fmt.Fprintf(&b, "| **%s** | %s | %s |\n", md(row.Aspect), md(row.Normal.Observed), md(row.Daemon.Observed))
		if row.Draft != nil {
			fmt.Fprintf(&b, "| *the draft says* | *%s* | *%s* |\n", md(row.Draft.Normal), md(row.Draft.Daemon))
		}
	}
	fmt.Fprintf(&b, "\nThe daemon's parent, after its first child exited: %s.\n", md(r.Reaper))
	if r.hasGo() {
		fmt.Fprintf(&b, "\n%s\n", md(spectrum.GoNote))
	}
	if len(r.Experiments) > 0 {
		b.WriteString("\n")
		b.WriteString(r.Experiments.Markdown())
	}
	return b.String()
}

// Markdown is the experiments as a table: what the lesson expects, what was
// observed, and whether they match.
func (es Experiments) Markdown() string {
	var b strings.Builder
	b.WriteString("| event | process | expected | observed | |\n|---|---|---|---|---|\n")
	for _, e := range es {
		fmt.Fprintf(&b, "| %s | %s (PID %d) | %s | %s | %s |\n", md(string(e.Event)), e.Target, e.PID,
			md(e.Expected.Text), md(e.Observed.Text), matchMark(e.Match, false))
	}
	if n := es.Mismatches(); n > 0 {
		fmt.Fprintf(&b, "\n**%d mismatch(es)**: what was observed is not what the lesson expects; see the evidence with --json.\n", n)
	}
	return b.String()
}

func matchMark(ok, color bool) string {
	switch {
	case ok && color:
		return "\x1b[32m✓ as expected\x1b[0m"
	case ok:
		return "✓ as expected"
	case color:
		return "\x1b[31m✗ MISMATCH\x1b[0m"
	}
	return "✗ MISMATCH"
}

// md keeps a value from breaking a Markdown table.
func md(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "\n", " ").Replace(s)
}

func (r Result) hasGo() bool {
	for _, row := range r.Rows {
		if strings.HasSuffix(row.Normal.Observed, "(Go)") || strings.HasSuffix(row.Daemon.Observed, "(Go)") {
			return true
		}
	}
	return false
}

// WriteText writes the comparison as aligned text, wrapped to width
// columns (0: no wrapping), with colour when asked.
func (r Result) WriteText(w io.Writer, color bool, width int) {
	t := textTable{widths: []int{16, 0, 0}, width: width}
	t.add("", fmt.Sprintf("normal process (PID %d)", r.Normal.PID), fmt.Sprintf("daemon (PID %d)", r.Daemon.PID))
	for _, rr := range r.Rows {
		if rr.Draft == nil && rr.Aspect == "verdict" {
			t.add("", "", "")
		}
		t.add(rr.Aspect, rr.Normal.Observed, rr.Daemon.Observed)
		if rr.Draft != nil {
			t.add("  the draft says", rr.Draft.Normal, rr.Draft.Daemon)
		}
	}
	t.write(w)
	fmt.Fprintln(w)
	for _, l := range wrap(fmt.Sprintf("The daemon's parent, after its first child exited: %s.", r.Reaper), width) {
		fmt.Fprintln(w, l)
	}
	if r.hasGo() {
		for _, l := range wrap(spectrum.GoNote, width) {
			fmt.Fprintln(w, l)
		}
	}
	if len(r.Experiments) > 0 {
		fmt.Fprintln(w)
		r.Experiments.WriteText(w, color, width)
	}
}

// WriteText writes the experiments as aligned text.
func (es Experiments) WriteText(w io.Writer, color bool, width int) {
	fmt.Fprintln(w, "Signals and terminal events, each on fresh processes (^C is typed on, and")
	fmt.Fprintln(w, "the hang-up closes, the normal process's terminal; the daemon has none):")
	t := textTable{widths: []int{8, 12, 0, 0, 10}, width: width}
	t.add("event", "process", "expected", "observed", "")
	for _, e := range es {
		t.add(shortEvent(e.Event), fmt.Sprintf("%s %d", e.Target, e.PID), e.Expected.Text, e.Observed.Text, shortMark(e.Match, color))
	}
	t.write(w)
	for _, e := range es {
		if e.Match {
			continue
		}
		fmt.Fprintf(w, "\n%s on the %s (PID %d): expected %s, because %s.\nObserved %s:\n", e.Event, e.Target, e.PID, e.Expected.Text, e.Expected.Why, e.Observed.Text)
		for _, ev := range e.Observed.Evidence {
			fmt.Fprintf(w, "  - %s\n", ev)
		}
	}
	if n := es.Mismatches(); n > 0 {
		fmt.Fprintf(w, "\n%d mismatch(es) between the lesson and what happened.\n", n)
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
			wrapped := wrap(c, wd)
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
		io.WriteString(w, strings.TrimRight(line, " \n")+strings.Repeat("\n", strings.Count(line, "\n")))
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

func shortMark(ok, color bool) string {
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

// wrap splits s into lines of at most width columns, at spaces (0: one
// line).
func wrap(s string, width int) []string {
	if width <= 0 || visible(s) <= width {
		return []string{s}
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case visible(line)+1+visible(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return append(lines, line)
}

// visible is how many columns s takes on a terminal: its runes, less the
// colour escapes ("\x1b[...m").
func visible(s string) int {
	n, esc := 0, false
	for _, r := range s {
		switch {
		case esc:
			esc = r != 'm'
		case r == '\x1b':
			esc = true
		default:
			n++
		}
	}
	return n
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}
