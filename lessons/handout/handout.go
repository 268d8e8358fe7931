// Package handout writes lessons with their live results embedded, as a
// Markdown file or a self-contained HTML page, so a student can hand in what
// the machine showed them as a lab report.
package handout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"dlab/lessons"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Meta signs a handout: when and where the demos ran, for whom, with which
// dlab.
type Meta struct {
	Date    time.Time
	Host    string
	User    string
	Version string
	Demos   bool // the demos ran (false with --no-demos)
}

// Header is the handout's signature block, as Markdown.
func Header(ls []lessons.Lesson, m Meta) string {
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = "`" + l.Name + "`"
	}
	demos := "run live on this host; every result below was observed then"
	if !m.Demos {
		demos = "not run (--no-demos)"
	}
	t := []string{
		"| dlab handout | |",
		"| --- | --- |",
		"| lesson | " + strings.Join(names, ", ") + " |",
		"| date | " + m.Date.Format("2006-01-02 15:04:05 MST") + " |",
		"| host | " + orUnknown(m.Host) + " |",
		"| user | " + orUnknown(m.User) + " |",
		"| dlab | " + orUnknown(m.Version) + " |",
		"| demos | " + demos + " |",
	}
	return strings.Join(t, "\n") + "\n"
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}

// Markdown writes the header and then each lesson's Markdown, demos replaced
// by their live output (run not nil) or by their notes. It streams: each
// piece is written as soon as it is known. Demo failures are written in
// place and returned together at the end.
func Markdown(ctx context.Context, w io.Writer, ls []lessons.Lesson, m Meta, run lessons.RunFunc) error {
	if _, err := io.WriteString(w, Header(ls, m)); err != nil {
		return err
	}
	var failed []error
	for _, l := range ls {
		if _, err := io.WriteString(w, "\n---\n\n"); err != nil {
			return err
		}
		err := lessons.Expand(ctx, l, run, func(c lessons.Chunk) error {
			_, err := io.WriteString(w, strings.Trim(c.Markdown, "\n")+"\n\n")
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("some demos could not run (shown in place): %w", errors.Join(failed...))
	}
	return nil
}

// HTML writes a self-contained page (styles inline, no scripts, nothing
// fetched) with the same content as Markdown.
func HTML(ctx context.Context, w io.Writer, ls []lessons.Lesson, m Meta, run lessons.RunFunc) error {
	var md bytes.Buffer
	demoErr := Markdown(ctx, &md, ls, m, run)
	if demoErr != nil && ctx.Err() != nil {
		return demoErr
	}
	// GFM for the tables the demos produce. Raw HTML in the Markdown is not
	// passed through (goldmark's default), so nothing a demo observed (a
	// command line, a file name) can inject markup.
	conv := goldmark.New(goldmark.WithExtensions(extension.GFM))
	var body bytes.Buffer
	if err := conv.Convert(md.Bytes(), &body); err != nil {
		return fmt.Errorf("unable to render markdown as html: %w", err)
	}
	title := "dlab handout"
	if len(ls) == 1 {
		title = "dlab handout: " + ls[0].Title
	}
	_, err := fmt.Fprintf(w, page, html.EscapeString(title), body.String())
	if err != nil {
		return err
	}
	return demoErr
}

const page = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="dlab">
<title>%s</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; background: #fff; }
h1, h2, h3 { line-height: 1.2; }
code, pre { font: 0.9em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { background: #f3f3f5; padding: 0.1em 0.3em; border-radius: 3px; }
pre { background: #f6f8fa; padding: 0.8em 1em; overflow-x: auto; border-radius: 6px; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
blockquote { margin: 1em 0; padding: 0.2em 1em; border-left: 4px solid #d0d7de; color: #57606a; }
hr { border: 0; border-top: 1px solid #d0d7de; margin: 2em 0; }
@media print { body { margin: 0; max-width: none; } pre { white-space: pre-wrap; } }
</style>
</head>
<body>
%s</body>
</html>
`

// Version names this dlab: its module version, or the commit it was built
// from (with "+dirty" when the tree had changes), from the build info Go
// records in every binary.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	switch {
	case v != "" && v != "(devel)":
		return v
	case rev != "":
		return "commit " + rev + dirty
	}
	return "development build"
}
