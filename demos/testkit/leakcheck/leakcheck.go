// Package leakcheck makes a test suite prove that every process it started
// has ended.
//
// Main puts a marker unique to this run in the environment, which every
// process the tests start inherits (the demo daemon keeps it when it
// sanitizes its environment). After the tests it looks in /proc for marked
// processes other than itself; any still alive once a short deadline has
// passed is a leak: it is reported, killed, and the suite fails.
package leakcheck

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
)

// Env is the name of the marker variable.
const Env = "DLAB_LEAKCHECK"

// Main runs the tests and then the leak check; use it as
//
//	func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }
func Main(m *testing.M) int {
	// A nested suite (a test binary started by a test) keeps the outer marker.
	marker := os.Getenv(Env)
	if marker == "" {
		marker = fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
		os.Setenv(Env, marker)
	}
	// Under -race every process sleeps a second at exit (GORACE
	// atexit_sleep_ms defaults to 1000) to flush reports; the demo processes
	// this suite starts are race-built too, and waiting for their exits is
	// most of what the live tests do. Other GORACE options are kept, and so
	// is an atexit_sleep_ms someone chose.
	if gorace := os.Getenv("GORACE"); !strings.Contains(gorace, "atexit_sleep_ms=") {
		os.Setenv("GORACE", strings.TrimSpace(gorace+" atexit_sleep_ms=0"))
	}
	code := m.Run()
	if left := waitGone(marker, 3*time.Second); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "leakcheck: the tests left %d process(es) running: %s (now killed)\n", len(left), describe(left))
		for _, pid := range left {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Marked lists the live processes, other than this one, that carry marker.
// Zombies have an empty environment and are not listed: they hold no
// resources but a PID, and their reaper is not ours to be.
func Marked(marker string) []int {
	want := Env + "=" + marker
	pids, _ := proc.Live().PIDs()
	var found []int
	for _, pid := range pids {
		if pid == os.Getpid() {
			continue
		}
		env, err := proc.Live().Environ(pid)
		if err != nil {
			continue
		}
		for _, e := range env {
			if e == want {
				found = append(found, pid)
				break
			}
		}
	}
	return found
}

// waitGone polls /proc until no marked process is left or the deadline
// passes: a process sent SIGTERM by the last test may still be shutting down.
func waitGone(marker string, d time.Duration) []int {
	deadline := time.Now().Add(d)
	for {
		left := Marked(marker)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func describe(pids []int) string {
	var b bytes.Buffer
	for i, pid := range pids {
		if i > 0 {
			b.WriteString(", ")
		}
		comm := "?"
		if st, err := proc.Live().Stat(pid); err == nil {
			comm = st.Comm
		}
		fmt.Fprintf(&b, "%d (%s)", pid, comm)
	}
	return b.String()
}

// MainWithOwnState is Main for a suite whose demos record what they start
// in dlab's registry and make run folders: it points XDG_RUNTIME_DIR and
// XDG_STATE_HOME at a temporary folder of the suite's own, so the user's
// registry never sees the tests, and removes it afterwards.
func MainWithOwnState(m *testing.M) int {
	dir, err := os.MkdirTemp("", "dlab-test-state-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "leakcheck: cannot make the tests' state folder: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	os.Setenv("XDG_RUNTIME_DIR", dir)
	os.Setenv("XDG_STATE_HOME", dir)
	return Main(m)
}
