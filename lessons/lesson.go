// Package lessons loads dlab's lessons, checks them and runs their demos.
//
// A lesson is a Markdown file with a small front matter:
//
//	---
//	name: signals
//	title: Signals, and who sends them
//	summary: What SIGTERM, SIGHUP, SIGINT and SIGKILL do to a normal process and to a daemon
//	order: 130
//	part: 1
//	---
//
// part is optional (1 when left out): the lessons come in two parts, what
// makes a daemon (1) and running services (2), and a set lists part 1 first.
//
// A live demo is placed in the text as a fenced block whose info string is
// "dlab-demo NAME"; its body is the sentence shown when demos don't run (and
// what GitHub shows). Load parses and validates a whole set; Parts splits a
// lesson into text and demo markers; Expand runs the demos and streams the
// lesson's Markdown with each demo's live output in place of its marker.
//
// The pieces around it:
//
//	lessons.Load(content.FS)                   // the embedded lessons, in order
//	lessons.Find(ls, "signals")                // by name, with a suggestion on a typo
//	render.Lesson(ctx, w, l, render.Options{...}, catalog.Run) // in the terminal, streamed
//	handout.Markdown / handout.HTML            // with the live results, for a lab report
//	catalog.Run(ctx, "compare")                // one demo, as Markdown; a lessons.RunFunc
package lessons

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Lesson is one lesson file.
type Lesson struct {
	Name    string // what the user types: dlab lesson NAME
	Title   string
	Summary string // one line, shown in the list
	Order   int    // teaching order, unique in a set
	Part    int    // 1 or 2: see PartTitle; 1 when the front matter doesn't say
	Body    string // the Markdown after the front matter
	File    string // the file it came from, for error messages
	// bodyLine is the line of the file where Body starts, so errors about
	// markers name the line an author sees in the editor.
	bodyLine int
}

// Load reads every *.md file at the root of fsys, validates each one and the
// set as a whole (unique names and orders), and returns them in teaching
// order. All problems found are reported together, one per line.
func Load(fsys fs.FS) ([]Lesson, error) {
	names, err := fs.Glob(fsys, "*.md")
	if err != nil {
		return nil, fmt.Errorf("cannot list lessons: %w", err)
	}
	var (
		ls   []Lesson
		errs []error
	)
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot read lesson %s: %w", name, err))
			continue
		}
		l, err := Parse(name, b)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ls = append(ls, l)
	}
	errs = append(errs, checkSet(ls)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(ls) == 0 {
		return nil, errors.New("no lessons found (want *.md files with a front matter)")
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].Order < ls[j].Order })
	if err := checkParts(ls); err != nil {
		return nil, err
	}
	return ls, nil
}

// Parts of the course: a student reads part 1 before part 2.
var partTitles = map[int]string{
	1: "How a daemon differs from a normal process",
	2: "Running services: management, troubleshooting, logs, security",
}

// PartTitle is the heading of a part, for a list of the lessons.
func PartTitle(part int) string { return partTitles[part] }

// checkParts refuses a set whose parts are interleaved in teaching order: a
// list headed by part can show each part once.
func checkParts(ls []Lesson) error {
	for i := 1; i < len(ls); i++ {
		if ls[i].Part < ls[i-1].Part {
			return fmt.Errorf("%s: part %d comes after %s of part %d in teaching order: give it a smaller order or a later part", ls[i].File, ls[i].Part, ls[i-1].File, ls[i-1].Part)
		}
	}
	return nil
}

// checkSet reports what is wrong with the set rather than with one file.
func checkSet(ls []Lesson) []error {
	var errs []error
	byName := map[string]string{}
	byOrder := map[int]string{}
	for _, l := range ls {
		if other, dup := byName[l.Name]; dup {
			errs = append(errs, fmt.Errorf("%s: name %q is already used by %s", l.File, l.Name, other))
		}
		byName[l.Name] = l.File
		if other, dup := byOrder[l.Order]; dup {
			errs = append(errs, fmt.Errorf("%s: order %d is already used by %s", l.File, l.Order, other))
		}
		byOrder[l.Order] = l.File
	}
	return errs
}

// fields are the required front matter keys; "part" may be left out.
var fields = []string{"name", "title", "summary", "order"}

// Parse reads one lesson file. file names it in errors.
func Parse(file string, b []byte) (Lesson, error) {
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	l := Lesson{File: path.Base(file), Part: 1}
	fail := func(line int, format string, args ...any) (Lesson, error) {
		return Lesson{}, fmt.Errorf("%s:%d: %s", l.File, line, fmt.Sprintf(format, args...))
	}
	lines := strings.Split(text, "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return fail(1, "no front matter: a lesson starts with a line \"---\", then name, title, summary and order, then \"---\"")
	}
	seen := map[string]int{}
	end := -1
	for i := 1; i < len(lines); i++ {
		line := lines[i]
		if strings.TrimSpace(line) == "---" {
			end = i
			break
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return fail(i+1, "front matter line %q is not \"key: value\"", line)
		}
		key, val = strings.TrimSpace(key), unquote(strings.TrimSpace(val))
		if first, dup := seen[key]; dup {
			return fail(i+1, "front matter field %q given twice (first on line %d)", key, first)
		}
		seen[key] = i + 1
		switch key {
		case "name":
			l.Name = val
		case "title":
			l.Title = val
		case "summary":
			l.Summary = val
		case "order":
			n, err := strconv.Atoi(val)
			if err != nil {
				return fail(i+1, "order %q is not a whole number", val)
			}
			l.Order = n
		case "part":
			n, err := strconv.Atoi(val)
			if err != nil || PartTitle(n) == "" {
				return fail(i+1, "part %q: use 1 (what makes a daemon) or 2 (running services)", val)
			}
			l.Part = n
		default:
			return fail(i+1, "unknown front matter field %q (want %s, and optionally part)", key, strings.Join(fields, ", "))
		}
		if val == "" {
			return fail(i+1, "front matter field %q is empty", key)
		}
	}
	if end < 0 {
		return fail(1, "front matter is not closed by a line \"---\"")
	}
	for _, f := range fields {
		if _, ok := seen[f]; !ok {
			return fail(1, "front matter has no %q field", f)
		}
	}
	if l.Name == "all" {
		return fail(seen["name"], "name \"all\" is reserved: 'dlab lesson all' reads every lesson")
	}
	if !validName(l.Name) {
		return fail(seen["name"], "name %q: use lower-case letters, digits and dashes", l.Name)
	}
	l.Body = strings.Join(lines[end+1:], "\n")
	l.bodyLine = end + 2
	if _, err := l.parts(); err != nil {
		return Lesson{}, err
	}
	return l, nil
}

// unquote strips one pair of matching quotes, as YAML would.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
