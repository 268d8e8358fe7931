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

// ErrUnknownVersion means the progress file was written in a format this
// dlab does not know (a newer dlab's): it is left as it is, since saving it
// in the old format would drop what the newer one keeps there.
var ErrUnknownVersion = errors.New("unknown workshop progress format")

// Load reads the progress; a student who has not started gets a fresh one.
// A file this dlab did not write (another version's, hand-edited, cut short)
// is an error that says how to start again, never a panic later on.
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
		return nil, s.damaged(err)
	}
	switch {
	case p.Version > progressVersion:
		return nil, fmt.Errorf("workshop progress in %s is in format %d, from a newer dlab (this one reads format %d): %w; it is left as it is: use that dlab, or start again with 'dlab workshop reset'",
			s.Path, p.Version, progressVersion, ErrUnknownVersion)
	case p.Version < progressVersion:
		return nil, fmt.Errorf("workshop progress in %s has no known format version (%d): %w; start again with 'dlab workshop reset'",
			s.Path, p.Version, ErrUnknownVersion)
	}
	if err := p.check(); err != nil {
		return nil, s.damaged(err)
	}
	// The demo daemon's files are read and shown: never a device, a FIFO
	// or a link a hand edit put there (reading /dev/zero never ends).
	if d := p.Demo; d != nil {
		for _, f := range []string{d.LogFile, d.PIDFile, d.ConfigFile} {
			if fi, err := os.Lstat(f); err == nil && !fi.Mode().IsRegular() {
				return nil, s.damaged(fmt.Errorf("the demo daemon's file %s is not a regular file", f))
			}
		}
	}
	if p.Steps == nil {
		p.Steps = map[string]*StepState{}
	}
	return &p, nil
}

func (s Store) damaged(err error) error {
	return fmt.Errorf("workshop progress in %s is damaged (%v): start again with 'dlab workshop reset'", s.Path, err)
}

// check rejects values no dlab writes: they would index out of range or
// point a signal at a PID that is not the demo daemon.
func (p *Progress) check() error {
	for name, st := range p.Steps {
		switch {
		case st == nil:
			return fmt.Errorf("step %q is empty", name)
		case st.Tries < 0 || st.Hints < 0 || st.Baseline < 0 || st.BaselinePID < 0:
			return fmt.Errorf("step %q has a negative count", name)
		}
	}
	if p.Demo != nil && p.Demo.PID <= 0 {
		return fmt.Errorf("the demo daemon's PID is %d", p.Demo.PID)
	}
	return nil
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

// Reset forgets all progress and stops the demo daemon it names. It works
// on any file, damaged or from another version, because it is what the
// errors of Load tell the student to run: the demo daemon is looked for
// leniently and the file is removed whatever it holds.
func (s Store) Reset() error {
	var stopErr error
	if b, err := os.ReadFile(s.Path); err == nil {
		var p struct {
			Demo *Demo `json:"demo"`
		}
		if json.Unmarshal(b, &p) == nil && p.Demo != nil && p.Demo.PID > 0 {
			stopErr = StopDemo(p.Demo)
		}
	}
	if err := s.Remove(); err != nil {
		return err
	}
	if stopErr != nil {
		return fmt.Errorf("progress removed, but the demo daemon could not be stopped: %w (try 'dlab demo cleanup')", stopErr)
	}
	return nil
}
