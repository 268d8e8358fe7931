// Package render shows lessons in the terminal with glamour.
//
// It follows glow: glamour's plain "notty" style unless the output is a
// terminal with colour on (or a style was asked for by name), word wrap at the
// terminal's width with 80 as the fallback, output to an io.Writer passed in.
// It never uses glamour's automatic style, which asks the terminal for its
// background colour with an escape sequence: that hangs or guesses wrong in
// tmux, in editors' shells and in CI.
package render

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"dlab/demos/text/wrap"
	"dlab/lessons"

	"github.com/charmbracelet/glamour"
	"github.com/charmbracelet/glamour/styles"
	"github.com/muesli/termenv"
)

// Options say how to render.
type Options struct {
	Style    string // --style: a glamour style name or a JSON style file; wins over detection
	EnvStyle string // $GLAMOUR_STYLE: used only when the output is styled anyway
	Plain    bool   // --plain: no styling at all, whatever else is set
	Color    bool   // stdout is a terminal, NO_COLOR is unset and TERM is not dumb
	Width    int    // word-wrap column; 0 means 80

	// Term and ColorTerm are $TERM and $COLORTERM, read to choose how many
	// colours to use (never by asking the terminal).
	Term, ColorTerm string
}

// FromEnv is o with what the environment says filled in: $GLAMOUR_STYLE,
// $TERM and $COLORTERM, read with getenv (os.Getenv, or a test's map).
// Every command that renders (lesson, explain) builds its options with it,
// so that all of them read the same variables the same way.
func (o Options) FromEnv(getenv func(string) string) Options {
	o.EnvStyle, o.Term, o.ColorTerm = getenv("GLAMOUR_STYLE"), getenv("TERM"), getenv("COLORTERM")
	return o
}

// Styled reports whether o renders with a glamour style, colours and all;
// false means glamour's plain notty style, where a report that has a plain
// text form of its own (dlab explain's aligned columns) prints that instead.
func (o Options) Styled() bool { return Style(o) != styles.NoTTYStyle }

// DefaultWidth is the word-wrap column when neither --width nor the terminal
// gives one.
const DefaultWidth = 80

// MinWidth and MaxWidth bound --width. Below MinWidth there is no room for
// text: glamour takes 4 columns of margin and a nested list 8 more, and at 4
// or fewer it silently stops wrapping at all. Above MaxWidth no terminal is
// that wide, and glamour pads every line to the width: 10,000,000 took 3 GB.
const (
	MinWidth = 20
	MaxWidth = 1000
)

// CheckWidth says, in one line, why a --width can't be used; 0 (the
// terminal's width, else DefaultWidth) is fine.
func CheckWidth(w int) error {
	switch {
	case w == 0:
		return nil
	case w < 0:
		return fmt.Errorf("--width %d: want a number of columns, from %d to %d (0: the terminal's width)", w, MinWidth, MaxWidth)
	case w < MinWidth:
		return fmt.Errorf("--width %d is too narrow to wrap a lesson (its margins and list indents alone take up to 12 columns): give %d to %d, or 0 for the terminal's width", w, MinWidth, MaxWidth)
	case w > MaxWidth:
		return fmt.Errorf("--width %d is wider than any terminal: give %d to %d, or 0 for the terminal's width", w, MinWidth, MaxWidth)
	}
	return nil
}

// Style decides the glamour style: "notty" (plain) or a style name or JSON
// file. --plain beats everything; an explicit --style beats detection (so
// `--style dark | less -R` works); GLAMOUR_STYLE applies only where colour is
// on; "auto" is taken as "dark" because resolving it queries the terminal.
func Style(o Options) string {
	var s string
	switch {
	case o.Plain:
		return styles.NoTTYStyle
	case o.Style != "":
		s = o.Style
	case !o.Color:
		return styles.NoTTYStyle
	case o.EnvStyle != "":
		s = o.EnvStyle
	default:
		s = styles.DarkStyle
	}
	if s == styles.AutoStyle {
		s = styles.DarkStyle
	}
	return s
}

// Profile is the colour profile for a terminal described by $TERM and
// $COLORTERM, worked out from the environment alone.
func Profile(term, colorTerm string) termenv.Profile {
	switch strings.ToLower(colorTerm) {
	case "truecolor", "24bit":
		return termenv.TrueColor
	}
	if strings.Contains(term, "256color") || strings.HasPrefix(term, "tmux") {
		return termenv.ANSI256
	}
	return termenv.ANSI
}

// Renderer turns Markdown into terminal text.
type Renderer struct {
	tr    *glamour.TermRenderer
	opts  []glamour.TermRendererOption // how tr was built, for code blocks
	plain bool
	width int
}

// New builds a renderer for o.
func New(o Options) (*Renderer, error) {
	if err := CheckWidth(o.Width); err != nil {
		return nil, err
	}
	width := o.Width
	if width <= 0 {
		width = DefaultWidth
	}
	style := Style(o)
	plain := style == styles.NoTTYStyle || style == styles.AsciiStyle
	opts := []glamour.TermRendererOption{glamour.WithWordWrap(width)}
	if style == styles.NoTTYStyle {
		opts = append(opts, glamour.WithStyles(plainStyle()))
	} else if _, builtin := styles.DefaultStyles[style]; builtin {
		opts = append(opts, glamour.WithStandardStyle(style))
	} else if _, err := os.Stat(style); err == nil {
		opts = append(opts, glamour.WithStylesFromJSONFile(style))
	} else {
		return nil, fmt.Errorf("unable to render markdown: no style %q: use one of %s, or the path of a glamour JSON style file", style, strings.Join(StyleNames(), ", "))
	}
	if plain {
		opts = append(opts, glamour.WithColorProfile(termenv.Ascii))
	} else {
		opts = append(opts, glamour.WithColorProfile(Profile(o.Term, o.ColorTerm)))
	}
	tr, err := glamour.NewTermRenderer(opts...)
	if err != nil {
		return nil, fmt.Errorf("unable to render markdown: %w", err)
	}
	return &Renderer{tr: tr, opts: opts, plain: plain, width: width}, nil
}

// StyleNames lists glamour's built-in styles, except "auto" which dlab never
// uses.
func StyleNames() []string {
	var names []string
	for n := range styles.DefaultStyles {
		if n != styles.AutoStyle {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

var trailingSpace = regexp.MustCompile(`[ \t]+\n`)

// nbHyphen stands in for "-" while glamour wraps text. glamour's word wrap
// (muesli/reflow v0.3.0) treats "-" as a break point but doesn't count it in
// the line's length, so a paragraph full of command-line flags ("ps -e -o")
// overflows and is wrapped a second time, leaving one-word lines. A
// non-breaking hyphen is one column wide and counted; it is turned back into
// "-" after rendering, so what a reader copies is what the lesson says.
const nbHyphen = "\u2011"

// flagHyphens matches the hyphens that start or join a word ("-e",
// "--no-demos", "x-y"), not the ones that are Markdown syntax: list bullets
// ("- "), rules and table rules ("---", "|---|").
var flagHyphens = regexp.MustCompile(`-+[\p{L}\p{N}]`)

func protectHyphens(md string) string {
	return flagHyphens.ReplaceAllStringFunc(md, func(m string) string {
		n := len(m) - len(strings.TrimLeft(m, "-"))
		return strings.Repeat(nbHyphen, n) + m[n:]
	})
}

// Markdown renders md and writes it to w.
func (r *Renderer) Markdown(w io.Writer, md string) error {
	var parts []string
	for _, seg := range splitCodeBlocks(joinSoftBreaks(md)) {
		out, err := r.segment(seg)
		if err != nil {
			return fmt.Errorf("unable to render markdown: %w", err)
		}
		parts = append(parts, out)
	}
	// Each segment is a document of its own, framed by blank lines: keep
	// the first's opening and the last's closing, one blank line between.
	out := parts[0]
	if len(parts) > 1 {
		out = trimBlankLines(out, false, true)
		for _, p := range parts[1 : len(parts)-1] {
			out += "\n\n" + trimBlankLines(p, true, true)
		}
		out += "\n\n" + trimBlankLines(parts[len(parts)-1], true, false)
	}
	out = strings.ReplaceAll(out, nbHyphen, "-")
	out = underlineHeadings(out)
	if r.plain {
		// glamour pads every line to the wrap width; piped text and golden
		// files are better without the trailing blanks.
		out = trailingSpace.ReplaceAllString(out, "\n")
	}
	_, err := io.WriteString(w, out)
	return err
}

// segment renders one piece of splitCodeBlocks' output.
func (r *Renderer) segment(seg codeSegment) (string, error) {
	if !seg.code {
		out, err := r.tr.Render(protectHyphens(transposeWideTables(seg.md, r.width, r.wholeWords)))
		// glamour ends a nested list with two blank lines; prose never
		// needs more than one (code, which may, is rendered apart).
		return extraBlankLines.ReplaceAllString(out, "\n\n"), err
	}
	// glamour wraps code at the width like prose, and breaks a command
	// after any comma or dot ("ps -o pid,ppid," over "stat"): a command
	// must be copied as written, so a line too long sticks out instead.
	longest := 0
	for _, line := range strings.Split(seg.md, "\n") {
		longest = max(longest, wrap.Width(line))
	}
	if longest+codeMargins <= r.width {
		return r.tr.Render(seg.md)
	}
	tr, err := glamour.NewTermRenderer(append(slices.Clone(r.opts), glamour.WithWordWrap(longest+codeMargins))...)
	if err != nil {
		return "", err
	}
	out, err := tr.Render(seg.md)
	if err != nil {
		return "", err
	}
	// The padding up to the wider width would make a terminal wrap each
	// line: take it off, colours reset.
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if t := trailingPadding.ReplaceAllString(l, ""); t != l {
			lines[i] = t
			if !r.plain {
				lines[i] += "\x1b[0m"
			}
		}
	}
	return strings.Join(lines, "\n"), nil
}

// trimBlankLines takes off the lines that show nothing (padding and colour
// codes only) at the start, the end, or both.
func trimBlankLines(s string, start, end bool) string {
	lines := strings.Split(s, "\n")
	blank := func(l string) bool { return strings.TrimSpace(escapes.ReplaceAllString(l, "")) == "" }
	for start && len(lines) > 0 && blank(lines[0]) {
		lines = lines[1:]
	}
	for end && len(lines) > 0 && blank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

var extraBlankLines = regexp.MustCompile(`\n([ \t]*\n){2,}`)

// codeMargins is the room glamour takes around a code block's lines: the
// document's margin and the block's own, on both sides.
const codeMargins = 8

var trailingPadding = regexp.MustCompile("(?: |\x1b\\[[0-9;]*m)+$")

var escapes = regexp.MustCompile("\x1b\\[[0-9;]*[a-zA-Z]")

// wholeWords renders a Markdown table as Markdown does and reports whether
// every word of its cells is on the screen in one piece.
func (r *Renderer) wholeWords(table []string) bool {
	out, err := r.tr.Render(protectHyphens(strings.Join(table, "\n")))
	if err != nil {
		return false
	}
	out = escapes.ReplaceAllString(strings.ReplaceAll(out, nbHyphen, "-"), "")
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(out, func(r rune) bool {
		return r == ' ' || r == '\n' || r == '|' || r == '│' || r == '┃'
	}) {
		seen[w] = true
	}
	for _, w := range cellWords(table) {
		if !seen[w] {
			return false
		}
	}
	return true
}

// Lesson renders l to w, streaming: the text up to each demo marker is
// written before the demo runs, and the demo's live output right under it.
// With run nil, demos don't run and their notes are shown instead. Demo
// failures are shown in place and returned together at the end.
func (r *Renderer) Lesson(ctx context.Context, w io.Writer, l lessons.Lesson, run lessons.RunFunc) error {
	return lessons.Expand(ctx, l, run, func(c lessons.Chunk) error {
		var b strings.Builder
		if err := r.Markdown(&b, c.Markdown); err != nil {
			return err
		}
		// Each chunk is rendered as a document of its own, which opens and
		// closes with blank lines; keep exactly one between chunks.
		_, err := io.WriteString(w, "\n"+strings.Trim(b.String(), "\n")+"\n")
		return err
	})
}

// Lesson renders one lesson with options o; see Renderer.Lesson.
func Lesson(ctx context.Context, w io.Writer, l lessons.Lesson, o Options, run lessons.RunFunc) error {
	r, err := New(o)
	if err != nil {
		return err
	}
	return r.Lesson(ctx, w, l, run)
}

// IsDemoFailure reports whether err (from Lesson) holds only demo failures,
// the lesson itself having been rendered in full.
func IsDemoFailure(err error) bool {
	var de *lessons.DemoError
	if !errors.As(err, &de) {
		return false
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return !slices.ContainsFunc(j.Unwrap(), func(e error) bool { return !errors.As(e, &de) })
	}
	return true
}
