package inspect

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"dlab/demos/text/md"
	"dlab/demos/text/safe"
	"dlab/demos/text/wrap"
)

// RenderOptions shape the text forms of a report.
type RenderOptions struct {
	// Width wraps the text; 0 means 80.
	Width int
	// Raw adds the lines as read from /proc under each row.
	Raw bool
}

func (o RenderOptions) width() int {
	if o.Width <= 0 {
		return 80
	}
	if o.Width < 50 {
		return 50
	}
	return o.Width
}

// mark is the daemon-like column: yes, no, or "-" when the row says nothing
// either way (or could not be read).
func mark(b *bool) string {
	switch {
	case b == nil:
		return "-"
	case *b:
		return "yes"
	}
	return "no"
}

// Headline is the one-line answer: "sleep (PID 4054): normal process".
func (r Report) Headline() string {
	what := map[Verdict]string{Daemon: "daemon", Normal: "normal process", KernelThread: "kernel thread", Zombie: "zombie"}[r.Verdict]
	if r.Kind != "" && string(r.Kind) != string(r.Verdict) {
		what += ", " + string(r.Kind)
	}
	if r.Mixed {
		what += " (mixed evidence)"
	}
	return fmt.Sprintf("%s (PID %d): %s", printable(r.Command), r.PID, what)
}

// WriteText writes the report as plain, aligned text: for pipes, NO_COLOR
// and TERM=dumb. It is stable, so golden files and scripts can rely on it.
func (r Report) WriteText(w io.Writer, o RenderOptions) error {
	width := o.width()
	var b strings.Builder
	b.WriteString(r.Headline() + "\n\n")
	b.WriteString(filled(printable(r.Summary), width, "  ", "  "))
	b.WriteString("\n")

	aw := 0
	for _, row := range r.Evidence {
		aw = max(aw, utf8.RuneCountInString(row.Aspect))
	}
	fmt.Fprintf(&b, "Evidence (daemon-like? yes, no, or - for says nothing)\n")
	indent := strings.Repeat(" ", 2+4+aw+2)
	shown := map[string]bool{}
	for _, row := range r.Evidence {
		head := fmt.Sprintf("  %-3s %-*s  ", mark(row.DaemonLike), aw, row.Aspect)
		b.WriteString(filled(printable(row.Observed), width, head, indent))
		b.WriteString(filled(printable(row.Why), width, indent, indent))
		b.WriteString(filled("source: "+printable(row.Source), width, indent, indent+"  "))
		if o.Raw && row.Raw != "" && !shown[row.Raw] {
			// Many rows come from the same stat line: show it once.
			shown[row.Raw] = true
			for _, line := range strings.Split(row.Raw, "\n") {
				b.WriteString(indent + "read: " + printable(line) + "\n")
			}
		}
	}
	if len(r.Facts.Unreadable) > 0 {
		b.WriteString("\nCould not read\n")
		for _, u := range r.Facts.Unreadable {
			b.WriteString(filled(printable(u), width, "  - ", "    "))
		}
	}
	if len(r.Predictions) > 0 {
		b.WriteString("\nWhat would happen next\n")
		pw := 0
		for _, p := range r.Predictions {
			pw = max(pw, utf8.RuneCountInString(EventLabel(p.Event)))
		}
		pindent := strings.Repeat(" ", 2+pw+2)
		for _, p := range r.Predictions {
			b.WriteString(filled(printable(p.Outcome), width, fmt.Sprintf("  %-*s  ", pw, EventLabel(p.Event)), pindent))
			b.WriteString(filled(fmt.Sprintf("effect: %s; why: %s", p.Effect, printable(p.Why)), width, pindent, pindent+"  "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Markdown is the report as Markdown, for glamour in a terminal and for
// lessons that embed a live explanation.
func (r Report) Markdown(o RenderOptions) string {
	var b strings.Builder
	shown := map[string]bool{}
	fmt.Fprintf(&b, "# %s\n\n%s\n\n## Evidence\n\n", md.Escape(r.Headline()), md.Escape(printable(r.Summary)))
	for _, row := range r.Evidence {
		sign := map[string]string{"yes": " *(daemon-like)*", "no": " *(not daemon-like)*", "-": ""}[mark(row.DaemonLike)]
		// Lines of one item, joined by hard line breaks (two spaces).
		lines := []string{
			fmt.Sprintf("- **%s**: %s%s", md.Escape(row.Aspect), md.Escape(printable(row.Observed)), sign),
			md.Escape(printable(row.Why)),
			"`" + strings.ReplaceAll(printable(row.Source), "`", "'") + "`",
		}
		if o.Raw && row.Raw != "" && !shown[row.Raw] {
			shown[row.Raw] = true
			for _, line := range strings.Split(row.Raw, "\n") {
				lines = append(lines, "read: `"+strings.ReplaceAll(printable(line), "`", "'")+"`")
			}
		}
		b.WriteString(strings.Join(lines, "  \n  ") + "\n")
	}
	if len(r.Facts.Unreadable) > 0 {
		b.WriteString("\n## Could not read\n\n")
		for _, u := range r.Facts.Unreadable {
			fmt.Fprintf(&b, "- %s\n", md.Escape(printable(u)))
		}
	}
	if len(r.Predictions) > 0 {
		b.WriteString("\n## What would happen next\n\n")
		for _, p := range r.Predictions {
			fmt.Fprintf(&b, "- **%s** (%s): %s  \n  why: %s\n", md.Escape(EventLabel(p.Event)), p.Effect, md.Escape(printable(p.Outcome)), md.Escape(printable(p.Why)))
		}
	}
	return b.String()
}

// printable escapes control characters, which a command name, a path or a
// command line from /proc may hold, so they can't move the cursor or clear
// the screen of whoever reads the output (safe.Text). JSON keeps the bytes.
func printable(s string) string {
	// A tab separates the values of a status line: a space reads the same.
	// "^\\" is the prose's name for the quit key, not a forged escape.
	return strings.ReplaceAll(safe.Text(strings.ReplaceAll(s, "\t", " ")), `^\\`, `^\`)
}

// filled is text filled to width, starting with first and continuing with
// rest, one line a row of the report.
func filled(text string, width int, first, rest string) string {
	return strings.Join(wrap.Hanging(text, width, first, rest), "\n") + "\n"
}
