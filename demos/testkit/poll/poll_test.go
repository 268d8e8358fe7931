package poll

import (
	"testing"
	"time"
)

func TestForChecksUntilTheConditionHoldsOrTheDeadline(t *testing.T) {
	n := 0
	if !For(10*time.Second, func() bool { n++; return n == 3 }) || n != 3 {
		t.Errorf("For stopped after %d checks, want 3", n)
	}
	start := time.Now()
	if For(20*time.Millisecond, func() bool { return false }) {
		t.Error("For reported a condition that never held")
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("For gave up after %s, before its deadline", d)
	}
}
