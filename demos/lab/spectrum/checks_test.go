package spectrum

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dlab/demos/core/inspect"
	"dlab/demos/launch/pidfd"

	"golang.org/x/sys/unix"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// snap builds a snapshot of a live process from facts.
func snap(role string, f inspect.Facts, v inspect.Verdict) Snapshot {
	r := inspect.Report{PID: f.PID, Verdict: v, Facts: f}
	return Snapshot{Member: Member{Role: role, PID: f.PID}, Report: &r}
}

func gone(role string, pid int, how string) Snapshot {
	return Snapshot{Member: Member{Role: role, PID: pid}, Gone: how}
}

const dir = "/run/user/1000/dlab/runs/100-5/nohup-1"

// nohupFixture is a nohup job, typed into bash next to a plain job, as the
// inspector sees it on a healthy system.
func nohupFixture() (before, after []Snapshot, termLog []string) {
	prog := inspect.Facts{PID: 30, PPID: 20, ParentComm: "bash", SID: 20, PGID: 30, TPGID: 20, TTY: "pts/4", State: "S",
		FD:      [3]string{"/dev/null", dir + "/nohup.out", dir + "/nohup.out"},
		Signals: map[string]string{"SIGHUP": "ignored", "SIGINT": "caught", "SIGTERM": "caught"}, GoHint: "go"}
	job := inspect.Facts{PID: 25, PPID: 20, ParentComm: "bash", SID: 20, PGID: 25, TPGID: 20, TTY: "pts/4", State: "S",
		FD:      [3]string{"/dev/pts/4", "/dev/pts/4", "/dev/pts/4"},
		Signals: map[string]string{"SIGHUP": "default", "SIGINT": "caught", "SIGTERM": "caught"}, GoHint: "go"}
	shell := inspect.Facts{PID: 20, PPID: 10, SID: 20, PGID: 20, TPGID: 20, TTY: "pts/4", Foreground: true, State: "S",
		FD:      [3]string{"/dev/pts/4", "/dev/pts/4", "/dev/pts/4"},
		Signals: map[string]string{"SIGHUP": "caught", "SIGINT": "caught", "SIGTERM": "ignored"}}
	term := inspect.Facts{PID: 10, PPID: 1, ParentComm: "process_api", SID: 10, PGID: 10, TPGID: -1, TTY: "?", State: "S",
		FD:      [3]string{"/dev/null", "/dev/null", "/dev/null"},
		Signals: map[string]string{"SIGHUP": "caught", "SIGINT": "caught", "SIGTERM": "caught"}, GoHint: "go"}
	before = []Snapshot{snap("program", prog, inspect.Normal), snap("job", job, inspect.Normal), snap("shell", shell, inspect.Normal), snap("terminal", term, inspect.Daemon)}
	prog2 := prog
	prog2.PPID, prog2.ParentComm, prog2.TTY, prog2.TPGID = 1, "process_api", "?", -1
	after = []Snapshot{snap("program", prog2, inspect.Daemon), gone("job", 25, "killed by SIGHUP"), gone("shell", 20, "killed by SIGHUP"), gone("terminal", 10, "exited with status 0")}
	termLog = []string{"12:00:00.000001 terminal[10]: the shell, bash (PID 20), was killed by SIGHUP"}
	return
}

func TestNohupChecksHoldOnTheFixture(t *testing.T) {
	before, after, log := nohupFixture()
	for _, c := range terminalJobChecks(Nohup, "bash", "pts/4", before, after, log) {
		if !c.Holds {
			t.Errorf("does not hold: %s (observed %s)", c.Claim, c.Observed)
		}
	}
}

// A claim that the processes contradict is reported as not holding, with
// what was observed instead: a mismatch is never hidden.
func TestAContradictedClaimDoesNotHold(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(before, after []Snapshot)
		claim  string
	}{
		{"SIGHUP not ignored", func(b, a []Snapshot) { b[0].Report.Facts.Signals["SIGHUP"] = "default" }, "nohup made the program ignore SIGHUP"},
		{"job in the foreground", func(b, a []Snapshot) { b[0].Report.Facts.TPGID = 30 }, "it is a background job"},
		{"program died in the hang-up", func(b, a []Snapshot) { a[0] = gone("program", 30, "killed by SIGHUP") }, "the program survived the hang-up"},
		{"shell still running", func(b, a []Snapshot) { a[2] = b[2] }, "the shell, the terminal's controlling process"},
		{"bash's job survived", func(b, a []Snapshot) { a[1] = b[1] }, "bash passed SIGHUP on to its jobs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, after, log := nohupFixture()
			// The fixture's maps are shared between before and after: copy.
			before[0].Report.Facts.Signals = map[string]string{"SIGHUP": "ignored"}
			c.break_(before, after)
			found := false
			for _, ch := range terminalJobChecks(Nohup, "bash", "pts/4", before, after, log) {
				if strings.HasPrefix(ch.Claim, c.claim) {
					found = true
					if ch.Holds {
						t.Errorf("%q holds, observed %q", ch.Claim, ch.Observed)
					}
				}
			}
			if !found {
				t.Fatalf("no claim starting %q", c.claim)
			}
		})
	}
}

func TestPtyServerChecksNeedSIGHUP(t *testing.T) {
	how := pidfd.Exit{Status: unix.WaitStatus(unix.SIGTERM), Known: true, Source: "test"}
	cs := ptyServerChecks("pts/1", nil, []Snapshot{}, &how)
	for _, c := range cs {
		if strings.Contains(c.Claim, "the kernel sent SIGHUP") && c.Holds {
			t.Errorf("a program killed by SIGTERM passed the SIGHUP claim: %s", c.Observed)
		}
	}
}

func TestSupervisedChecksNeedANewPID(t *testing.T) {
	svc := inspect.Facts{PID: 50, PPID: 40, SID: 50, PGID: 50, TTY: "?", State: "S", Cwd: "/",
		FD: [3]string{"/dev/null", "pipe:[1]", "pipe:[1]"}}
	sup := inspect.Facts{PID: 40, PPID: 1, SID: 40, PGID: 40, TTY: "?", State: "S"}
	before := []Snapshot{snap("service", svc, inspect.Daemon), snap("supervisor", sup, inspect.Daemon)}
	// The same PID "restarted": not a restart.
	same := &Restart{Old: Member{PID: 50}, New: Member{PID: 50}, Killed: pidfd.Exit{Status: unix.WaitStatus(unix.SIGKILL), Known: true}}
	for _, c := range supervisedChecks(before, before, same) {
		if strings.HasPrefix(c.Claim, "and started it again") && c.Holds {
			t.Error("a service with the same PID counted as restarted")
		}
	}
}

// The Markdown a lesson embeds, pinned by a golden file (go test -update
// rewrites it).
func TestMarkdownGolden(t *testing.T) {
	before, after, log := nohupFixture()
	s := Showing{Kind: Nohup, Title: Titles[Nohup], TTY: "pts/4", Dir: dir, Before: before, Event: Events[Nohup],
		Outcome: outcomeOfHangup(after, "bash"), After: after, Checks: terminalJobChecks(Nohup, "bash", "pts/4", before, after, log)}
	s.Checks[0].Holds = false // show how a claim that doesn't hold looks
	golden(t, "nohup.md", []byte(s.Markdown()))
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}
