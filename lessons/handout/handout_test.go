package handout

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dlab/lessons"
)

func testLesson(t *testing.T) lessons.Lesson {
	t.Helper()
	l, err := lessons.Parse("x.md", []byte("---\nname: sig\ntitle: Signals\nsummary: What signals do\norder: 1\n---\nThe claim.\n\n```dlab-demo table\nLive: a table.\n```\n\nAfter.\n"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var meta = Meta{Date: time.Date(2026, 11, 25, 16, 40, 0, 0, time.UTC), Host: "lab1", User: "ana", Version: "v1.2.3", Demos: true}

func TestMarkdownEmbedsLiveResultsUnderTheirText(t *testing.T) {
	var b bytes.Buffer
	run := func(ctx context.Context, name string) (string, error) {
		return "| pid | tty |\n|---|---|\n| 42 | pts/3 |\n", nil
	}
	if err := Markdown(context.Background(), &b, []lessons.Lesson{testLesson(t)}, meta, run); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| lesson | `sig` |\n", "| date | 2026-11-25 16:40:00 UTC |\n", "| host | lab1 |\n", "| user | ana |\n", "| dlab | v1.2.3 |\n",
		"| demos | run live on this host; every result below was observed then |\n",
		"# Signals\n\n*What signals do*\n\nThe claim.\n\n**▶ Live demo: table** (observed on this machine just now)\n\n| pid | tty |\n|---|---|\n| 42 | pts/3 |\n\n*◀ end of live demo table*\n\nAfter.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("handout lacks %q:\n%s", want, out)
		}
	}
}

func TestHTMLIsSelfContainedAndInert(t *testing.T) {
	var b bytes.Buffer
	run := func(ctx context.Context, name string) (string, error) {
		// What a demo observed may contain anything, such as a command line.
		return "| cmd |\n|---|\n| <script>alert(1)</script> |\n\n<img src=x onerror=alert(1)>\n", nil
	}
	if err := HTML(context.Background(), &b, []lessons.Lesson{testLesson(t)}, meta, run); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"<!DOCTYPE html>", "<title>dlab handout: Signals</title>", "<h1", "<table>", "<td>lab1</td>", "raw HTML omitted"} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script>", "<img", "http://", "https://"} {
		if strings.Contains(out, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

func TestFailedDemoIsShownAndReported(t *testing.T) {
	var b bytes.Buffer
	run := func(ctx context.Context, name string) (string, error) { return "", errors.New("no tty here") }
	err := Markdown(context.Background(), &b, []lessons.Lesson{testLesson(t)}, meta, run)
	var de *lessons.DemoError
	if !errors.As(err, &de) {
		t.Errorf("error %v does not hold the demo failure", err)
	}
	if !strings.Contains(b.String(), "could not run here: no tty here") || !strings.Contains(b.String(), "After.") {
		t.Errorf("failure not shown in place:\n%s", b.String())
	}
}

func TestHeaderWithoutDemos(t *testing.T) {
	m := meta
	m.Demos, m.Host = false, ""
	h := Header([]lessons.Lesson{testLesson(t)}, m)
	if !strings.Contains(h, "| demos | not run (--no-demos) |") || !strings.Contains(h, "| host | unknown |") {
		t.Errorf("header:\n%s", h)
	}
}
