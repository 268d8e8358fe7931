package lessons

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// exerciseIDs reads the workshop's exercise IDs from its source: package
// workshop imports this one, so the test can't ask it.
func exerciseIDs(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("workshop/exercises.go")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\tID:\s+"([a-z-]+)"`).FindAllStringSubmatch(string(b), -1) {
		ids[m[1]] = true
	}
	if len(ids) < 5 {
		t.Fatalf("found %d exercise IDs in workshop/exercises.go: has its layout changed?", len(ids))
	}
	return ids
}

// sections splits a lesson's body at its "## " headings (outside code),
// heading to text.
func sections(l Lesson) (order []string, text map[string]string) {
	text = map[string]string{}
	fence, cur := "", ""
	for _, line := range strings.SplitAfter(l.Body, "\n") {
		switch {
		case fence != "":
			if closesFence(line, fence) {
				fence = ""
			}
		case strings.HasPrefix(line, "## "):
			cur = strings.TrimSpace(line)
			order = append(order, cur)
			continue
		default:
			if f, _, ok := openingFence(line); ok {
				fence = f
			}
		}
		text[cur] += line
	}
	return order, text
}

// checkers are the commands that tell a student whether they got it right.
var checkers = []string{"`dlab workshop goto", "`dlab check", "`dlab explain", "`systemd-analyze verify"}

func checksSomething(item string) bool {
	for _, c := range checkers {
		if strings.Contains(item, c) {
			return true
		}
	}
	return false
}

var (
	tryItem      = regexp.MustCompile(`(?m)^\d+\. `)
	workshopGoto = regexp.MustCompile("`dlab workshop goto\\s+([a-z-]+)`")
)

// TestEveryLessonEndsWithTryIt: reading is not enough; each lesson ends
// with two or three things to do by hand, each pointing at what checks it
// (a workshop exercise, dlab check, or dlab explain).
func TestEveryLessonEndsWithTryIt(t *testing.T) {
	ids := exerciseIDs(t)
	for _, l := range allLessons(t) {
		order, text := sections(l)
		if len(order) == 0 || order[len(order)-1] != "## Try it" {
			t.Errorf("%s: the last section is %q, want \"## Try it\"", l.File, order[len(order)-1])
			continue
		}
		body := text["## Try it"]
		starts := tryItem.FindAllStringIndex(body, -1)
		if n := len(starts); n < 2 || n > 3 {
			t.Errorf("%s: Try it has %d numbered items, want 2 or 3", l.File, n)
		}
		exercises := 0
		for i, s := range starts {
			end := len(body)
			if i+1 < len(starts) {
				end = starts[i+1][0]
			}
			item := strings.Join(strings.Fields(body[s[0]:end]), " ")
			if !checksSomething(item) {
				t.Errorf("%s: Try it item %d says nothing about what checks it (%s): %.60s...", l.File, i+1, strings.Join(checkers, ", "), item)
			}
		}
		for _, m := range workshopGoto.FindAllStringSubmatch(strings.Join(strings.Fields(body), " "), -1) {
			exercises++
			if !ids[m[1]] {
				t.Errorf("%s: Try it points at the exercise %q, which the workshop doesn't have", l.File, m[1])
			}
		}
		if exercises == 0 {
			t.Errorf("%s: Try it points at no workshop exercise (dlab workshop goto ID)", l.File)
		}
	}
}

// TestNextNamesTheFollowingLesson keeps the "Next:" lines true after a
// lesson moves.
func TestNextNamesTheFollowingLesson(t *testing.T) {
	ls := allLessons(t)
	next := regexp.MustCompile("(?m)^Next: `dlab lesson ([a-z-]+)`")
	for i, l := range ls {
		m := next.FindAllStringSubmatch(l.Body, -1)
		switch {
		case i == len(ls)-1 && len(m) > 0:
			t.Errorf("%s: the last lesson says Next: %s", l.File, m[0][1])
		case i < len(ls)-1 && (len(m) != 1 || m[0][1] != ls[i+1].Name):
			t.Errorf("%s: Next: lines %v, want one naming %s", l.File, m, ls[i+1].Name)
		}
	}
}
