package grade

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"dlab/demos/text/paint"
	"dlab/demos/text/safe"
	"dlab/demos/text/wrap"
)

// TextOptions say how to render for people.
type TextOptions struct {
	Color bool
	// Width wraps lines at this many columns (a terminal's width); 0 keeps
	// each item's text on one line, for grep and friends.
	Width int
}

// Text writes the result for people: one block per item (status, title,
// what was seen, why it matters), notes, the program's own output, and the
// summary line last, where the eye lands.
func Text(w io.Writer, r Result, opt TextOptions) error {
	width := opt.Width
	colour := func(code, s string) string { return paint.If(opt.Color, code, s) }
	var b strings.Builder
	how := "started as an interactive shell's foreground job"
	if t := r.Observation.Terminal; t != "" {
		how += " on " + t
	}
	if r.Mode == NewStyle {
		how = "started as a service manager starts a service (own session, no terminal, stdio on pipes, NOTIFY_SOCKET set)"
	}
	fmt.Fprintf(&b, "%s %s\n", colour(paint.Bold, "dlab check:"), strings.Join(quoteArgs(r.Command), " "))
	for _, l := range fill(how, width-2) {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	b.WriteString("\n")
	const indent = "        "
	for _, it := range r.Items {
		if r.Aborted && it.Status == Skip {
			continue // an interrupted check: only what was seen
		}
		tag := map[Status]string{Pass: colour(paint.Green, "PASS"), Fail: colour(paint.Red, "FAIL"), Warn: colour(paint.Yellow, "WARN"), Skip: colour(paint.Dim, "SKIP")}[it.Status]
		title := it.Title
		if it.Required {
			title += colour(paint.Dim, " (required)")
		}
		fmt.Fprintf(&b, "  %s  %s\n", tag, title)
		// What was seen quotes process names and file contents: untrusted.
		for _, l := range fill(safe.Text(it.Observed), width-len(indent)) {
			fmt.Fprintf(&b, "%s%s\n", indent, l)
		}
		if it.Status != Skip {
			for i, l := range fill("why: "+it.Why, width-len(indent)) {
				if i == 0 {
					l = "why:" + strings.TrimPrefix(l, "why:")
				}
				fmt.Fprintf(&b, "%s%s\n", indent, colour(paint.Dim, l))
			}
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range r.Notes {
			for i, l := range fill(safe.Text(n), width-4) {
				lead := "  - "
				if i > 0 {
					lead = "    "
				}
				fmt.Fprintf(&b, "%s%s\n", lead, l)
			}
		}
	}
	if out := strings.TrimRight(r.Output, "\n "); out != "" {
		lines := strings.Split(out, "\n")
		where := "on the terminal"
		if r.Mode == NewStyle {
			where = "on stdout and stderr"
		}
		if len(lines) > 10 {
			fmt.Fprintf(&b, "\nIt printed %s (last 10 of %d lines):\n", where, len(lines))
			lines = lines[len(lines)-10:]
		} else {
			fmt.Fprintf(&b, "\nIt printed %s:\n", where)
		}
		for _, l := range lines {
			fmt.Fprintf(&b, "  | %s\n", safe.Text(strings.TrimRight(l, "\r")))
		}
	}
	b.WriteString("\n")
	code := paint.Green
	if !r.Passed {
		code = paint.Red
	}
	for _, l := range fill(safe.Text(r.Summary), width) {
		fmt.Fprintln(&b, colour(paint.Bold+code, l))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// JSON writes the result as one indented JSON document.
func JSON(w io.Writer, r Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// fill fills s into lines of at most width columns, but never fewer than
// 20, so a narrow terminal still shows words; width 0 or less keeps it on
// one line.
func fill(s string, width int) []string {
	if width > 0 {
		width = max(width, 20)
	}
	return wrap.Lines(s, width)
}

// quoteArgs quotes the arguments that a shell would need quoted.
func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"$;&|<>()*?[]#~`\\") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = safe.Text(a)
	}
	return out
}
