package render

import (
	"regexp"
	"strings"
)

var tableRule = regexp.MustCompile(`^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$`)

// transposeWideTables turns on its side each Markdown table that is too wide
// for width and has fewer rows than columns: glamour squeezes every column
// into the width, so at 80 columns a table of nine columns becomes a stack
// of three-letter fragments, while the same facts with one column per
// process read well.
func transposeWideTables(md string, width int) string {
	lines := strings.Split(md, "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		if i+1 < len(lines) && isTableRow(lines[i]) && tableRule.MatchString(lines[i+1]) {
			j := i + 2
			for j < len(lines) && isTableRow(lines[j]) {
				j++
			}
			out = append(out, transposeTable(lines[i], lines[i+2:j], width)...)
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

// transposeTable returns the table as it is, or on its side when it is too
// wide and has fewer rows than columns.
func transposeTable(head string, rows []string, width int) []string {
	h := splitRow(head)
	grid := [][]string{h}
	for _, r := range rows {
		cells := splitRow(r)
		for len(cells) < len(h) {
			cells = append(cells, "")
		}
		grid = append(grid, cells[:len(h)])
	}
	if len(rows)+1 >= len(h) || naturalWidth(grid) <= width {
		keep := []string{head, rule(len(h))}
		return append(keep, rows...)
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

// naturalWidth is how wide the table would be with no cell wrapped: the
// widest cell of each column, plus glamour's separators and margins.
func naturalWidth(grid [][]string) int {
	w := 4
	for c := range grid[0] {
		widest := 0
		for _, row := range grid {
			widest = max(widest, len([]rune(row[c])))
		}
		w += widest + 3
	}
	return w
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
