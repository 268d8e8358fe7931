package spectrum

import (
	"fmt"
	"strconv"
	"strings"

	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
)

// TableHeader are the columns of a process table, the same in Markdown and
// in text.
var TableHeader = []string{"process", "PID", "parent", "session", "group", "tty", "fds 0, 1, 2", "SIGHUP", "verdict"}

// Rows turns snapshots into table cells (see TableHeader). Parents that are members of
// the demo are named by their role; files in the demo's directory are
// shown as ./NAME.
func Rows(snaps []Snapshot, dir string) [][]string {
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
			fds = append(fds, orNone(Shorten(fd, dir)))
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

// Shorten writes the files of the demo's directory as ./NAME: the
// directory is long, and said once.
func Shorten(s, dir string) string {
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
	if proc.Disposition(d) == proc.Caught && (f.GoVersion != "" || f.GoHint != "") {
		return "caught (Go)"
	}
	return d
}

// GoNote is the package's GoNote when a cell of the showing needs it, else "".
func (s Showing) GoNote() string {
	if hasGoNote(Rows(s.Before, s.Dir), Rows(s.After, s.Dir)) {
		return GoNote
	}
	return ""
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
	before, after := Rows(s.Before, s.Dir), Rows(s.After, s.Dir)
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
		fmt.Fprintf(&b, "- %s %s: %s\n", mark, c.Claim, mdEscape(Shorten(c.Observed, s.Dir)))
	}
	return b.String()
}

func mdTable(b *strings.Builder, rows [][]string) {
	b.WriteString("| " + strings.Join(TableHeader, " | ") + " |\n")
	b.WriteString("|" + strings.Repeat("---|", len(TableHeader)) + "\n")
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
