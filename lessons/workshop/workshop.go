// Package workshop is dlab's classroom path: the lessons in teaching order,
// each followed by an exercise the student does with real commands in their
// own shell and that dlab checks on the live system.
//
// The path is built from the lessons (package lessons) and a plan that gives
// each lesson its minutes in a 90-minute workshop, its exercise and the
// instructor's discussion prompts. Progress is kept per user in
// $XDG_STATE_HOME/dlab/workshop.json, so it survives restarts.
package workshop

import (
	"fmt"
	"strconv"

	"dlab/lessons"
)

// Step is one stop on the path: a lesson to read, then its exercise.
type Step struct {
	Number   int // 1-based
	Lesson   lessons.Lesson
	Minutes  int       // in the 90-minute plan: reading, exercise and discussion
	Exercise *Exercise // nil when the step is reading and discussion only
	Prompts  []string  // discussion prompts for the instructor
}

// Path is the whole workshop.
type Path struct {
	Steps []Step
}

// defaultMinutes is what a lesson the plan does not know yet gets.
const defaultMinutes = 3

// NewPath builds the path from the lessons, in their teaching order.
func NewPath(ls []lessons.Lesson) Path {
	var p Path
	for i, l := range ls {
		s := Step{Number: i + 1, Lesson: l, Minutes: defaultMinutes}
		if e, ok := plan[l.Name]; ok {
			s.Minutes, s.Prompts = e.minutes, e.prompts
			if e.exercise != "" {
				s.Exercise = exercises[e.exercise]
			}
		}
		p.Steps = append(p.Steps, s)
	}
	return p
}

// Minutes is the length of the whole path.
func (p Path) Minutes() int {
	n := 0
	for _, s := range p.Steps {
		n += s.Minutes
	}
	return n
}

// StartsAt is how many minutes into the workshop step number n begins.
func (p Path) StartsAt(n int) int {
	m := 0
	for _, s := range p.Steps[:n-1] {
		m += s.Minutes
	}
	return m
}

// Exercises counts the steps that have one.
func (p Path) Exercises() int {
	n := 0
	for _, s := range p.Steps {
		if s.Exercise != nil {
			n++
		}
	}
	return n
}

// Find returns the step named by a number ("3") or a lesson name.
func (p Path) Find(name string) (Step, error) {
	if n, err := strconv.Atoi(name); err == nil {
		if n < 1 || n > len(p.Steps) {
			return Step{}, fmt.Errorf("no step %d: the path has steps 1 to %d (see 'dlab workshop')", n, len(p.Steps))
		}
		return p.Steps[n-1], nil
	}
	for _, s := range p.Steps {
		if s.Lesson.Name == name || s.Exercise != nil && s.Exercise.ID == name {
			return s, nil
		}
	}
	var names []string
	for _, s := range p.Steps {
		names = append(names, s.Lesson.Name)
	}
	if c := lessons.Closest(name, names); c != "" {
		return Step{}, fmt.Errorf("no step %q; did you mean %q? (see 'dlab workshop')", name, c)
	}
	return Step{}, fmt.Errorf("no step %q: give a step number or a lesson name (see 'dlab workshop')", name)
}

// Current is the step the progress points at; the first one for a new
// student, and the first one again if the lesson it named is gone.
func (p Path) Current(pr *Progress) Step {
	for _, s := range p.Steps {
		if s.Lesson.Name == pr.Current {
			return s
		}
	}
	return p.Steps[0]
}

// Next is the step after s, or false at the end.
func (p Path) Next(s Step) (Step, bool) {
	if s.Number >= len(p.Steps) {
		return Step{}, false
	}
	return p.Steps[s.Number], true
}

// clock formats minutes as h:mm.
func clock(m int) string {
	return fmt.Sprintf("%d:%02d", m/60, m%60)
}
