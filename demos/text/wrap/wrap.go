// Package wrap fills text to a terminal's width, for every plain-text
// report dlab prints.
//
// The filling itself is muesli/reflow's, which measures a line as the
// terminal shows it: colour escapes take no column, a wide rune takes two.
package wrap

import (
	"strings"

	"github.com/muesli/reflow/ansi"
	"github.com/muesli/reflow/wordwrap"
)

// Width is how many columns s takes on a terminal, colour escapes left out.
func Width(s string) int { return ansi.PrintableRuneWidth(s) }

// Lines fills the words of text (any run of white space between them is
// one space) into lines of at most width columns. A word wider than that
// has a line of its own. Width 0 or less keeps it all on one line; no words,
// no lines.
func Lines(text string, width int) []string {
	words := strings.Join(strings.Fields(text), " ")
	if words == "" {
		return nil
	}
	if width <= 0 {
		return []string{words}
	}
	// reflow breaks before a word only while the word is narrower than the
	// limit: at 1 it would never break.
	w := wordwrap.NewWriter(max(width, 2))
	// Break at spaces only: a flag ("--stop") or a name ("dlab-demo-daemon")
	// stays whole, and reflow v0.3.0 doesn't count the "-" it breaks after.
	w.Breakpoints = nil
	w.Write([]byte(words))
	w.Close()
	return strings.Split(w.String(), "\n")
}

// Hanging is Lines with first before the first line and rest before each
// of the others, both counted in width. Text with no words gives first
// alone, without its trailing spaces: a label with nothing after it.
func Hanging(text string, width int, first, rest string) []string {
	room := func(prefix string) int {
		if width <= 0 {
			return 0
		}
		return max(width-Width(prefix), 1)
	}
	lines := Lines(text, room(first))
	if len(lines) == 0 {
		return []string{strings.TrimRight(first, " ")}
	}
	if len(lines) > 1 && room(rest) != room(first) {
		// The first line is filled; the others have a different room.
		lines = append(lines[:1], Lines(strings.Join(lines[1:], " "), room(rest))...)
	}
	lines[0] = first + lines[0]
	for i := 1; i < len(lines); i++ {
		lines[i] = rest + lines[i]
	}
	return lines
}

// Cut shortens one line to width columns, ending it with "…" when it had to
// be cut: for lines that must not be broken (a transcript, a command), so
// that they stay one line each, within the width. Width 0 keeps the line.
func Cut(line string, width int) string {
	if width <= 0 || Width(line) <= width {
		return line
	}
	r := []rune(line)
	for len(r) > 0 && Width(string(r))+1 > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
