package render

import (
	"regexp"
	"strings"
)

// blockStart matches a line that begins a Markdown block of its own, so it
// must not be joined to the line above: a list item, a heading, a table
// row, a quote, a fence, a rule.
var blockStart = regexp.MustCompile(`^\s*([-*+]\s|\d+[.)]\s|#|\||>|` + "```" + `|~~~|---|\*\*\*|___)`)

// joinSoftBreaks puts each paragraph and each list item on one line, outside
// code blocks. glamour reflows a paragraph's soft line breaks but keeps them
// inside list items, so a list written at 72 columns in the source came out
// with ragged lines at any other width; joined, glamour wraps it at the
// reader's width.
func joinSoftBreaks(md string) string {
	lines := strings.Split(md, "\n")
	out := make([]string, 0, len(lines))
	fence := ""
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			out = append(out, line)
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				fence = ""
			}
			continue
		}
		if f, _, ok := openingFence(line); ok {
			fence = f
			out = append(out, line)
			continue
		}
		if n := len(out); n > 0 && joinable(out[n-1], line) {
			out[n-1] += " " + trimmed
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// joinable reports whether next continues the paragraph or list item that
// prev belongs to.
func joinable(prev, next string) bool {
	p, n := strings.TrimSpace(prev), strings.TrimSpace(next)
	switch {
	case p == "" || n == "":
		return false
	case strings.HasSuffix(prev, "  ") || strings.HasSuffix(prev, `\`): // a hard line break
		return false
	case strings.HasPrefix(p, "#") || strings.HasPrefix(p, "|"):
		return false
	case blockStart.MatchString(next):
		return false
	case strings.HasPrefix(next, "    ") && !strings.HasPrefix(prev, " "):
		return false // an indented code block after a paragraph
	}
	return true
}

// openingFence reports whether line opens a fenced code block.
func openingFence(line string) (fence, info string, ok bool) {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return "", "", false
	}
	for _, c := range []string{"```", "~~~"} {
		if strings.HasPrefix(t, c) {
			n := len(t) - len(strings.TrimLeft(t, c[:1]))
			return t[:n], t[n:], true
		}
	}
	return "", "", false
}

// codeSegment is a fenced code block at the left margin, or the Markdown
// between two of them.
type codeSegment struct {
	md   string
	code bool
}

// splitCodeBlocks cuts md into prose and the fenced code blocks that start
// at the left margin (those inside a list item stay with it). There is
// always at least one segment.
func splitCodeBlocks(md string) []codeSegment {
	var segs []codeSegment
	var cur []string
	flush := func(code bool) {
		if len(cur) > 0 {
			segs = append(segs, codeSegment{md: strings.Join(cur, "\n") + "\n", code: code})
		}
		cur = nil
	}
	fence := ""
	for _, line := range strings.Split(md, "\n") {
		switch {
		case fence != "":
			cur = append(cur, line)
			if t := strings.TrimSpace(line); strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				fence = ""
				flush(true)
			}
		case strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~"):
			f, _, _ := openingFence(line)
			flush(false)
			fence = f
			cur = append(cur, line)
		default:
			cur = append(cur, line)
		}
	}
	flush(fence != "")
	if len(segs) == 0 {
		segs = append(segs, codeSegment{md: md})
	}
	return segs
}
