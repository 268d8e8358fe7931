package lessons

import (
	"errors"
	"fmt"
)

// ErrNotFound is wrapped by Find's error when no lesson has the name.
var ErrNotFound = errors.New("no such lesson")

// NotFoundError says which name was asked for and the closest one that exists.
type NotFoundError struct {
	Name       string
	Suggestion string // "" when nothing is close
}

func (e *NotFoundError) Error() string {
	if e.Suggestion != "" {
		return fmt.Sprintf("no lesson %q; did you mean %q? (see 'dlab lesson' for the list)", e.Name, e.Suggestion)
	}
	return fmt.Sprintf("no lesson %q (see 'dlab lesson' for the list)", e.Name)
}

func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// Find returns the lesson called name, or a *NotFoundError that suggests the
// closest name when one is within a typo's reach.
func Find(ls []Lesson, name string) (Lesson, error) {
	for _, l := range ls {
		if l.Name == name {
			return l, nil
		}
	}
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.Name
	}
	return Lesson{}, &NotFoundError{Name: name, Suggestion: Closest(name, names)}
}

// Closest returns the candidate nearest to s, or "" if none is close enough
// to be a typo: an edit distance of at most a third of the word (at least
// one), or s being the start of exactly one candidate ("sig" for "signals").
func Closest(s string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := distance(s, c)
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(1, len([]rune(s))/3)
	if bestD >= 0 && bestD <= limit {
		return best
	}
	var prefixed []string
	for _, c := range candidates {
		if len(s) >= 3 && len(c) > len(s) && c[:len(s)] == s {
			prefixed = append(prefixed, c)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	return ""
}

// distance is the Damerau-Levenshtein distance (optimal string alignment):
// insertions, deletions, substitutions and swaps of neighbours each cost one,
// which covers the usual typos.
func distance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
