// Package poll waits, in tests, for a change in the kernel's state that
// sends no notification of its own (a process reaching a state in
// /proc/PID/stat, a child appearing under its parent, a line in a log),
// checking it often, up to a deadline, never for a fixed time.
package poll

import (
	"testing"
	"time"
)

// interval is how long to wait between two checks: short next to a
// process's start, long next to reading a /proc file.
const interval = 5 * time.Millisecond

// For checks cond until it holds or d has passed, and reports whether it
// held. cond runs on the caller's goroutine, so it may call t.Fatal.
func For(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
	return true
}

// Until checks cond until it holds, and fails t if it still doesn't
// after d: "gave up after 5s waiting until WHAT".
func Until(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	if !For(d, cond) {
		t.Fatalf("gave up after %s waiting until %s", d, what)
	}
}
