package lessons

import (
	"fmt"
	"sort"
	"strings"
)

// Term is a word of the glossary: the lesson that defines it, and its other
// spellings.
type Term struct {
	Term    string
	Lesson  string   // the name of the lesson that defines it
	Aliases []string // other spellings that count as a use
	Line    int      // in the glossary file
}

// ParseGlossary reads the glossary: one term per line, "term | lesson |
// aliases, comma separated", lines starting with # are comments.
func ParseGlossary(b []byte) ([]Term, error) {
	var ts []Term
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 3 || strings.TrimSpace(f[0]) == "" || strings.TrimSpace(f[1]) == "" {
			return nil, fmt.Errorf("glossary line %d: %q is not \"term | lesson | aliases\"", i+1, line)
		}
		t := Term{Term: strings.TrimSpace(f[0]), Lesson: strings.TrimSpace(f[1]), Line: i + 1}
		for _, a := range strings.Split(f[2], ",") {
			if a = strings.TrimSpace(a); a != "" {
				t.Aliases = append(t.Aliases, a)
			}
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// Use is one place a lesson uses a term.
type Use struct {
	Term       string
	Line       int  // in the lesson's file
	Emphasized bool // *term* or **term**: the lesson defines it here
}

// FirstUses lists, for every term a lesson uses, its first use in the
// prose: headings, code blocks, inline code and demo notes are left out (a
// heading announces a word that the text below defines; code is typed, not
// read as a definition). Where spellings overlap, the longest wins: "login
// session" is a use of that term, not of "session".
func FirstUses(l Lesson, terms []Term) map[string]Use {
	type form struct{ text, term string }
	var forms []form
	for _, t := range terms {
		for _, s := range append([]string{t.Term}, t.Aliases...) {
			forms = append(forms, form{strings.ToLower(s), t.Term})
		}
	}
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i].text) > len(forms[j].text) })

	first := map[string]Use{}
	fence := ""
	for i, raw := range strings.Split(l.Body, "\n") {
		if fence != "" {
			if closesFence(raw, fence) {
				fence = ""
			}
			continue
		}
		if f, _, ok := openingFence(raw); ok {
			fence = f
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(raw), "#") {
			continue
		}
		line := strings.ToLower(withoutInlineCode(raw))
		for p := 0; p < len(line); p++ {
			if p > 0 && isWordByte(line[p-1]) {
				continue
			}
			for _, f := range forms {
				if !strings.HasPrefix(line[p:], f.text) {
					continue
				}
				end := p + len(f.text)
				for _, plural := range []string{"es", "s"} {
					if strings.HasPrefix(line[end:], plural) && (end+len(plural) == len(line) || !isWordByte(line[end+len(plural)])) {
						end += len(plural)
						break
					}
				}
				if end < len(line) && isWordByte(line[end]) {
					continue
				}
				if _, seen := first[f.term]; !seen {
					first[f.term] = Use{Term: f.term, Line: l.bodyLine + i,
						Emphasized: p > 0 && isEmphasis(line[p-1]) && emphasisCloses(line[end:])}
				}
				p = end - 1
				break
			}
		}
	}
	return first
}

// CheckTerms reports every use of a glossary term before the lesson that
// defines it, unless the lesson defines it right there (an emphasized first
// use), and every defining lesson whose first use of its term is not the
// definition. ls is in teaching order.
func CheckTerms(ls []Lesson, terms []Term) []error {
	index := map[string]int{}
	for i, l := range ls {
		index[l.Name] = i
	}
	var errs []error
	for _, t := range terms {
		if _, ok := index[t.Lesson]; !ok {
			errs = append(errs, fmt.Errorf("glossary line %d: %q is defined in %q, which is not a lesson", t.Line, t.Term, t.Lesson))
		}
	}
	for i, l := range ls {
		uses := FirstUses(l, terms)
		for _, t := range terms {
			d, ok := index[t.Lesson]
			if !ok {
				continue
			}
			u, used := uses[t.Term]
			switch {
			case d == i && !used:
				errs = append(errs, fmt.Errorf("%s: the glossary says this lesson defines %q, but it never uses the word", l.File, t.Term))
			case !used || d < i || u.Emphasized:
			case d == i:
				errs = append(errs, fmt.Errorf("%s:%d: first use of %q, which this lesson defines: make that the definition (*%s*, and what it is)", l.File, u.Line, t.Term, t.Term))
			default:
				errs = append(errs, fmt.Errorf("%s:%d: uses %q before the lesson %s defines it: define it here (*%s*, and what it is) or move the lesson", l.File, u.Line, t.Term, t.Lesson, t.Term))
			}
		}
	}
	return errs
}

// withoutInlineCode blanks out `code spans`, keeping the other columns.
func withoutInlineCode(s string) string {
	b := []byte(s)
	in := false
	for i, c := range b {
		if c == '`' {
			in = !in
			b[i] = ' '
		} else if in {
			b[i] = ' '
		}
	}
	return string(b)
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isEmphasis(c byte) bool { return c == '*' || c == '_' }

// emphasisCloses reports whether rest, the text right after a word, closes
// an emphasis around it, punctuation included: **Kernel threads.**
func emphasisCloses(rest string) bool {
	rest = strings.TrimLeft(rest, ".,:;")
	return rest != "" && isEmphasis(rest[0])
}
