package inspect

import (
	"testing"

	"dlab/demos/core/proc"

	"golang.org/x/sys/unix"
)

// The verdict from a stat (dlab ps) and from facts (dlab explain) is one
// rule: the same process gets the same verdict both ways.
func TestVerdictIsOneRuleForStatAndFacts(t *testing.T) {
	for _, c := range []struct {
		name  string
		state byte
		flags uint64
		tty   int
		want  Verdict
	}{
		{"zombie on a terminal", 'Z', 0, 34816, Zombie},
		{"dead", 'X', 0, 0, Zombie},
		{"kernel thread", 'I', proc.PFKthread, 0, KernelThread},
		{"on a terminal", 'S', 0, 34816, Normal},
		{"no terminal", 'S', 0, 0, Daemon},
	} {
		st := proc.Stat{State: c.state, Flags: c.flags, TTY: c.tty}
		f := Facts{State: string(c.state), Flags: c.flags, TTY: proc.TTYName(c.tty), TTYNr: c.tty}
		if got := VerdictOf(st); got != c.want {
			t.Errorf("%s: VerdictOf = %s, want %s", c.name, got, c.want)
		}
		if got := verdictOfFacts(f); got != c.want {
			t.Errorf("%s: from facts = %s, want %s", c.name, got, c.want)
		}
		if f.HasTTY() != st.HasTTY() {
			t.Errorf("%s: Facts.HasTTY %v, Stat.HasTTY %v", c.name, f.HasTTY(), st.HasTTY())
		}
	}
	// Facts built by hand may leave TTY empty: that is no terminal either.
	if (Facts{}).HasTTY() || verdictOfFacts(Facts{}) != Daemon {
		t.Error("empty facts have a terminal")
	}
}

func TestFactsDispositionIsTyped(t *testing.T) {
	f := Facts{Signals: map[string]string{"SIGHUP": "ignored", "SIGTERM": "caught", "SIGINT": "default"}}
	for sig, want := range map[unix.Signal]proc.Disposition{
		unix.SIGHUP: proc.Ignored, unix.SIGTERM: proc.Caught, unix.SIGINT: proc.Default, unix.SIGUSR1: "",
	} {
		if got := f.Disposition(sig); got != want {
			t.Errorf("%s: %q, want %q", proc.SignalName(sig), got, want)
		}
	}
}
