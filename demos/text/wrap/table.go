package wrap

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Table aligns columns, wrapping the cells of the columns whose width is 0
// so that the table fits in Width (0: no wrapping). The fixed widths are
// what the other columns wrap to.
type Table struct {
	Widths []int // one per column; 0 for a column that takes its share of what is left
	Width  int   // of the terminal; 0 when piped
	rows   [][]string
}

// Add adds a row, one cell per column.
func (t *Table) Add(cells ...string) { t.rows = append(t.rows, cells) }

// Write writes the table, each line without trailing spaces.
func (t *Table) Write(w io.Writer) {
	const gap = 2
	flex, fixed := 0, 0
	for _, wd := range t.Widths {
		if wd == 0 {
			flex++
		}
		fixed += wd + gap
	}
	flexWidth := 0
	if t.Width > 0 && flex > 0 {
		flexWidth = max((t.Width-fixed)/flex, 16)
	}
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 0, gap, ' ', 0)
	for _, r := range t.rows {
		var cols [][]string
		lines := 1
		for i, c := range r {
			wd := t.Widths[i]
			if wd == 0 {
				wd = flexWidth
			}
			if t.Width == 0 {
				wd = 0
			}
			// A cell that fits is kept as it is, with the spaces that
			// indent it under its heading ("  classic table").
			wrapped := []string{c}
			if wd > 0 && Width(c) > wd {
				wrapped = Lines(c, wd)
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

// Write writes text wrapped to width (no wrapping when 0); nothing for "".
func Write(w io.Writer, text string, width int) {
	if text != "" {
		WriteHanging(w, text, "", "", width)
	}
}

// WriteHanging writes text wrapped to width, the first line after first
// and the others after rest.
func WriteHanging(w io.Writer, text, first, rest string, width int) {
	for _, l := range Hanging(text, width, first, rest) {
		fmt.Fprintln(w, l)
	}
}
