// Package content holds dlab's lessons: Markdown files with a small front
// matter (name, title, summary, order, part), embedded in the binary so dlab
// needs nothing beside itself. A live demo sits in the text as a fenced block
// whose info string is "dlab-demo NAME"; package lessons loads, checks and
// runs them. The file prefixes (010-, 020-...) follow the order, so a listing
// of the directory reads in teaching order.
package content

import "embed"

// FS holds every lesson, at its root.
//
//go:embed *.md
var FS embed.FS

// Glossary lists the words a beginner lacks and the lesson that defines each
// one (lessons.ParseGlossary reads it; its header says how).
//
//go:embed glossary.txt
var Glossary []byte
