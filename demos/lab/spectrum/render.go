package spectrum

// The text of a showing: for a terminal (WriteText: aligned columns, wrapped
// to the width, coloured marks) and for a lesson (Markdown). Both are built
// from the same rows and sentences, written here once.

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"dlab/demos/core/proc"
	"dlab/demos/text/md"
	"dlab/demos/text/paint"
	"dlab/demos/text/safe"
	"dlab/demos/text/wrap"
)

// TableHeader are the columns of a process table, the same in Markdown and
// in text.
var TableHeader = []string{"process", "PID", "parent", "session", "group", "tty", "fds 0, 1, 2", "SIGHUP", "verdict"}

// Rows turns snapshots into table cells (see TableHeader). Parents that are
// members of the demo are named by their role; files in the demo's
// directory are shown as ./NAME. Names read from /proc are escaped.
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
		row := []string{
			s.Role, strconv.Itoa(s.PID), parent, strconv.Itoa(f.SID), strconv.Itoa(f.PGID), f.TTY,
			strings.Join(fds, ", "), sighup(f.Signals["SIGHUP"]), verdict,
		}
		for i := range row {
			row[i] = safe.Text(row[i])
		}
		rows = append(rows, row)
	}
	return rows
}

// sighup is the SIGHUP column: whether the kernel discards the signal
// (ignored: what nohup sets, and exec keeps), which ps and /proc show for
// any program. Whether a program's own handler acts on it can't be read
// there (the Go runtime, for one, has a handler for nearly every signal):
// what each process did is what the event shows, in the table after it.
func sighup(disposition string) string {
	if proc.Disposition(disposition) == proc.Ignored {
		return "ignored"
	}
	return "not ignored"
}

// Shorten writes the files of the demo's directory as ./NAME: the
// directory is long, and said once.
func Shorten(s, dir string) string {
	if dir == "" {
		return s
	}
	return strings.ReplaceAll(s, dir+"/", "./")
}

// then is the sentence between the two tables: the event, and what it did.
func (s Showing) then() string { return fmt.Sprintf("%s: %s.", s.Event, s.Outcome) }

// WriteText writes the showing for a terminal: its processes (a table
// when it fits in width, else one block per process), the event and what
// it did, and the checked claims, their marks coloured when color is set.
func (s Showing) WriteText(w io.Writer, color bool, width int) {
	fmt.Fprintln(w, s.Title)
	if s.Dir != "" {
		fmt.Fprintf(w, "files (./): %s\n", safe.Text(s.Dir))
	}
	fmt.Fprintln(w)
	writeProcesses(w, Rows(s.Before, s.Dir), width)
	if s.Transcript != "" {
		fmt.Fprintln(w)
		wrap.Write(w, fmt.Sprintf("What the terminal showed (a real %s; dlab typed the commands):", s.Shell), width)
		for _, line := range strings.Split(strings.TrimRight(Shorten(s.Transcript, s.Dir), "\n"), "\n") {
			fmt.Fprintln(w, "    "+wrap.Cut(safe.Text(line), max(width-4, 0)))
		}
	}
	if s.Event != "" {
		fmt.Fprintln(w)
		wrap.Write(w, "Then "+safe.Text(s.then()), width)
		fmt.Fprintln(w)
		writeProcesses(w, Rows(s.After, s.Dir), width)
	}
	fmt.Fprintln(w)
	for _, c := range s.Checks {
		mark := paint.If(color, paint.Green, paint.Holds)
		if !c.Holds {
			mark = paint.If(color, paint.Red, paint.Fails+" does not hold:")
		}
		wrap.WriteHanging(w, c.Claim, mark+" ", "  ", width)
		wrap.WriteHanging(w, safe.Text(Shorten(c.Observed, s.Dir)), "    observed: ", "      ", width)
	}
}

// writeProcesses writes the process table, or, when it is wider than the
// terminal, each process as a block of its own (the table on its side).
func writeProcesses(w io.Writer, rows [][]string, width int) {
	t := wrap.Table{Widths: make([]int, len(TableHeader))}
	t.Add(TableHeader...)
	for _, r := range rows {
		t.Add(r...)
	}
	var b strings.Builder
	t.Write(&b)
	if width == 0 || widest(b.String()) <= width {
		io.WriteString(w, b.String())
		return
	}
	for i, r := range rows {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (PID %s)\n", r[0], r[1])
		side := wrap.Table{Widths: []int{13, 0}, Width: width}
		for c := 2; c < len(r); c++ {
			if r[c] != "-" {
				side.Add("  "+TableHeader[c], r[c])
			}
		}
		side.Write(w)
	}
}

func widest(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		n = max(n, wrap.Width(l))
	}
	return n
}

// Markdown is the showing as Markdown, for a lesson: the processes before,
// the event and what it did, the processes after, and the checked claims.
func (s Showing) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**\n\n", s.Title)
	if s.Dir != "" {
		fmt.Fprintf(&b, "Files (./): %s\n\n", cell(s.Dir))
	}
	b.WriteString(mdProcesses(Rows(s.Before, s.Dir)))
	if s.Event != "" {
		// The event is the lesson's sentence, Markdown of its own (`tmux kill-server`).
		fmt.Fprintf(&b, "\n**Then** %s\n\n", s.then())
		b.WriteString(mdProcesses(Rows(s.After, s.Dir)))
	}
	b.WriteString("\n")
	for _, c := range s.Checks {
		mark := paint.Holds
		if !c.Holds {
			mark = paint.Fails + " **does not hold:**"
		}
		fmt.Fprintf(&b, "- %s %s: %s\n", mark, c.Claim, cell(Shorten(c.Observed, s.Dir)))
	}
	return b.String()
}

func mdProcesses(rows [][]string) string {
	var cells [][]string
	for _, r := range rows {
		row := make([]string, len(r))
		for i, c := range r {
			row[i] = md.Escape(c) // escaped for the terminal by Rows already
		}
		cells = append(cells, row)
	}
	return md.Table(TableHeader, cells)
}

// cell is an observed value in Markdown: what /proc said may hold anything.
func cell(s string) string { return md.Escape(safe.Text(s)) }

// LeftRunning tells what is still running after a demo command returns,
// and how to look at it and stop it.
type LeftRunning struct {
	Members  []Member `json:"members"`
	Dir      string   `json:"dir"`
	Lifetime string   `json:"lifetime"`
	Attach   string   `json:"attach,omitempty"` // the tmux command to see the pane
}

// WriteText writes what is left running, then the commands to look at it,
// see it, find its files and stop it.
func (left LeftRunning) WriteText(w io.Writer, width int) {
	var pids []string
	for _, m := range left.Members {
		pids = append(pids, strconv.Itoa(m.PID))
	}
	fmt.Fprintf(w, "\nStill running, until you stop them or for %s:\n", left.Lifetime)
	for _, m := range left.Members {
		lead := fmt.Sprintf("  %-10s %7d  ", m.Role, m.PID)
		wrap.WriteHanging(w, m.What, lead, strings.Repeat(" ", len(lead)), width)
	}
	if len(pids) > 0 {
		fmt.Fprintf(w, "\nLook:  dlab explain %s\n", pids[0])
		fmt.Fprintf(w, "       ps -o pid,ppid,pgid,sid,tty,stat,args -p %s\n", strings.Join(pids, ","))
	}
	if left.Attach != "" {
		fmt.Fprintf(w, "See:   %s   (detach with ^B d)\n", left.Attach)
	}
	fmt.Fprintf(w, "Files: %s\n", safe.Text(left.Dir))
	fmt.Fprintf(w, "Stop:  dlab demo stop %s   (dlab demo cleanup ends every demo)\n", strings.Join(pids, " "))
}
