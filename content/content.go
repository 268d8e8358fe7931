// Package content holds dlab's lessons: Markdown files with a small front
// matter (name, title, summary, order), embedded in the binary so dlab needs
// nothing beside itself. A live demo sits in the text as a fenced block whose
// info string is "dlab-demo NAME"; package lessons loads, checks and runs them.
package content

import "embed"

// FS holds every lesson, at its root.
//
//go:embed *.md
var FS embed.FS
