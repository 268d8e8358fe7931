package workshop

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadRefusesWhatNoDlabWrote: a progress file from another version or
// edited by hand is one error that says how to start again (never a panic
// later), and a newer format is left on disk as it was.
func TestLoadRefusesWhatNoDlabWrote(t *testing.T) {
	tests := []struct {
		name, file, want string
		unknownVersion   bool
	}{
		{"not JSON", `{not json`, "is damaged", false},
		{"a newer format", `{"version": 2, "current": "signals", "steps": {}, "badges": ["x"]}`, "from a newer dlab", true},
		{"no version", `{"current": "signals", "steps": {}}`, "no known format version", true},
		{"a negative hint count", `{"version": 1, "steps": {"signals": {"hints": -1}}}`, "negative count", false},
		{"a negative try count", `{"version": 1, "steps": {"signals": {"tries": -5}}}`, "negative count", false},
		{"a null step", `{"version": 1, "steps": {"signals": null}}`, "is empty", false},
		{"a demo daemon without a PID", `{"version": 1, "steps": {}, "demo": {"pid": 0}}`, "PID is 0", false},
		{"a demo daemon at PID -1", `{"version": 1, "steps": {}, "demo": {"pid": -1}}`, "PID is -1", false},
		{"a demo log that is a FIFO", `{"version": 1, "steps": {}, "demo": {"pid": 5, "log_file": "DIR/fifo"}}`, "fifo is not a regular file", false},
		{"a demo PID file that is a symlink", `{"version": 1, "steps": {}, "demo": {"pid": 5, "pid_file": "DIR/link"}}`, "link is not a regular file", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			// What a hand edit could point the demo daemon's files at.
			if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(dir, "fifo"), filepath.Join(dir, "link")); err != nil {
				t.Fatal(err)
			}
			tt.file = strings.ReplaceAll(tt.file, "DIR", dir)
			s := Store{Path: filepath.Join(dir, "workshop.json")}
			if err := os.WriteFile(s.Path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := s.Load()
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "'dlab workshop reset'") {
				t.Fatalf("Load: %v; want an error saying %q and how to reset", err, tt.want)
			}
			if errors.Is(err, ErrUnknownVersion) != tt.unknownVersion {
				t.Errorf("errors.Is(err, ErrUnknownVersion) = %v, want %v", !tt.unknownVersion, tt.unknownVersion)
			}
			if b, _ := os.ReadFile(s.Path); string(b) != tt.file {
				t.Errorf("the file changed: %s", b)
			}
			if _, err := Open(fixtureLessons(), s, t.TempDir()); err == nil {
				t.Error("Open accepted it")
			}
		})
	}
}

// TestResetRecoversAnyFile: reset is what every error above tells the
// student to run, so it must work whatever the file holds.
func TestResetRecoversAnyFile(t *testing.T) {
	for _, file := range []string{
		`{not json`,
		`{"version": 2, "steps": {}}`,
		`{"version": 1, "steps": {"signals": {"hints": -1}}}`,
		`{"version": 1, "steps": {}, "demo": {"pid": -1}}`,
		`{"version": 1, "steps": {}, "demo": "not an object"}`,
		``,
	} {
		s := Store{Path: filepath.Join(t.TempDir(), "workshop.json")}
		if err := os.WriteFile(s.Path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := s.Reset(); err != nil {
			t.Errorf("Reset of %q: %v", file, err)
		}
		if _, err := os.Stat(s.Path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Reset of %q left the file: %v", file, err)
		}
		if p, err := s.Load(); err != nil || !p.Started.IsZero() {
			t.Errorf("after Reset of %q: %+v, %v", file, p, err)
		}
	}
	// Nothing to reset is not an error either.
	s := Store{Path: filepath.Join(t.TempDir(), "none", "workshop.json")}
	if err := s.Reset(); err != nil {
		t.Errorf("Reset with no file: %v", err)
	}
}

// TestHintCountBeyondTheHints: a count from a version with more hints (or
// edited by hand) shows every hint there is instead of slicing past them.
func TestHintCountBeyondTheHints(t *testing.T) {
	s := Store{Path: filepath.Join(t.TempDir(), "workshop.json")}
	if err := os.WriteFile(s.Path, []byte(`{"version": 1, "started": "2026-01-02T03:04:05Z", "current": "differences", "steps": {"differences": {"hints": 99}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := Open(fixtureLessons(), s, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, hints, total, err := w.Hint()
	if err != nil || len(hints) != total || total == 0 {
		t.Errorf("Hint: %d of %d hints, %v", len(hints), total, err)
	}
	if st := w.Progress.Step("differences"); st.Hints != total {
		t.Errorf("hint count %d after the hint, want %d", st.Hints, total)
	}
}

func TestAnswerArity(t *testing.T) {
	for _, tt := range []struct {
		usage    string
		min, max int
	}{
		{"dlab workshop check", 0, 0},
		{"dlab workshop check PID", 1, 1},
		{"dlab workshop check PID daemon|normal", 2, 2},
		{"dlab workshop check ./worker.sh [ARGS...]", 1, math.MaxInt},
		{"dlab workshop check -- ./worker.sh [ARGS...]", 1, math.MaxInt},
		{"dlab workshop check PATH [MORE]", 1, 2},
		{"run it yourself", 0, math.MaxInt},
	} {
		if min, max := answerArity(tt.usage); min != tt.min || max != tt.max {
			t.Errorf("answerArity(%q) = %d, %d; want %d, %d", tt.usage, min, max, tt.min, tt.max)
		}
	}
	// Every exercise's usage line is one answerArity reads.
	for id, e := range exercises {
		if !strings.HasPrefix(e.Answer, "dlab workshop check") {
			t.Errorf("exercise %q is answered with %q: the count of its words is not checked", id, e.Answer)
		}
	}
}

// TestTooManyWordsIsAUsageError: dlab workshop check 1 2 does not quietly
// drop the 2, and records no try.
func TestTooManyWordsIsAUsageError(t *testing.T) {
	s := Store{Path: filepath.Join(t.TempDir(), "workshop.json")}
	w, err := Open(fixtureLessons(), s, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w.Env = fakeEnv(nil)
	w.Env.Progress = w.Progress
	ctx := context.Background()
	if _, err := w.Goto(ctx, "parents"); err != nil {
		t.Fatal(err)
	}
	_, _, err = w.Check(ctx, []string{"1", "2"})
	var ae *AnswerError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "'dlab workshop check PID'") {
		t.Fatalf("Check(1 2): %v; want an AnswerError naming the usage", err)
	}
	if n := w.Progress.Step("parents").Tries; n != 0 {
		t.Errorf("%d tries recorded for a usage error", n)
	}
	// One word is an answer (here: no such process, a wrong one).
	if _, o, err := w.Check(ctx, []string{"404"}); err != nil || o.Passed {
		t.Errorf("Check(404): %+v, %v", o, err)
	}
}

// TestWaitCountWakesOnTheLog: the reload check waits for the daemon's log
// line, woken by the write (inotify), and gives up at its deadline.
func TestWaitCountWakesOnTheLog(t *testing.T) {
	log := filepath.Join(t.TempDir(), "daemon.log")
	if err := os.WriteFile(log, []byte("ready pid=1\nreloaded configuration\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := &Demo{PID: 1, LogFile: log}
	got := make(chan int)
	go func() { got <- d.WaitCount(context.Background(), "reloaded configuration", 1, time.Minute) }()
	f, err := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("reloaded configuration\n")
	f.Close()
	if n := <-got; n != 2 {
		t.Errorf("WaitCount = %d after a second reload line, want 2", n)
	}
	if n := d.WaitCount(context.Background(), "reloaded configuration", 2, 50*time.Millisecond); n != 2 {
		t.Errorf("WaitCount with no new line = %d, want 2", n)
	}
}
