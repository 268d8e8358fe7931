package lessons

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func lessonFile(front, body string) []byte {
	return []byte("---\n" + front + "---\n" + body)
}

const okFront = "name: signals\ntitle: Signals\nsummary: What signals do\norder: 10\n"

func TestParseFrontMatter(t *testing.T) {
	l, err := Parse("x.md", lessonFile("name: signals\ntitle: \"Signals: who sends them\"\nsummary: What signals do\norder: 130\n", "Body.\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Lesson{Name: "signals", Title: "Signals: who sends them", Summary: "What signals do", Order: 130, Part: 1, Body: "Body.\n", File: "x.md"}
	l.bodyLine = 0
	if l != want {
		t.Errorf("got %+v\nwant %+v", l, want)
	}
}

func TestParseRefusesBadFrontMatter(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"no front matter", "# Title\n", "x.md:1: no front matter"},
		{"not closed", "---\nname: a\n", "not closed"},
		{"missing field", string(lessonFile("name: a\ntitle: A\norder: 1\n", "")), `no "summary" field`},
		{"duplicate field", string(lessonFile(okFront+"title: Again\n", "")), `x.md:6: front matter field "title" given twice (first on line 3)`},
		{"unknown field", string(lessonFile(okFront+"author: me\n", "")), `unknown front matter field "author"`},
		{"empty field", string(lessonFile("name: a\ntitle:\nsummary: s\norder: 1\n", "")), `field "title" is empty`},
		{"part out of range", string(lessonFile(okFront+"part: 3\n", "")), `part "3": use 1`},
		{"part not a number", string(lessonFile(okFront+"part: two\n", "")), `part "two": use 1`},
		{"order not a number", string(lessonFile("name: a\ntitle: A\nsummary: s\norder: first\n", "")), `order "first" is not a whole number`},
		{"bad name", string(lessonFile("name: Big Name\ntitle: A\nsummary: s\norder: 1\n", "")), `name "Big Name": use lower-case`},
		{"reserved name", string(lessonFile("name: all\ntitle: A\nsummary: s\norder: 1\n", "")), `name "all" is reserved`},
		{"not key value", string(lessonFile("name a\n", "")), `is not "key: value"`},
		{"marker without name", string(lessonFile(okFront, "text\n\n```dlab-demo\nnote\n```\n")), "x.md:9: demo marker wants exactly one demo name"},
		{"marker with two names", string(lessonFile(okFront, "```dlab-demo a b\nnote\n```\n")), `got "dlab-demo a b"`},
		{"marker not closed", string(lessonFile(okFront, "```dlab-demo a\nnote\n")), "x.md:7: demo marker is not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.md", []byte(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadSortsByOrder(t *testing.T) {
	fsys := fstest.MapFS{
		"b.md":     {Data: lessonFile("name: second\ntitle: B\nsummary: s\norder: 20\n", "b\n")},
		"a.md":     {Data: lessonFile("name: first\ntitle: A\nsummary: s\norder: 10\n", "a\n")},
		"c.md":     {Data: lessonFile("name: third\ntitle: C\nsummary: s\norder: 30\n", "c\n")},
		"notes.go": {Data: []byte("package x")},
	}
	ls, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range ls {
		names = append(names, l.Name)
	}
	if got := strings.Join(names, " "); got != "first second third" {
		t.Errorf("order %q, want first second third", got)
	}
}

func TestLoadReportsEveryProblemOfTheSet(t *testing.T) {
	fsys := fstest.MapFS{
		"a.md": {Data: lessonFile("name: same\ntitle: A\nsummary: s\norder: 10\n", "")},
		"b.md": {Data: lessonFile("name: same\ntitle: B\nsummary: s\norder: 10\n", "")},
		"c.md": {Data: []byte("no front matter")},
	}
	_, err := Load(fsys)
	if err == nil {
		t.Fatal("Load accepted duplicate names and orders")
	}
	for _, want := range []string{`b.md: name "same" is already used by a.md`, "b.md: order 10 is already used by a.md", "c.md:1: no front matter"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestLoadRefusesInterleavedParts(t *testing.T) {
	fsys := fstest.MapFS{
		"a.md": {Data: lessonFile("name: a\ntitle: A\nsummary: s\norder: 10\n", "")},
		"b.md": {Data: lessonFile("name: b\ntitle: B\nsummary: s\norder: 20\npart: 2\n", "")},
		"c.md": {Data: lessonFile("name: c\ntitle: C\nsummary: s\norder: 30\n", "")},
	}
	_, err := Load(fsys)
	if err == nil || !strings.Contains(err.Error(), "c.md: part 1 comes after b.md of part 2") {
		t.Errorf("error %v, want c.md refused for coming after part 2", err)
	}
	fsys["c.md"] = &fstest.MapFile{Data: lessonFile("name: c\ntitle: C\nsummary: s\norder: 30\npart: 2\n", "")}
	ls, err := Load(fsys)
	if err != nil || ls[0].Part != 1 || ls[2].Part != 2 {
		t.Errorf("Load = %v, %v", ls, err)
	}
}

func TestLoadWantsAtLeastOneLesson(t *testing.T) {
	if _, err := Load(fstest.MapFS{}); err == nil {
		t.Error("Load of an empty directory succeeded")
	}
}

func TestParts(t *testing.T) {
	body := "Intro.\n\n" +
		"```dlab-demo compare\nLive: both, side by side.\n```\n\n" +
		"Middle with code:\n\n```sh\nps aux\n```\n\n" +
		"How to write a marker:\n\n````markdown\n```dlab-demo compare\nnot a marker: inside a longer fence\n```\n````\n\n" +
		"~~~dlab-demo signals\nTilde fences work too.\n~~~\n" +
		"    ```dlab-demo indented\n    four spaces: an indented code block, not a fence\n    ```\n" +
		"End.\n"
	l, err := Parse("x.md", lessonFile(okFront, body))
	if err != nil {
		t.Fatal(err)
	}
	ps := l.Parts()
	var got []string
	for _, p := range ps {
		if p.Demo != "" {
			got = append(got, "demo:"+p.Demo+":"+p.Note)
		} else {
			got = append(got, "text")
		}
	}
	want := []string{"text", "demo:compare:Live: both, side by side.", "text", "demo:signals:Tilde fences work too.", "text"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("parts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ps[1].Line != 9 {
		t.Errorf("compare marker on line %d, want 9", ps[1].Line)
	}
	if !strings.Contains(ps[2].Text, "not a marker: inside a longer fence") || !strings.Contains(ps[2].Text, "ps aux") {
		t.Errorf("code blocks lost from the text:\n%s", ps[2].Text)
	}
	if !strings.Contains(ps[4].Text, "four spaces") {
		t.Errorf("indented block lost:\n%s", ps[4].Text)
	}
	if d := l.Demos(); strings.Join(d, ",") != "compare,signals" {
		t.Errorf("Demos() = %v", d)
	}
}

func TestFindSuggestsTheClosestName(t *testing.T) {
	ls := []Lesson{{Name: "differences"}, {Name: "signals"}, {Name: "supervision"}, {Name: "security"}}
	tests := []struct{ ask, suggest string }{
		{"sgnals", "signals"},
		{"singals", "signals"},
		{"signal", "signals"},
		{"superv", "supervision"},
		{"diferences", "differences"},
		{"zzz", ""},
		{"s", ""},
	}
	for _, tt := range tests {
		_, err := Find(ls, tt.ask)
		var nf *NotFoundError
		if !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) {
			t.Fatalf("Find(%q) error %v, want a NotFoundError", tt.ask, err)
		}
		if nf.Suggestion != tt.suggest {
			t.Errorf("Find(%q) suggests %q, want %q", tt.ask, nf.Suggestion, tt.suggest)
		}
	}
	_, err := Find(ls, "sgnals")
	want := `no lesson "sgnals"; did you mean "signals"? (see 'dlab lesson' for the list)`
	if err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if l, err := Find(ls, "security"); err != nil || l.Name != "security" {
		t.Errorf("Find(security) = %v, %v", l, err)
	}
}

func TestExpandRunsEachDemoAfterTheTextAboveIt(t *testing.T) {
	l, err := Parse("x.md", lessonFile(okFront, "Before.\n\n```dlab-demo one\nnote one\n```\n\nBetween.\n\n```dlab-demo two\nnote two\n```\n\nAfter.\n"))
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	run := func(ctx context.Context, name string) (string, error) {
		log = append(log, "run "+name)
		if name == "two" {
			return "", errors.New("no such thing here")
		}
		return "output of " + name, nil
	}
	err = Expand(context.Background(), l, run, func(c Chunk) error {
		log = append(log, "emit "+strings.TrimSpace(c.Markdown))
		return nil
	})
	var de *DemoError
	if !errors.As(err, &de) || de.Demo != "two" {
		t.Errorf("Expand error %v, want the failure of demo two", err)
	}
	got := strings.Join(log, "\n")
	for _, want := range []string{
		"emit # Signals\n\n*What signals do*\nemit Before.\nrun one\nemit **▶ Live demo: one**",
		"output of one",
		"emit Between.\nrun two\nemit **▷ Live demo: two** could not run here: no such thing here\nemit After.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("sequence:\n%s\n\ndoes not contain:\n%s", got, want)
		}
	}
}

func TestExpandWithoutDemosShowsNotes(t *testing.T) {
	l, err := Parse("x.md", lessonFile(okFront, "```dlab-demo compare\nLive: dlab starts\n  both processes.\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := Expand(context.Background(), l, nil, func(c Chunk) error { out.WriteString(c.Markdown); return nil }); err != nil {
		t.Fatal(err)
	}
	want := "**▷ Live demo: compare** (not run; drop --no-demos to see it). dlab starts both processes.\n"
	if !strings.Contains(out.String(), want) {
		t.Errorf("got %q, want it to contain %q", out.String(), want)
	}
}

func TestExpandStopsWhenCancelled(t *testing.T) {
	l, err := Parse("x.md", lessonFile(okFront, "```dlab-demo one\nn\n```\n\n```dlab-demo two\nn\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := 0
	run := func(ctx context.Context, name string) (string, error) {
		ran++
		cancel() // as ^C during the first demo would
		return "", ctx.Err()
	}
	err = Expand(ctx, l, run, func(Chunk) error { return nil })
	if !errors.Is(err, context.Canceled) || ran != 1 {
		t.Errorf("err %v after %d demos, want context.Canceled after 1", err, ran)
	}
}
