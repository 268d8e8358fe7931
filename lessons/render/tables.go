package render

import (
	"regexp"
	"strings"
)

var tableRule = regexp.MustCompile(`^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$`)

// transposeWideTables lays out each Markdown table for width. One that
// fits stays a table. One too wide with fewer rows than columns is turned on
// its side when that fits: glamour squeezes every column into the width, so
// at 80 columns a table of nine columns becomes a stack of three-letter
// fragments, while the same facts with one column per process read well.
// One that glamour would squeeze by breaking a word in a cell (a path, a
// signal name, a command: "terminate" over "s", "Normal p…") becomes a list,
// one item per row; wholeWords renders a table and says whether every word
// of its cells came out whole.
func transposeWideTables(md string, width int, wholeWords func(table []string) bool) string {
	lines := strings.Split(md, "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		if i+1 < len(lines) && isTableRow(lines[i]) && tableRule.MatchString(lines[i+1]) {
			j := i + 2
			for j < len(lines) && isTableRow(lines[j]) {
				j++
			}
			out = append(out, layoutTable(lines[i], lines[i+2:j], width, wholeWords)...)
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

// layoutTable returns the table as it is, on its side, or as a list.
func layoutTable(head string, rows []string, width int, wholeWords func([]string) bool) []string {
	h := splitRow(head)
	grid := [][]string{h}
	for _, r := range rows {
		cells := splitRow(r)
		for len(cells) < len(h) {
			cells = append(cells, "")
		}
		grid = append(grid, cells[:len(h)])
	}
	asIs := append([]string{head, rule(len(h))}, rows...)
	if naturalWidth(grid) <= width {
		return asIs
	}
	turned := transpose(grid)
	if len(rows)+1 < len(h) {
		if naturalWidth(turned) <= width || wholeWords == nil || wholeWords(tableLines(turned)) {
			return tableLines(turned)
		}
	} else if wholeWords == nil || wholeWords(asIs) {
		return asIs
	}
	return tableAsList(grid)
}

// transpose swaps the rows and columns of grid.
func transpose(grid [][]string) [][]string {
	out := make([][]string, len(grid[0]))
	for c := range grid[0] {
		out[c] = make([]string, len(grid))
		for r := range grid {
			out[c][r] = grid[r][c]
		}
	}
	return out
}

// tableLines writes grid back as Markdown, its first row the header.
func tableLines(grid [][]string) []string {
	var out []string
	for i, row := range grid {
		out = append(out, "| "+strings.Join(row, " | ")+" |")
		if i == 0 {
			out = append(out, rule(len(row)))
		}
	}
	return out
}

// tableAsList writes each row as a list item named by its first cell, with
// one "header: value" line per other cell.
func tableAsList(grid [][]string) []string {
	head := grid[0]
	var out []string
	for _, row := range grid[1:] {
		out = append(out, "- "+orDash(unescapePipes(row[0])))
		for c := 1; c < len(row); c++ {
			label := unescapePipes(head[c])
			if label != "" {
				label += ": "
			}
			out = append(out, "    - "+label+orDash(unescapePipes(row[c])))
		}
	}
	return out
}

// cellWords are the words of the table's cells, as a reader would see
// them: without Markdown's emphasis and code markers.
func cellWords(table []string) []string {
	var words []string
	for i, line := range table {
		if i == 1 {
			continue // the rule
		}
		for _, c := range splitRow(line) {
			c = markdownEscape.ReplaceAllString(strings.NewReplacer("**", "", "`", "", `\|`, " ").Replace(c), "$1")
			words = append(words, strings.Fields(c)...)
		}
	}
	return words
}

// markdownEscape is a backslash before punctuation, which Markdown drops.
var markdownEscape = regexp.MustCompile(`\\([!-/:-@\[-` + "`" + `{-~])`)

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func unescapePipes(s string) string { return strings.ReplaceAll(s, `\|`, "|") }

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
