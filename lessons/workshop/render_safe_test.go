package workshop

import (
	"strings"
	"testing"
	"time"
)

func TestSinceStartNeverPrintsANegativeDuration(t *testing.T) {
	if got := sinceStart(-2 * time.Hour); strings.Contains(got, "-") || !strings.Contains(got, "future") {
		t.Errorf("sinceStart(-2h) = %q, want words about the future, no minus sign", got)
	}
	if got := sinceStart(90 * time.Minute); got != "1h30m0s ago" {
		t.Errorf("sinceStart(90m) = %q", got)
	}
}

// A process can rename itself to terminal escapes: what a check saw is
// printed escaped, never obeyed.
func TestOutcomeEscapesWhatTheCheckSaw(t *testing.T) {
	w, err := Open(fixtureLessons(), Store{Path: t.TempDir() + "/workshop.json"}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	o := Outcome{Summary: "PID 7 is \x1b[2Jx", Seen: []string{"its name is \x1b]0;T\a"}}
	if err := w.WriteOutcome(&b, w.Path.Steps[0], o, nil, View{Width: 80}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\a") || !strings.Contains(b.String(), `\e[2Jx`) || !strings.Contains(b.String(), `\e]0;T\a`) {
		t.Errorf("outcome not escaped:\n%q", b.String())
	}
}
