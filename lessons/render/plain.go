package render

import (
	"strings"

	"dlab/demos/text/wrap"

	"github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
)

// Private-use runes that glamour carries through untouched: they mark where
// a heading starts, so that plain output can underline it after rendering.
const (
	h1Mark = "\uE001"
	h2Mark = "\uE002"
	h3Mark = "\uE003"
)

// plainStyle is glamour's notty style without Markdown's markers: a reader of
// piped text or of NO_COLOR output sees "a daemon", not "**daemon**", and a
// heading underlined as plain-text documents do, not "## Heading". Lists
// keep their bullets and numbers, which are text, not markup.
func plainStyle() ansi.StyleConfig {
	s := styles.NoTTYStyleConfig
	none := ansi.StylePrimitive{}
	s.Strong, s.Emph, s.Strikethrough = none, none, none
	s.Code = ansi.StyleBlock{}
	s.H1 = ansi.StyleBlock{StylePrimitive: ansi.StylePrimitive{Prefix: h1Mark}}
	s.H2 = ansi.StyleBlock{StylePrimitive: ansi.StylePrimitive{Prefix: h2Mark}}
	s.H3 = ansi.StyleBlock{StylePrimitive: ansi.StylePrimitive{Prefix: h3Mark}}
	for _, h := range []*ansi.StyleBlock{&s.H4, &s.H5, &s.H6} {
		*h = ansi.StyleBlock{}
	}
	return s
}

// underlineHeadings turns the heading marks left by plainStyle into an
// underline under the heading's last line: "=" for a title, "-" for a
// section, "~" for a part of one.
func underlineHeadings(out string) string {
	if !strings.ContainsAny(out, h1Mark+h2Mark+h3Mark) {
		return out
	}
	lines := strings.Split(out, "\n")
	var res []string
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		under := ""
		switch {
		case strings.Contains(line, h1Mark):
			under = "="
		case strings.Contains(line, h2Mark):
			under = "-"
		case strings.Contains(line, h3Mark):
			under = "~"
		default:
			res = append(res, line)
			continue
		}
		line = strings.NewReplacer(h1Mark, "", h2Mark, "", h3Mark, "").Replace(line)
		// A heading wrapped over several lines ends at the first blank one.
		block := []string{line}
		for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
			i++
			block = append(block, lines[i])
		}
		indent, widest := len(line)-len(strings.TrimLeft(line, " ")), 0
		for _, b := range block {
			widest = max(widest, wrap.Width(strings.TrimSpace(b)))
		}
		res = append(res, block...)
		res = append(res, strings.Repeat(" ", indent)+strings.Repeat(under, widest))
	}
	return strings.Join(res, "\n")
}
