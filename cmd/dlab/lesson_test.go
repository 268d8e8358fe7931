package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"dlab/cmd/dlab/iostreams"
)

func TestLessonFlagsFillTheOptions(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *lessonOptions
	cmd := newLessonCmd(ios, func(o *lessonOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"signals", "--no-demos", "--plain", "--style", "light", "--width", "60", "--format", "html", "-o", "x.html"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Name != "signals" || !got.NoDemos || !got.Plain || got.Style != "light" || got.Width != 60 || got.Format != "html" || got.Output != "x.html" {
		t.Errorf("options %+v", got)
	}
}

func TestLessonRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"x", "--format", "pdf"}, {"x", "--width", "-3"}, {"x", "--width", "3"}, {"x", "--width", "10000000"}, {"a", "b"}} {
		ios, _, _, _ := iostreams.Test()
		cmd := newLessonCmd(ios, func(*lessonOptions) error { t.Fatal("ran despite bad flags"); return nil })
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		if err := cmd.Execute(); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// testLessons is a small set of lessons with one demo.
var testLessons = fstest.MapFS{
	"a.md": {Data: []byte("---\nname: alpha\ntitle: Alpha title\nsummary: The first one\norder: 1\n---\nText before.\n\n```dlab-demo probe\nLive: a probe.\n```\n\nText after.\n")},
	"b.md": {Data: []byte("---\nname: beta\ntitle: Beta title\nsummary: The second one\norder: 2\n---\nBeta text.\n")},
}

func lessonOpts(ios *iostreams.IOStreams) *lessonOptions {
	return &lessonOptions{
		IO:      ios,
		Content: testLessons,
		Run: func(ctx context.Context, name string) (string, error) {
			return "| probe | result |\n|---|---|\n| " + name + " | 42 |\n", nil
		},
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		Format: "terminal",
	}
}

func TestLessonListPipedAndOnATerminal(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	if err := runLesson(context.Background(), lessonOpts(ios)); err != nil {
		t.Fatal(err)
	}
	if want := "alpha\tAlpha title\tThe first one\nbeta\tBeta title\tThe second one\n"; out.String() != want {
		t.Errorf("piped list %q, want %q", out.String(), want)
	}

	ios, _, out, _ = iostreams.Test()
	ios.IsTerminal, ios.Width = true, 80
	if err := runLesson(context.Background(), lessonOpts(ios)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{" 1. alpha  Alpha title\n", "           The first one\n", " 2. beta   Beta title\n", "dlab lesson NAME"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("terminal list lacks %q:\n%s", want, out.String())
		}
	}
}

func TestLessonPlainWhenPipedStyledOnAColourTerminal(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	o := lessonOpts(ios)
	o.Name = "alpha"
	if err := runLesson(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "\x1b[") {
		t.Error("piped output has escape sequences")
	}
	before, probe, after := strings.Index(out.String(), "Text before."), strings.Index(out.String(), "probe"), strings.Index(out.String(), "Text after.")
	if !(before >= 0 && before < probe && probe < after) {
		t.Errorf("the demo's output is not between the texts around its marker:\n%s", out.String())
	}

	ios, _, out, _ = iostreams.Test()
	ios.IsTerminal, ios.Color, ios.Width = true, true, 100
	o = lessonOpts(ios)
	o.Name = "alpha"
	if err := runLesson(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\x1b[") {
		t.Error("a colour terminal got no styles")
	}

	// A terminal with colour off (NO_COLOR, TERM=dumb) gets plain text.
	ios, _, out, _ = iostreams.Test()
	ios.IsTerminal, ios.Color, ios.Width = true, false, 100
	o = lessonOpts(ios)
	o.Name = "alpha"
	if err := runLesson(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "\x1b[") {
		t.Error("a terminal with colour off got styles")
	}
}

func TestLessonDemoFailureShownAndExitNonZero(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	o := lessonOpts(ios)
	o.Name = "alpha"
	o.Run = func(context.Context, string) (string, error) { return "", errors.New("no pseudo-terminal here") }
	err := runLesson(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "some demos could not run") {
		t.Errorf("error %v", err)
	}
	if !strings.Contains(out.String(), "could not run here: no pseudo-terminal here") || !strings.Contains(out.String(), "Text after.") {
		t.Errorf("the failure is not in place:\n%s", out.String())
	}
}

func TestLessonUnknownNameSuggests(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	o := lessonOpts(ios)
	o.Name = "alhpa"
	err := runLesson(context.Background(), o)
	if err == nil || err.Error() != `no lesson "alhpa"; did you mean "alpha"? (see 'dlab lesson' for the list)` {
		t.Errorf("error %v", err)
	}
}

func TestLessonAllGoesInOrder(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	o := lessonOpts(ios)
	o.Name, o.NoDemos = "all", true
	if err := runLesson(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	a, b := strings.Index(out.String(), "Alpha title"), strings.Index(out.String(), "Beta title")
	if a < 0 || b < a {
		t.Errorf("all: alpha at %d, beta at %d", a, b)
	}
	if !strings.Contains(out.String(), "Live demo: probe (not run") {
		t.Errorf("--no-demos ran the demo or lost its note:\n%s", out.String())
	}
}

func TestLessonCompletionOffersTheNames(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := newLessonCmd(ios, nil)
	names, _ := cmd.ValidArgsFunction(cmd, nil, "")
	got := strings.Join(names, "\n")
	for _, want := range []string{"all\tevery lesson, in order", "signals\tSignals, and what they do to a daemon and to a normal process"} {
		if !strings.Contains(got, want) {
			t.Errorf("completions lack %q:\n%s", want, got)
		}
	}
}

func TestLessonInATerminalGoesThroughThePager(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.IsTerminal, ios.InIsTerminal, ios.Width = true, true, 80
	opts := lessonOpts(ios)
	opts.Name, opts.Plain = "alpha", true
	opts.Getenv = func(k string) string {
		if k == "DLAB_PAGER" {
			return "sed s/^/paged:/"
		}
		return ""
	}
	if err := runLesson(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if !strings.HasPrefix(line, "paged:") {
			t.Fatalf("line %q did not go through the pager:\n%s", line, out.String())
		}
	}

	// --no-pager writes straight to the terminal.
	ios, _, out, _ = iostreams.Test()
	ios.IsTerminal, ios.InIsTerminal, ios.Width = true, true, 80
	opts.IO, opts.NoPager = ios, true
	if err := runLesson(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "paged:") || out.Len() == 0 {
		t.Errorf("--no-pager output:\n%s", out.String())
	}
}

func TestQuittingThePagerEarlyIsNotAnError(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	ios.IsTerminal, ios.InIsTerminal, ios.Width = true, true, 80
	opts := lessonOpts(ios)
	opts.Name, opts.Plain = "all", true
	// A pager that quits before reading anything, as q does in less.
	opts.Getenv = func(k string) string {
		if k == "DLAB_PAGER" {
			return "true"
		}
		return ""
	}
	if err := runLesson(context.Background(), opts); err != nil {
		t.Fatalf("runLesson after the pager quit: %v, want nil", err)
	}
}

func TestLessonByItsNumberInTheList(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	o := lessonOpts(ios)
	o.Name, o.NoDemos = "2", true
	if err := runLesson(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Beta title") || strings.Contains(out.String(), "Alpha title") {
		t.Errorf("lesson 2 is not beta:\n%s", out.String())
	}
	for _, n := range []string{"0", "3", "99999999999999999999"} {
		ios, _, _, _ := iostreams.Test()
		o := lessonOpts(ios)
		o.Name = n
		err := runLesson(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), "numbered 1 to 2") {
			t.Errorf("lesson %s: error %v", n, err)
		}
	}
}

func TestLessonListWrapsTitlesToTheTerminal(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.IsTerminal, ios.Width = true, 24
	o := lessonOpts(ios)
	o.Content = fstest.MapFS{"a.md": {Data: []byte("---\nname: alpha\ntitle: A title long enough to wrap twice over\nsummary: The first one\norder: 1\n---\nText.\n")}}
	if err := runLesson(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if len([]rune(line)) > 24 {
			t.Errorf("line %q is wider than the terminal:\n%s", line, out.String())
		}
	}
	if !strings.Contains(out.String(), " 1. alpha  A title long\n") {
		t.Errorf("the title does not start beside the name:\n%s", out.String())
	}
}

// TestLessonEndedBySignalExitsAsTheShellExpects sends real signals to this
// process while a demo runs: the lesson stops, and dlab exits 128+signal
// (130 for ^C's SIGINT, 143 for SIGTERM).
func TestLessonEndedBySignalExitsAsTheShellExpects(t *testing.T) {
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		ios, _, _, errOut := iostreams.Test()
		o := lessonOpts(ios)
		o.Name = "alpha"
		o.Run = func(ctx context.Context, name string) (string, error) {
			// runLesson catches the signal from before the first demo.
			syscall.Kill(os.Getpid(), tt.sig)
			<-ctx.Done()
			return "", ctx.Err()
		}
		err := runLesson(context.Background(), o)
		var ee exitError
		if !errors.As(err, &ee) || ee.code != tt.code {
			t.Errorf("%v: error %v, want exit status %d", tt.sig, err, tt.code)
		}
		if !strings.Contains(errOut.String(), "the lesson stopped here, and every demo process was ended") {
			t.Errorf("%v: stderr %q", tt.sig, errOut.String())
		}
	}
}

// TestInterruptedPagedLessonSaysSoInThePager: with a pager, the note that
// the lesson was interrupted is the last thing in the pager, not a line on
// stderr drawn over the pager's prompt.
func TestInterruptedPagedLessonSaysSoInThePager(t *testing.T) {
	ios, _, out, errOut := iostreams.Test()
	ios.IsTerminal, ios.InIsTerminal, ios.Width = true, true, 80
	o := lessonOpts(ios)
	o.Name, o.Plain = "alpha", true
	o.Getenv = func(k string) string {
		if k == "DLAB_PAGER" {
			return "sed s/^/paged:/"
		}
		return ""
	}
	o.Run = func(ctx context.Context, name string) (string, error) {
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		<-ctx.Done()
		return "", ctx.Err()
	}
	err := runLesson(context.Background(), o)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 130 {
		t.Errorf("error %v, want exit status 130", err)
	}
	if !strings.HasSuffix(out.String(), "paged:dlab: interrupted: the lesson stopped here, and every demo process was ended\n") {
		t.Errorf("the pager did not end with the note:\n%s", out.String())
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr %q: written over the pager", errOut.String())
	}
}

func TestNoPagerOnADumbTerminal(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.IsTerminal, ios.InIsTerminal, ios.Width = true, true, 80
	o := lessonOpts(ios)
	o.Name, o.Plain, o.NoDemos = "alpha", true, true
	o.Getenv = func(k string) string {
		return map[string]string{"TERM": "dumb", "PAGER": "sed s/^/paged:/"}[k]
	}
	if err := runLesson(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "paged:") {
		t.Errorf("TERM=dumb went through PAGER:\n%s", out.String())
	}
}
