package render

import (
	"regexp"
	"strings"
)

// maxColumns is the most columns a table keeps in the terminal: glamour
// squeezes every column into the width, so at 80 columns a table of nine
// becomes a stack of three-letter fragments.
const maxColumns = 5

var tableRule = regexp.MustCompile(`^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$`)

// transposeWideTables turns each Markdown table with more than maxColumns
// columns and fewer rows than columns on its side: the rows become columns,
// which is how a side-by-side comparison of a few processes reads best in a
// narrow terminal.
func transposeWideTables(md string) string {
	lines := strings.Split(md, "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		if i+1 < len(lines) && isTableRow(lines[i]) && tableRule.MatchString(lines[i+1]) {
			j := i + 2
			for j < len(lines) && isTableRow(lines[j]) {
				j++
			}
			out = append(out, transposeTable(lines[i], lines[i+2:j])...)
			i = j - 1
			continue
		}
		out = append(out, lines[i])
	}
	return strings.Join(out, "\n")
}

func isTableRow(line string) bool {
	return strings.HasPrefix(strings.TrimSpace(line), "|")
}

// transposeTable returns the table as it is, or on its side when it is wide
// and short.
func transposeTable(head string, rows []string) []string {
	h := splitRow(head)
	if len(h) <= maxColumns || len(rows) >= len(h) {
		keep := []string{head, rule(len(h))}
		return append(keep, rows...)
	}
	grid := [][]string{h}
	for _, r := range rows {
		cells := splitRow(r)
		for len(cells) < len(h) {
			cells = append(cells, "")
		}
		grid = append(grid, cells[:len(h)])
	}
	var out []string
	for c := range h {
		col := make([]string, len(grid))
		for r := range grid {
			col[r] = grid[r][c]
		}
		out = append(out, "| "+strings.Join(col, " | ")+" |")
		if c == 0 {
			out = append(out, rule(len(grid)))
		}
	}
	return out
}

func rule(n int) string {
	return "|" + strings.Repeat("---|", n)
}

// splitRow splits a table row into its cells, keeping escaped pipes (\|)
// inside their cell.
func splitRow(line string) []string {
	s := strings.TrimSpace(line)
	s = strings.TrimPrefix(s, "|")
	if strings.HasSuffix(s, "|") && !strings.HasSuffix(s, `\|`) {
		s = s[:len(s)-1]
	}
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '|':
			cur.WriteString(`\|`)
			i++
		case s[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}
