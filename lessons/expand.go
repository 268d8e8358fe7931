package lessons

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// RunFunc runs the demo called name and returns its live result as Markdown.
// It must end every process it started before it returns.
type RunFunc func(ctx context.Context, name string) (markdown string, err error)

// Chunk is a piece of a lesson's Markdown, ready to render.
type Chunk struct {
	Markdown string
	Demo     string // set when the chunk stands for a demo marker
	Ran      bool   // the demo ran (its output, or its failure, is in Markdown)
	Err      error  // the demo failed; Markdown says so in place
}

// DemoError is one demo that failed while a lesson was expanded.
type DemoError struct {
	Lesson, Demo string
	Err          error
}

func (e *DemoError) Error() string {
	return fmt.Sprintf("lesson %s: demo %s: %v", e.Lesson, e.Demo, e.Err)
}

func (e *DemoError) Unwrap() error { return e.Err }

// Expand streams the lesson's Markdown to emit: text as written, and each
// demo marker replaced by the demo's live output when run is not nil, or by
// its note when it is. emit gets each chunk before the next demo starts, so a
// reader sees the text that asks for a demo before the demo runs, and the
// demo's result right under it.
//
// A demo that fails is shown failing in place and the lesson goes on; the
// failures come back together as *DemoError values joined in the error. If
// ctx is cancelled (^C), Expand stops and returns ctx.Err().
func Expand(ctx context.Context, l Lesson, run RunFunc, emit func(Chunk) error) error {
	if err := emit(Chunk{Markdown: Heading(l)}); err != nil {
		return err
	}
	var failed []error
	for _, p := range l.Parts() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if p.Demo == "" {
			if err := emit(Chunk{Markdown: p.Text}); err != nil {
				return err
			}
			continue
		}
		if run == nil {
			if err := emit(Chunk{Markdown: NoteMarkdown(p.Demo, p.Note), Demo: p.Demo}); err != nil {
				return err
			}
			continue
		}
		out, err := run(ctx, p.Demo)
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		c := Chunk{Demo: p.Demo, Ran: true, Err: err}
		if err != nil {
			c.Markdown = FailureMarkdown(p.Demo, err)
			failed = append(failed, &DemoError{Lesson: l.Name, Demo: p.Demo, Err: err})
		} else {
			c.Markdown = LiveMarkdown(p.Demo, out)
		}
		if err := emit(c); err != nil {
			return err
		}
	}
	return errors.Join(failed...)
}

// Heading is the lesson's title and summary, as Markdown: the body itself
// starts below it (on GitHub the front matter shows them instead).
func Heading(l Lesson) string {
	return fmt.Sprintf("# %s\n\n*%s*\n", l.Title, l.Summary)
}

// LiveMarkdown frames a demo's output so a reader can tell what was observed
// a moment ago from what the lesson asserts.
func LiveMarkdown(demo, out string) string {
	return fmt.Sprintf("**▶ Live demo: %s** (observed on this machine just now)\n\n%s\n\n*◀ end of live demo %s*\n",
		demo, strings.TrimSpace(out), demo)
}

// NoteMarkdown stands in for a demo that was not run. (A paragraph, not a
// block quote: glamour wraps quotes badly in plain text.)
func NoteMarkdown(demo, note string) string {
	// Notes read "Live: dlab starts..." on GitHub; here the bold lead says it.
	note = strings.TrimPrefix(oneLine(note), "Live: ")
	if note != "" && !strings.HasPrefix(note, "dlab ") {
		note = strings.ToUpper(note[:1]) + note[1:]
	}
	return fmt.Sprintf("**▷ Live demo: %s** (not run; drop --no-demos to see it). %s\n", demo, note)
}

// FailureMarkdown stands in for a demo that could not run.
func FailureMarkdown(demo string, err error) string {
	return fmt.Sprintf("**▷ Live demo: %s** could not run here: %s\n", demo, oneLine(err.Error()))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
