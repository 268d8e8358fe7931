package workshop

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"dlab/lessons"
)

// Workshop ties the path, one student's progress and the live system
// together. Every method that changes the progress leaves saving to Save.
type Workshop struct {
	Path     Path
	Store    Store
	Progress *Progress
	Env      *Env
	Now      func() time.Time
}

// Open loads the student's progress and builds the path from the lessons.
// Starter files go to dir.
func Open(ls []lessons.Lesson, store Store, dir string) (*Workshop, error) {
	if len(ls) == 0 {
		return nil, errors.New("no lessons to build the workshop from")
	}
	p, err := store.Load()
	if err != nil {
		return nil, err
	}
	w := &Workshop{Path: NewPath(ls), Store: store, Progress: p, Now: time.Now}
	w.Env = LiveEnv(p, dir)
	return w, nil
}

// Started reports whether the student has begun.
func (w *Workshop) Started() bool { return !w.Progress.Started.IsZero() }

// Current is the step the student is at.
func (w *Workshop) Current() Step { return w.Path.Current(w.Progress) }

// Begin starts the workshop for a new student, at step 1.
func (w *Workshop) Begin(ctx context.Context) error {
	if w.Started() {
		return nil
	}
	w.Progress.Started = w.Now()
	return w.Enter(ctx, w.Path.Steps[0])
}

// Enter makes s the current step and prepares its exercise (starts the demo
// daemon, writes a starter file).
func (w *Workshop) Enter(ctx context.Context, s Step) error {
	if w.Progress.Started.IsZero() {
		w.Progress.Started = w.Now()
	}
	w.Progress.Current = s.Lesson.Name
	st := w.Progress.Step(s.Lesson.Name)
	if st.Entered.IsZero() {
		st.Entered = w.Now()
	}
	return w.Prepare(ctx)
}

// Prepare readies the current step's exercise; it is safe to repeat.
func (w *Workshop) Prepare(ctx context.Context) error {
	s := w.Current()
	if s.Exercise == nil || s.Exercise.Prepare == nil {
		return nil
	}
	w.Env.Step = w.Progress.Step(s.Lesson.Name)
	return s.Exercise.Prepare(ctx, w.Env)
}

// Next moves on to the following step. It returns false at the end.
func (w *Workshop) Next(ctx context.Context) (Step, bool, error) {
	if !w.Started() {
		if err := w.Begin(ctx); err != nil {
			return Step{}, false, err
		}
		return w.Current(), true, nil
	}
	s, ok := w.Path.Next(w.Current())
	if !ok {
		return w.Current(), false, nil
	}
	return s, true, w.Enter(ctx, s)
}

// ErrNoExercise means the current step has nothing to check.
var ErrNoExercise = errors.New("this step has no exercise")

// Check checks the student's answer to the current exercise and records it.
func (w *Workshop) Check(ctx context.Context, args []string) (Step, Outcome, error) {
	if !w.Started() {
		if err := w.Begin(ctx); err != nil {
			return Step{}, Outcome{}, err
		}
	}
	s := w.Current()
	if s.Exercise == nil {
		return s, Outcome{}, fmt.Errorf("step %d (%s): %w: read it, discuss it, then 'dlab workshop next'", s.Number, s.Lesson.Name, ErrNoExercise)
	}
	// Too few words get the exercise's own advice (give the PID...).
	if _, max := answerArity(s.Exercise.Answer); len(args) > max {
		return s, Outcome{}, &AnswerError{Step: s.Number, Answer: s.Exercise.Answer, Args: args}
	}
	st := w.Progress.Step(s.Lesson.Name)
	w.Env.Step = st
	o, err := s.Exercise.Check(ctx, w.Env, args)
	if err != nil {
		return s, o, err
	}
	st.Tries++
	if o.Passed && !st.Done {
		st.Done, st.DoneAt = true, w.Now()
	}
	return s, o, nil
}

// AnswerError is an answer with the wrong number of words for its exercise
// (dlab workshop check 1 2 where one PID is asked for): a usage error.
type AnswerError struct {
	Step   int
	Answer string // the exercise's usage line
	Args   []string
}

func (e *AnswerError) Error() string {
	return fmt.Sprintf("too many words in %q: step %d is answered with '%s'", strings.Join(e.Args, " "), e.Step, e.Answer)
}

// answerArity reads how many words an exercise's answer takes from its
// usage line ("dlab workshop check PID daemon|normal" takes two, "./worker.sh
// [ARGS...]" one or more), so the line the student reads and the count dlab
// holds them to cannot disagree. max is math.MaxInt for a trailing "...".
func answerArity(usage string) (min, max int) {
	words, ok := strings.CutPrefix(usage, "dlab workshop check")
	if !ok {
		return 0, math.MaxInt
	}
	for _, w := range strings.Fields(words) {
		switch {
		case w == "--":
		case strings.HasSuffix(w, "...") || strings.HasSuffix(w, "...]"):
			return min, math.MaxInt
		case strings.HasPrefix(w, "["):
			max++
		default:
			min++
			max++
		}
	}
	return min, max
}

// Hint reveals the next hint of the current exercise: it returns the hints
// shown so far (the newest last) and how many there are in all.
func (w *Workshop) Hint() (Step, []string, int, error) {
	s := w.Current()
	if s.Exercise == nil {
		return s, nil, 0, fmt.Errorf("step %d (%s): %w, so no hints: 'dlab workshop next' moves on", s.Number, s.Lesson.Name, ErrNoExercise)
	}
	all := s.Exercise.Hints(w.Env)
	st := w.Progress.Step(s.Lesson.Name)
	// Another version of dlab may have had more hints for this step.
	st.Hints = min(st.Hints+1, len(all))
	return s, all[:st.Hints], len(all), nil
}

// Goto jumps to a step by number or lesson name.
func (w *Workshop) Goto(ctx context.Context, name string) (Step, error) {
	s, err := w.Path.Find(name)
	if err != nil {
		return Step{}, err
	}
	return s, w.Enter(ctx, s)
}

// Save writes the progress.
func (w *Workshop) Save() error { return w.Store.Save(w.Progress) }

// StepStatus is where a student stands at one step.
type StepStatus string

const (
	StatusDone    StepStatus = "done"    // exercise passed (or, without one, moved past)
	StatusCurrent StepStatus = "current" // the step the student is at
	StatusSkipped StepStatus = "skipped" // moved past without passing its exercise
	StatusTodo    StepStatus = "todo"
)

// StatusOf says where the student stands at s.
func (w *Workshop) StatusOf(s Step) StepStatus {
	cur := w.Current()
	st := w.Progress.Steps[s.Lesson.Name]
	switch {
	case st != nil && st.Done:
		return StatusDone
	case w.Started() && s.Number == cur.Number:
		return StatusCurrent
	case st != nil && !st.Entered.IsZero() && s.Exercise == nil:
		return StatusDone
	case st != nil && !st.Entered.IsZero():
		return StatusSkipped
	}
	return StatusTodo
}

// Done counts the exercises passed.
func (w *Workshop) Done() int {
	n := 0
	for _, s := range w.Path.Steps {
		if st := w.Progress.Steps[s.Lesson.Name]; s.Exercise != nil && st != nil && st.Done {
			n++
		}
	}
	return n
}
