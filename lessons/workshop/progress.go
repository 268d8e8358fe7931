package workshop

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Progress is one student's way through the workshop, as stored on disk.
type Progress struct {
	Version int                   `json:"version"`
	Started time.Time             `json:"started"`
	Current string                `json:"current"` // lesson name of the current step
	Steps   map[string]*StepState `json:"steps"`   // by lesson name
	// Demo is the demo daemon dlab started for the exercises that need one.
	Demo *Demo `json:"demo,omitempty"`
}

// StepState is what happened at one step.
type StepState struct {
	Entered time.Time `json:"entered,omitempty"`
	Done    bool      `json:"done"`
	DoneAt  time.Time `json:"done_at,omitempty"`
	Tries   int       `json:"tries"`
	Hints   int       `json:"hints"` // how many hints were shown
	// Baseline is what the exercise compares against (the demo daemon's
	// reload count when the step was entered, and for which daemon).
	Baseline    int `json:"baseline,omitempty"`
	BaselinePID int `json:"baseline_pid,omitempty"`
}

const progressVersion = 1

// Step returns the state of a step, created on first use.
func (p *Progress) Step(name string) *StepState {
	if p.Steps == nil {
		p.Steps = map[string]*StepState{}
	}
	s, ok := p.Steps[name]
	if !ok {
		s = &StepState{}
		p.Steps[name] = s
	}
	return s
}

// Store is where a student's progress lives.
type Store struct {
	Path string
}

// DefaultStore is $XDG_STATE_HOME/dlab/workshop.json, with
// ~/.local/state as XDG's default for XDG_STATE_HOME.
func DefaultStore(getenv func(string) string) (Store, error) {
	dir := getenv("XDG_STATE_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return Store{}, errors.New("cannot find where to keep workshop progress: set HOME or XDG_STATE_HOME")
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return Store{Path: filepath.Join(dir, "dlab", "workshop.json")}, nil
}

// Load reads the progress; a student who has not started gets a fresh one.
func (s Store) Load() (*Progress, error) {
	b, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Progress{Version: progressVersion, Steps: map[string]*StepState{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read workshop progress: %w", err)
	}
	var p Progress
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("workshop progress in %s is damaged (%v): start again with 'dlab workshop reset'", s.Path, err)
	}
	if p.Steps == nil {
		p.Steps = map[string]*StepState{}
	}
	return &p, nil
}

// Save writes the progress atomically: to a temporary file in the same
// directory, then renamed over the old one, so a crash or a ^C never leaves
// half a file.
func (s Store) Save(p *Progress) error {
	p.Version = progressVersion
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot save workshop progress: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".workshop-*.json")
	if err != nil {
		return fmt.Errorf("cannot save workshop progress: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this does nothing
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot save workshop progress: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot save workshop progress: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot save workshop progress: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.Path); err != nil {
		return fmt.Errorf("cannot save workshop progress: %w", err)
	}
	return nil
}

// Remove forgets all progress.
func (s Store) Remove() error {
	if err := os.Remove(s.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove workshop progress: %w", err)
	}
	return nil
}
