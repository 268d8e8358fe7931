package render

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"dlab/content"
	"dlab/lessons"

	"github.com/muesli/termenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func TestStyle(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"terminal with colour", Options{Color: true}, "dark"},
		{"piped", Options{}, "notty"},
		{"NO_COLOR or TERM=dumb (colour off)", Options{Color: false}, "notty"},
		{"--plain beats a terminal", Options{Color: true, Plain: true}, "notty"},
		{"--plain beats --style", Options{Color: true, Plain: true, Style: "light"}, "notty"},
		{"--style beats a pipe", Options{Style: "light"}, "light"},
		{"GLAMOUR_STYLE on a terminal", Options{Color: true, EnvStyle: "dracula"}, "dracula"},
		{"GLAMOUR_STYLE ignored when piped", Options{EnvStyle: "dracula"}, "notty"},
		{"--style beats GLAMOUR_STYLE", Options{Color: true, EnvStyle: "dracula", Style: "pink"}, "pink"},
		{"auto never queries the terminal", Options{Color: true, EnvStyle: "auto"}, "dark"},
		{"--style auto too", Options{Style: "auto"}, "dark"},
		{"a JSON file", Options{Style: "/tmp/my.json"}, "/tmp/my.json"},
	}
	for _, tt := range tests {
		if got := Style(tt.o); got != tt.want {
			t.Errorf("%s: Style(%+v) = %q, want %q", tt.name, tt.o, got, tt.want)
		}
	}
}

func TestProfile(t *testing.T) {
	tests := []struct {
		term, colorTerm string
		want            termenv.Profile
	}{
		{"xterm-256color", "truecolor", termenv.TrueColor},
		{"screen", "24bit", termenv.TrueColor},
		{"xterm-256color", "", termenv.ANSI256},
		{"tmux-256color", "", termenv.ANSI256},
		{"screen", "", termenv.ANSI},
		{"xterm", "", termenv.ANSI},
		{"", "", termenv.ANSI},
	}
	for _, tt := range tests {
		if got := Profile(tt.term, tt.colorTerm); got != tt.want {
			t.Errorf("Profile(%q, %q) = %v, want %v", tt.term, tt.colorTerm, got, tt.want)
		}
	}
}

func TestUnknownStyleIsOneClearError(t *testing.T) {
	_, err := New(Options{Style: "nosuchstyle"})
	if err == nil {
		t.Fatal("New accepted an unknown style")
	}
	for _, want := range []string{"unable to render markdown: ", `no style "nosuchstyle"`, "dark", "notty"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestJSONStyleFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.json")
	if err := os.WriteFile(path, []byte(`{"document": {"margin": 0}, "h1": {"prefix": ">> "}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := New(Options{Style: path})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.Markdown(&b, "# Hello\n"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), ">> Hello") {
		t.Errorf("the JSON style was not applied: %q", b.String())
	}
}

func builtin(t testing.TB) []lessons.Lesson {
	t.Helper()
	ls, err := lessons.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

func TestEveryLessonRendersPlainAndStyled(t *testing.T) {
	for _, l := range builtin(t) {
		for _, o := range []Options{{Plain: true}, {Color: true, Term: "xterm-256color"}, {Style: "ascii"}} {
			var b bytes.Buffer
			if err := Lesson(context.Background(), &b, l, o, nil); err != nil {
				t.Fatalf("%s with %+v: %v", l.Name, o, err)
			}
			out := b.String()
			styled := Style(o) != "notty" && Style(o) != "ascii"
			if has := strings.Contains(out, "\x1b["); has != styled {
				t.Errorf("%s with style %s: escape sequences present = %v, want %v", l.Name, Style(o), has, styled)
			}
			if !strings.Contains(out, l.Title[:10]) {
				t.Errorf("%s with %+v: the title is missing", l.Name, o)
			}
		}
	}
}

func TestPlainOutputHasNoTrailingBlanks(t *testing.T) {
	l := builtin(t)[0]
	var b bytes.Buffer
	if err := Lesson(context.Background(), &b, l, Options{Plain: true}, nil); err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(b.String(), "\n") {
		if strings.TrimRight(line, " \t") != line {
			t.Fatalf("line %d ends with blanks: %q", i+1, line)
		}
	}
}

func TestWidthIsRespected(t *testing.T) {
	l := builtin(t)[0]
	for _, width := range []int{40, 60, 100} {
		var b bytes.Buffer
		if err := Lesson(context.Background(), &b, l, Options{Plain: true, Width: width}, nil); err != nil {
			t.Fatal(err)
		}
		long := 0
		for _, line := range strings.Split(b.String(), "\n") {
			if n := len([]rune(line)); n > width {
				long++
			}
		}
		// Tables and code blocks may stick out; prose may not.
		if long > 5 {
			t.Errorf("width %d: %d lines are longer than that", width, long)
		}
	}
}

// TestDemoOutputAppearsUnderItsText checks the streaming: when a demo starts,
// the text above its marker has already been written, and the text below
// has not.
func TestDemoOutputAppearsUnderItsText(t *testing.T) {
	l, err := lessons.Parse("x.md", []byte("---\nname: x\ntitle: X\nsummary: s\norder: 1\n---\nThe claim above.\n\n```dlab-demo d\nnote\n```\n\nThe text below.\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	run := func(ctx context.Context, name string) (string, error) {
		if !strings.Contains(b.String(), "The claim above.") {
			t.Error("the demo started before the text above it was written")
		}
		if strings.Contains(b.String(), "The text below.") {
			t.Error("the text below the demo was written before the demo ran")
		}
		return "| pid | tty |\n|---|---|\n| 42 | pts/3 |\n", nil
	}
	if err := Lesson(context.Background(), &b, l, Options{Plain: true}, run); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	above, demo, below := strings.Index(out, "The claim above."), strings.Index(out, "pts/3"), strings.Index(out, "The text below.")
	if !(above < demo && demo < below) {
		t.Errorf("order wrong: above %d, demo %d, below %d in\n%s", above, demo, below, out)
	}
}

func TestDemoFailureIsShownInPlaceAndReported(t *testing.T) {
	l, err := lessons.Parse("x.md", []byte("---\nname: x\ntitle: X\nsummary: s\norder: 1\n---\nBefore.\n\n```dlab-demo d\nnote\n```\n\nAfter.\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = Lesson(context.Background(), &b, l, Options{Plain: true}, func(context.Context, string) (string, error) {
		return "", errors.New("no pseudo-terminal available")
	})
	if !IsDemoFailure(err) {
		t.Errorf("error %v is not reported as a demo failure", err)
	}
	if !strings.Contains(b.String(), "could not run here: no pseudo-terminal available") || !strings.Contains(b.String(), "After.") {
		t.Errorf("the failure is not shown in place, or the lesson stopped:\n%s", b.String())
	}
}

// TestGoldenWithoutDemos pins the plain rendering of every lesson, demos
// not run, at 80 columns. Refresh with: go test ./lessons/render -update
func TestGoldenWithoutDemos(t *testing.T) {
	for _, l := range builtin(t) {
		var b bytes.Buffer
		if err := Lesson(context.Background(), &b, l, Options{Plain: true, Width: 80}, nil); err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("testdata", "golden", l.Name+".txt"), b.Bytes())
	}
}

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./lessons/render -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the rendering (run go test ./lessons/render -update if the change is intended):\n%s", path, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first line that differs, with its neighbours.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return "(same lines, different bytes)"
}

// BenchmarkFirstScreen measures what a reader waits for before the first
// screen of a lesson appears, demos off: loading every lesson from the
// embedded files, building the renderer, rendering the whole lesson.
func BenchmarkFirstScreen(b *testing.B) {
	for b.Loop() {
		ls, err := lessons.Load(content.FS)
		if err != nil {
			b.Fatal(err)
		}
		l, err := lessons.Find(ls, "signals")
		if err != nil {
			b.Fatal(err)
		}
		var out bytes.Buffer
		if err := Lesson(context.Background(), &out, l, Options{Color: true, Term: "xterm-256color", Width: 100}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func TestJoinSoftBreaks(t *testing.T) {
	in := "A paragraph\nover two lines.\n\n- an item\n  continued\n- another\n  1. nested\n     more\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```sh\nkeep\nthese\n```\n\nhard break  \nstays\n# Heading\ntext\n"
	want := "A paragraph over two lines.\n\n- an item continued\n- another\n  1. nested more\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```sh\nkeep\nthese\n```\n\nhard break  \nstays\n# Heading\ntext\n"
	if got := joinSoftBreaks(in); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestTransposeWideTables(t *testing.T) {
	wide := "Before.\n\n| process | PID | parent | session | group | tty |\n|---|---|---|---|---|---|\n| program | 42 | 1 | 42 | 42 | ? |\n| shell | 40 | 39 (a \\| b) | 40 | 40 | pts/2 |\n\nAfter.\n"
	want := "Before.\n\n| process | program | shell |\n|---|---|---|\n| PID | 42 | 40 |\n| parent | 1 | 39 (a \\| b) |\n| session | 42 | 40 |\n| group | 42 | 40 |\n| tty | ? | pts/2 |\n\nAfter.\n"
	if got := transposeWideTables(wide, 40, nil); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	narrow := "| a | b |\n|---|---|\n| 1 | 2 |\n"
	if got := transposeWideTables(narrow, 40, nil); got != narrow {
		t.Errorf("a narrow table changed:\n%s", got)
	}
	tall := "| 1 | 2 | 3 | 4 | 5 | 6 |\n|---|---|---|---|---|---|\n" + strings.Repeat("| a | b | c | d | e | f |\n", 7)
	if got := transposeWideTables(tall, 40, nil); got != tall {
		t.Errorf("a tall table was turned:\n%s", got)
	}
	if got := transposeWideTables(wide, 100, nil); got != wide {
		t.Errorf("a table that fits was turned:\n%s", got)
		t.Errorf("a tall table was turned:\n%s", got)
	}
}

// TestPlainOutputCarriesNoMarkdownMarkers: a reader of piped or NO_COLOR
// text sees "a daemon", not "**daemon**", and headings underlined, not
// "## Heading". (Code blocks, indented deeper, keep their shell comments.)
func TestPlainOutputCarriesNoMarkdownMarkers(t *testing.T) {
	heading := regexp.MustCompile(`(?m)^  #`)
	for _, l := range builtin(t) {
		for _, width := range []int{40, 80} {
			var b bytes.Buffer
			if err := Lesson(context.Background(), &b, l, Options{Plain: true, Width: width}, nil); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, marker := range []string{"**", "`", "\uE001", "\uE002", "\uE003"} {
				if strings.Contains(out, marker) {
					t.Errorf("%s at %d: plain output holds %q", l.Name, width, marker)
				}
			}
			if heading.MatchString(out) {
				t.Errorf("%s at %d: a heading starts with #", l.Name, width)
			}
			if !strings.Contains(out, l.Title[:10]) || !strings.Contains(out, "\n  ===") {
				t.Errorf("%s at %d: the title is not underlined", l.Name, width)
			}
		}
	}
}

// TestATableTooWideBecomesAList: a table that glamour could only squeeze
// by breaking words in its cells is shown as a list, every word whole.
func TestATableTooWideBecomesAList(t *testing.T) {
	md := "| Signal | Normal process | Daemon |\n|---|---|---|\n| SIGTERM | terminates | graceful shutdown |\n| SIGKILL | force kill | force kill |\n"
	r, err := New(Options{Plain: true, Width: 40})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := r.Markdown(&b, md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"• SIGTERM", "• Normal process: terminates", "• Daemon: graceful shutdown"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the list lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	r, _ = New(Options{Plain: true, Width: 80})
	if err := r.Markdown(&b, md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| Normal process") {
		t.Errorf("a table that fits is not a table:\n%s", b.String())
	}
}

func TestCheckWidth(t *testing.T) {
	for _, w := range []int{0, MinWidth, 80, MaxWidth} {
		if err := CheckWidth(w); err != nil {
			t.Errorf("CheckWidth(%d) = %v", w, err)
		}
	}
	for _, w := range []int{-1, 1, 5, MinWidth - 1, MaxWidth + 1, 2_000_000_000} {
		if err := CheckWidth(w); err == nil {
			t.Errorf("CheckWidth(%d) accepted it", w)
		}
		if _, err := New(Options{Width: w}); err == nil {
			t.Errorf("New with width %d accepted it", w)
		}
	}
}
