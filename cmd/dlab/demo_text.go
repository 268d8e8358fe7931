package main

import (
	"fmt"
	"io"
	"strings"

	"dlab/demos/lab/spectrum"
	"dlab/demos/text/wrap"
)

// The text forms of the spectrum demos: aligned columns, wrapped to the
// terminal's width (none when piped), coloured marks on a colour terminal.
// The package gives the data and the Markdown; how it looks on a terminal
// is decided here. (dlab demo compare's text is compare.Result.WriteText.)

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
	t := wrap.Table{Widths: make([]int, len(spectrum.TableHeader))}
	t.Add(spectrum.TableHeader...)
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
				side.Add("  "+spectrum.TableHeader[c], r[c])
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

// writeWrapped writes text wrapped to width (no wrapping when 0); nothing
// for "".
func writeWrapped(w io.Writer, text string, width int) { wrap.Write(w, text, width) }

// writeIndented writes text wrapped to width, the first line after first
// and the others after rest.
func writeIndented(w io.Writer, text, first, rest string, width int) {
	wrap.WriteHanging(w, text, first, rest, width)
}
