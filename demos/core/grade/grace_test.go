package grade

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"dlab/demos/core/proc"
)

// A dying child gets longer to be gone on a busy machine, never less than
// half a second and never more than 3 s.
func TestLeftoverGraceGrowsWithLoad(t *testing.T) {
	for _, c := range []struct {
		loadavg  string
		min, max time.Duration
	}{
		{"0.10 0.20 0.30 1/100 42\n", 500 * time.Millisecond, 500 * time.Millisecond},
		{"200.00 90.00 40.00 150/900 42\n", 3 * time.Second, 3 * time.Second},
		{"garbage\n", 500 * time.Millisecond, 500 * time.Millisecond},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "loadavg"), []byte(c.loadavg), 0o644); err != nil {
			t.Fatal(err)
		}
		got := leftoverGrace(proc.FS{Root: dir})
		if runtime.NumCPU() > 100 && c.min > 500*time.Millisecond {
			continue // a machine this large is not busy at that load
		}
		if got < c.min || got > c.max {
			t.Errorf("loadavg %q: grace %v, want %v to %v", c.loadavg, got, c.min, c.max)
		}
	}
}

// On a busy machine the report says why the window was longer than asked.
func TestAStretchedWindowIsSaid(t *testing.T) {
	o := Observation{Mode: SysV, Command: []string{"./d"}, Timeout: 12 * time.Second,
		StretchedFor: "2s asked for, stretched for a busy machine: load 12.0 on 2 CPUs",
		Original:     &Original{PID: 120, StillForeground: true, ExitCode: -1}}
	it, _ := Judge(o).Item("returns")
	if it.Status != Fail || !strings.Contains(it.Observed, "within 12s (2s asked for, stretched for a busy machine: load 12.0 on 2 CPUs)") {
		t.Errorf("returns: %s %q", it.Status, it.Observed)
	}
}
