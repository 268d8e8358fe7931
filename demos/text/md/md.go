// Package md writes the Markdown of dlab's reports (explain, the compare and
// spectrum demos, the lessons' live demos): values escaped so that what a
// process is called or where a file lies is shown as it is, never read as
// Markdown, and tables.
//
// Untrusted text (anything read from /proc) goes through safe.Text first,
// which keeps terminal escapes out; Escape then keeps Markdown out.
package md

import "strings"

// escaper escapes what Markdown would read as syntax inside a paragraph or a
// table cell: emphasis, links, HTML, headings and cell separators. A
// backslash comes first, so that the others' backslashes stay single. A
// line break would end a table row: it becomes a space. Backticks are left
// alone: the reports' own sentences quote commands as code (`setsid`).
var escaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`, "\n", " ")

// Escape makes s plain text in Markdown: every character but a backtick
// shows as itself.
func Escape(s string) string { return escaper.Replace(s) }

// Table is a Markdown table with the header head and the rows, whose cells
// are Markdown already (escaped by the caller, which may make one bold).
func Table(head []string, rows [][]string) string {
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	line(head)
	b.WriteString("|" + strings.Repeat("---|", len(head)) + "\n")
	for _, r := range rows {
		line(r)
	}
	return b.String()
}
