package lessons

import (
	"fmt"
	"strings"
)

// MarkerInfo is the first word of the info string of a fenced block that
// places a live demo: ```dlab-demo NAME.
const MarkerInfo = "dlab-demo"

// Part is a piece of a lesson: either Markdown text, or a demo marker.
type Part struct {
	Text string // Markdown, when Demo is ""
	Demo string // the demo's name, for a marker
	Note string // the marker's body: what to say when the demo doesn't run
	Line int    // the line of the file where the part starts
}

// Parts splits the lesson into text and demo markers, in order.
func (l Lesson) Parts() []Part {
	ps, _ := l.parts() // Parse already refused a lesson whose markers are malformed
	return ps
}

// Demos lists the names of the demos the lesson places, in order.
func (l Lesson) Demos() []string {
	var names []string
	for _, p := range l.Parts() {
		if p.Demo != "" {
			names = append(names, p.Demo)
		}
	}
	return names
}

// parts scans the body line by line, following CommonMark's fences: a fence
// is three or more backticks or tildes indented by at most three spaces, and
// it is closed by the same character repeated at least as often. Only an
// opening fence whose info string starts with "dlab-demo" is a marker; a
// marker shown inside a longer fence (a lesson teaching how to write one) is
// just code.
func (l Lesson) parts() ([]Part, error) {
	lines := strings.SplitAfter(l.Body, "\n")
	var (
		parts    []Part
		text     strings.Builder
		textLine = l.bodyLine
	)
	flush := func() {
		if strings.TrimSpace(text.String()) != "" {
			parts = append(parts, Part{Text: text.String(), Line: textLine})
		}
		text.Reset()
	}
	for i := 0; i < len(lines); i++ {
		fence, info, ok := openingFence(lines[i])
		if !ok {
			if text.Len() == 0 {
				textLine = l.bodyLine + i
			}
			text.WriteString(lines[i])
			continue
		}
		// Find the closing fence.
		end := -1
		for j := i + 1; j < len(lines); j++ {
			if closesFence(lines[j], fence) {
				end = j
				break
			}
		}
		word, rest, _ := strings.Cut(strings.TrimSpace(info), " ")
		if word != MarkerInfo {
			// An ordinary code block: keep it whole in the text.
			if text.Len() == 0 {
				textLine = l.bodyLine + i
			}
			last := end
			if last < 0 {
				last = len(lines) - 1
			}
			for j := i; j <= last; j++ {
				text.WriteString(lines[j])
			}
			i = last
			continue
		}
		line := l.bodyLine + i
		if end < 0 {
			return nil, fmt.Errorf("%s:%d: demo marker is not closed by a line %q", l.File, line, fence)
		}
		name := strings.TrimSpace(rest)
		if name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("%s:%d: demo marker wants exactly one demo name after %q, got %q", l.File, line, MarkerInfo, strings.TrimSpace(info))
		}
		var note strings.Builder
		for _, nl := range lines[i+1 : end] {
			note.WriteString(nl)
		}
		flush()
		parts = append(parts, Part{Demo: name, Note: strings.TrimSpace(note.String()), Line: line})
		i = end
	}
	flush()
	return parts, nil
}

// openingFence reports whether line opens a fenced code block, with the fence
// (the run of backticks or tildes) and the info string after it.
func openingFence(line string) (fence, info string, ok bool) {
	s := strings.TrimRight(line, "\r\n")
	trimmed := strings.TrimLeft(s, " ")
	if len(s)-len(trimmed) > 3 || len(trimmed) < 3 {
		return "", "", false
	}
	c := trimmed[0]
	if c != '`' && c != '~' {
		return "", "", false
	}
	n := 0
	for n < len(trimmed) && trimmed[n] == c {
		n++
	}
	if n < 3 {
		return "", "", false
	}
	info = trimmed[n:]
	// A backtick fence's info string may not hold a backtick (CommonMark).
	if c == '`' && strings.Contains(info, "`") {
		return "", "", false
	}
	return trimmed[:n], info, true
}

// closesFence reports whether line closes a block opened by fence.
func closesFence(line, fence string) bool {
	raw := strings.TrimRight(line, "\r\n")
	if len(raw)-len(strings.TrimLeft(raw, " ")) > 3 {
		return false
	}
	s := strings.TrimSpace(raw)
	if len(s) < len(fence) {
		return false
	}
	return strings.Trim(s, fence[:1]) == ""
}
