package spectrum

import (
	"fmt"

	"dlab/demos/inspect"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Columns of a process table, the same in Markdown and in text.
var tableHeader = []string{"process", "PID", "parent", "session", "group", "tty", "fds 0, 1, 2", "SIGHUP", "verdict"}

// tableRows turns snapshots into table cells. Parents that are members of
// the demo are named by their role; files in the demo's directory are
// shown as ./NAME.
func tableRows(snaps []Snapshot, dir string) [][]string {
	roles := map[int]string{}
	for _, s := range snaps {
		roles[s.PID] = s.Role
	}
	var rows [][]string
	for _, s := range snaps {
		if !s.Alive() {
			gone := s.Gone
			if gone == "" {
				gone = "gone"
			}
			rows = append(rows, []string{s.Role, strconv.Itoa(s.PID), "(" + gone + ")", "-", "-", "-", "-", "-", "-"})
			continue
		}
		f := s.Facts()
		parent := strconv.Itoa(f.PPID)
		if r, ok := roles[f.PPID]; ok {
			parent += " (" + r + ")"
		} else if f.ParentComm != "" {
			parent += " (" + f.ParentComm + ")"
		}
		var fds []string
		for _, fd := range f.FD {
			fds = append(fds, orNone(shorten(fd, dir)))
		}
		verdict := string(s.Report.Verdict)
		if s.Report.Mixed {
			verdict += " (mixed)"
		}
		rows = append(rows, []string{
			s.Role, strconv.Itoa(s.PID), parent, strconv.Itoa(f.SID), strconv.Itoa(f.PGID), f.TTY,
			strings.Join(fds, ", "), Disposition(f, "SIGHUP"), verdict,
		})
	}
	return rows
}

// shorten writes the files of the demo's directory as ./NAME: the
// directory is long, and said once.
func shorten(s, dir string) string {
	if dir == "" {
		return s
	}
	return strings.ReplaceAll(s, dir+"/", "./")
}

// GoNote explains the "(Go)" after a caught signal.
const GoNote = "caught (Go): the Go runtime installs a handler for almost every signal, so SigCgt says nothing about what the program itself does with it; the events show that."

// Disposition is what the process does with sig as /proc says, marked
// "(Go)" when "caught" only means that the Go runtime has a handler.
func Disposition(f inspect.Facts, sig string) string {
	d := f.Signals[sig]
	if d == "caught" && (f.GoVersion != "" || f.GoHint != "") {
		return "caught (Go)"
	}
	return d
}

// hasGoNote reports whether a table shows a "(Go)" cell.
func hasGoNote(rows ...[][]string) bool {
	for _, rs := range rows {
		for _, r := range rs {
			for _, c := range r {
				if strings.HasSuffix(c, "(Go)") {
					return true
				}
			}
		}
	}
	return false
}

// Markdown is the showing as Markdown, for a lesson: the processes before,
// the event and what it did, the processes after, and the checked claims.
func (s Showing) Markdown() string {
	var b strings.Builder
	before, after := tableRows(s.Before, s.Dir), tableRows(s.After, s.Dir)
	fmt.Fprintf(&b, "**%s**\n\n", s.Title)
	if s.Dir != "" {
		fmt.Fprintf(&b, "Files (./): %s\n\n", mdEscape(s.Dir))
	}
	mdTable(&b, before)
	if s.Event != "" {
		fmt.Fprintf(&b, "\n**Then** %s: %s.\n\n", s.Event, s.Outcome)
		mdTable(&b, after)
	}
	if hasGoNote(before, after) {
		fmt.Fprintf(&b, "\n%s\n", mdEscape(GoNote))
	}
	b.WriteString("\n")
	for _, c := range s.Checks {
		mark := "✓"
		if !c.Holds {
			mark = "✗ **does not hold:**"
		}
		fmt.Fprintf(&b, "- %s %s: %s\n", mark, c.Claim, mdEscape(shorten(c.Observed, s.Dir)))
	}
	return b.String()
}

func mdTable(b *strings.Builder, rows [][]string) {
	b.WriteString("| " + strings.Join(tableHeader, " | ") + " |\n")
	b.WriteString("|" + strings.Repeat("---|", len(tableHeader)) + "\n")
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = mdEscape(c)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
}

// mdEscape keeps a value from breaking a Markdown table or turning into
// emphasis.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "`", "'")
	return r.Replace(s)
}

// WriteText writes the showing as aligned text for a terminal or a pipe.
// With color, the check marks are green and red.
func (s Showing) WriteText(w io.Writer, color bool) {
	before, after := tableRows(s.Before, s.Dir), tableRows(s.After, s.Dir)
	fmt.Fprintf(w, "%s\n", s.Title)
	if s.Dir != "" {
		fmt.Fprintf(w, "files (./): %s\n", s.Dir)
	}
	fmt.Fprintln(w)
	textTable(w, before)
	if s.Event != "" {
		fmt.Fprintf(w, "\nThen %s:\n%s.\n\n", s.Event, s.Outcome)
		textTable(w, after)
	}
	if hasGoNote(before, after) {
		fmt.Fprintf(w, "\n%s\n", GoNote)
	}
	fmt.Fprintln(w)
	for _, c := range s.Checks {
		fmt.Fprintf(w, "%s %s\n    observed: %s\n", Mark(c.Holds, color), c.Claim, shorten(c.Observed, s.Dir))
	}
}

// Mark is a check mark: "ok" or "MISMATCH" in plain text, coloured on a
// terminal.
func Mark(holds, color bool) string {
	switch {
	case holds && color:
		return "\x1b[32m✓\x1b[0m"
	case holds:
		return "✓"
	case color:
		return "\x1b[31m✗ does not hold:\x1b[0m"
	}
	return "✗ does not hold:"
}

func textTable(w io.Writer, rows [][]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(tableHeader, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}
