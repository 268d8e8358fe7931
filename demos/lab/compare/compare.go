// Package compare starts a real normal process and a real SysV daemon,
// shows them side by side as the inspector sees them (every row of the
// classic table, and the facts under it), and runs the signal experiments
// on both: SIGTERM, SIGHUP, SIGINT, SIGKILL, ^C typed on the terminal and
// the terminal hanging up, each with what the lesson expects and what was
// observed.
//
// Everything observed is read live (inspect.Explain, /proc, pidfds, the
// daemon's log); nothing is restated from what the launcher remembers. A
// mismatch between the lesson and the observation is kept and shown.
package compare

import (
	"time"

	"dlab/demos/core/inspect"
)

// Options configure Run.
type Options struct {
	// Experiments runs the signal experiments after the comparison.
	Experiments bool
	// Lifetime bounds every process Run starts, as a safety net: Run ends
	// them all itself. Default: five minutes, more than the longest start
	// and experiments a busy machine is given (see patience).
	Lifetime time.Duration
}

func (o Options) lifetime() time.Duration {
	if o.Lifetime <= 0 {
		return 5 * time.Minute
	}
	return o.Lifetime
}

// Result is what Run observed.
type Result struct {
	Normal      inspect.Report `json:"normal"`
	Daemon      inspect.Report `json:"daemon"`
	Rows        []Row          `json:"rows"`
	Reaper      string         `json:"reaper"` // who adopted the daemon, read from its live parent
	Experiments Experiments    `json:"experiments,omitempty"`
	TookMS      float64        `json:"took_ms"`
}

// Experiments are the signal experiments, in the lesson's order: for each
// event, the normal process then the daemon.
type Experiments []Experiment

// Mismatches counts the experiments whose observation is not what the
// lesson expects. An inconclusive one is not a mismatch: nothing was seen
// that contradicts the lesson.
func (es Experiments) Mismatches() int {
	n := 0
	for _, e := range es {
		if !e.Match && !e.Inconclusive() {
			n++
		}
	}
	return n
}

// Find is the experiment of event on target, nil when it was not run.
func (es Experiments) Find(event Event, target Target) *Experiment {
	for i := range es {
		if es[i].Event == event && es[i].Target == target {
			return &es[i]
		}
	}
	return nil
}

// Inconclusives counts the experiments whose outcome was not seen in time
// on a busy machine.
func (es Experiments) Inconclusives() int {
	n := 0
	for _, e := range es {
		if e.Inconclusive() {
			n++
		}
	}
	return n
}

// Inconclusive reports whether what the process did was not seen in time,
// on a machine too busy to tell a slow reaction from none.
func (e Experiment) Inconclusive() bool { return e.Observed.Outcome == Inconclusive }
