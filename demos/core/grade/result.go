package grade

import (
	"errors"
	"fmt"
)

// Status is the outcome of one item.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	// Warn: a recommended step the program skips; it still passes.
	Warn Status = "warn"
	// Skip: not checked, because an earlier step left nothing to check.
	Skip Status = "skip"
)

// Item is one checked step: what was seen and why it matters.
type Item struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Required items decide pass or fail: without them the program is still
	// tied to the caller's terminal or session. The others give warnings.
	Required bool   `json:"required"`
	Status   Status `json:"status"`
	Observed string `json:"observed"`
	Why      string `json:"why"`
}

// Result is the grade of one program.
type Result struct {
	Mode    Mode     `json:"mode"`
	Command []string `json:"command"`
	// Passed is true when every required item passed.
	Passed   bool   `json:"passed"`
	Summary  string `json:"summary"`
	Items    []Item `json:"items"`
	Warnings int    `json:"warnings"`
	Failures int    `json:"failures"`
	// Notes are facts about the run itself: what dlab ended, how a fork
	// bomb was contained, trouble the harness had.
	Notes   []string `json:"notes,omitempty"`
	Output  string   `json:"output,omitempty"`
	Aborted bool     `json:"aborted,omitempty"`
	// Error says why the program could not be checked at all (it cannot be
	// run, or the grader itself failed); Items is then empty.
	Error string `json:"error,omitempty"`
	// GraderError: the failure is dlab's, not the program's.
	GraderError bool `json:"grader_error,omitempty"`
	// Observation is the raw material, for --json readers.
	Observation Observation `json:"observation"`
}

// Item returns the item with the given ID.
func (r Result) Item(id string) (Item, bool) {
	for _, it := range r.Items {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}

// Unchecked is the result for a program that could not be checked at all:
// failed, with the reason, so that an autograder reading --json gets a
// report for every failure, not a line of text.
func Unchecked(opts Options, err error) Result {
	mode := SysV
	if opts.NewStyle {
		mode = NewStyle
	}
	r := Result{Mode: mode, Command: opts.Command, Error: err.Error(), GraderError: !errors.Is(err, ErrNotRunnable)}
	r.Summary = fmt.Sprintf("FAIL: %s could not be checked: %s", commandName(opts.Command), err)
	r.Observation = Observation{Mode: mode, Command: opts.Command}
	return r
}
