package lessons

import (
	"strings"
	"testing"

	"dlab/content"
)

func TestParseGlossary(t *testing.T) {
	ts, err := ParseGlossary([]byte("# comment\n\nsession | job-control |\nfork | parents | fork(), forking\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].Term != "session" || ts[0].Lesson != "job-control" || ts[0].Line != 3 ||
		strings.Join(ts[1].Aliases, ",") != "fork(),forking" {
		t.Errorf("ParseGlossary = %+v", ts)
	}
	if _, err := ParseGlossary([]byte("session job-control\n")); err == nil || !strings.Contains(err.Error(), "glossary line 1") {
		t.Errorf("a line without | gave %v", err)
	}
}

func TestCheckTerms(t *testing.T) {
	terms := []Term{{Term: "session", Lesson: "b"}, {Term: "login session", Lesson: "a"}, {Term: "fork", Lesson: "b", Aliases: []string{"fork()"}}}
	lesson := func(name, body string, order int) Lesson {
		l, err := Parse(name+".md", lessonFile("name: "+name+"\ntitle: T\nsummary: s\norder: 1\n", body))
		if err != nil {
			t.Fatal(err)
		}
		l.Order = order
		return l
	}
	tests := []struct {
		name  string
		a, b  string
		wants []string
	}{
		{"each defined where used", "A *login session*, then a *session*.\n", "The **sessions** and *fork()*.\n", nil},
		{"longest spelling wins", "A *login session*.\n", "A *session*, a *fork*.\n", nil},
		{"used before its lesson", "A *login session*.\n\nThe forks of a session.\n", "A *session*, a *fork*.\n",
			[]string{`a.md:9: uses "fork" before the lesson b defines it`, `a.md:9: uses "session" before`}},
		{"heading and code are not uses", "## Sessions\n\nA *login session*, `fork()`.\n\n```sh\nsession\n```\n", "A *session*, a *fork*.\n", nil},
		{"defining lesson must define at first use", "A *login session*.\n", "A session, then a *session*; *fork*.\n",
			[]string{`b.md:7: first use of "session", which this lesson defines`}},
		{"defining lesson must use it", "A *login session*.\n", "A *session*.\n", []string{`b.md: the glossary says this lesson defines "fork"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := CheckTerms([]Lesson{lesson("a", tt.a, 1), lesson("b", tt.b, 2)}, terms)
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			all := strings.Join(got, "\n")
			if len(tt.wants) == 0 && len(got) > 0 {
				t.Errorf("errors:\n%s", all)
			}
			for _, w := range tt.wants {
				if !strings.Contains(all, w) {
					t.Errorf("errors:\n%s\nwant one containing %q", all, w)
				}
			}
		})
	}
}

// TestNoLessonUsesATermBeforeItIsDefined keeps the lessons readable in
// order: a beginner never meets a word of content/glossary.txt before the
// lesson that explains it, or an explanation right there.
func TestNoLessonUsesATermBeforeItIsDefined(t *testing.T) {
	terms, err := ParseGlossary(content.Glossary)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range CheckTerms(allLessons(t), terms) {
		t.Error(err)
	}
}
