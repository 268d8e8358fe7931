package catalog

import (
	"fmt"
	"strings"

	"dlab/demos/text/md"
	"dlab/demos/text/safe"
)

// table builds a Markdown table row by row.
type table struct {
	head []string
	rows [][]string
}

func newTable(head ...string) *table {
	for i := range head {
		if head[i] != "" {
			head[i] = cell(head[i])
		}
	}
	return &table{head: head}
}

func (t *table) add(cells ...any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = cell(fmt.Sprint(c))
	}
	t.rows = append(t.rows, row)
}

func (t *table) String() string { return md.Table(t.head, t.rows) }

// cell makes s safe inside a table cell: one line, pipes escaped.
func cell(s string) string {
	s = strings.Join(strings.Fields(printable(s)), " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	if s == "" {
		return "–"
	}
	return s
}

// code quotes s as inline code, choosing a fence that s doesn't contain.
func code(s string) string {
	s = printable(s)
	if s == "" {
		return "–"
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// block quotes text as a fenced code block.
func block(info, text string) string {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	return fence + info + "\n" + strings.TrimRight(text, "\n") + "\n" + fence + "\n"
}

// doc joins Markdown paragraphs with blank lines.
func doc(paras ...string) string {
	var kept []string
	for _, p := range paras {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n\n") + "\n"
}

// printable escapes, line by line, what a terminal would obey (safe.Text):
// a command name read from /proc can hold anything, and an escape sequence
// in it must not reach the reader's terminal. A tab reads as a space.
func printable(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = safe.Text(strings.ReplaceAll(l, "\t", " "))
	}
	return strings.Join(lines, "\n")
}
