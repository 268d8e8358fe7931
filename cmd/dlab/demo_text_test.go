package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dlab/demos/core/inspect"
	"dlab/demos/lab/compare"
	"dlab/demos/lab/spectrum"
	"dlab/demos/text/wrap"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// compareFixture is a comparison as the inspector would report it, with
// one experiment contradicting the lesson.
func compareFixture() compare.Result {
	yes, no := true, false
	sig := func(h, i, t string) map[string]string {
		return map[string]string{"SIGHUP": h, "SIGINT": i, "SIGTERM": t}
	}
	nr := inspect.Report{PID: 200, Verdict: inspect.Normal, Facts: inspect.Facts{PID: 200, PPID: 190, ParentComm: "dlab",
		SID: 190, SessionComm: "dlab", PGID: 200, TPGID: 200, TTY: "pts/3", Foreground: true,
		FD: [3]string{"/dev/pts/3", "/dev/pts/3", "/dev/pts/3"}, Cwd: "/home/ann", Umask: 0o022, UID: 1000, User: "ann",
		Signals: sig("default", "default", "default")},
		Evidence: []inspect.Row{{Aspect: "terminal", Observed: "controlling terminal pts/3", DaemonLike: &no},
			{Aspect: "parent", Observed: "dlab (PID 190)", DaemonLike: &no}}}
	dr := inspect.Report{PID: 310, Verdict: inspect.Daemon, Facts: inspect.Facts{PID: 310, PPID: 1, ParentComm: "process_api",
		SID: 305, PGID: 305, TPGID: -1, TTY: "?", FD: [3]string{"/dev/null", "/dev/null", "/dev/null"}, Cwd: "/",
		Umask: 0o027, UID: 65534, User: "nobody", Signals: sig("caught", "default", "caught"), GoHint: "go"},
		Evidence: []inspect.Row{{Aspect: "terminal", Observed: "none (ps shows ?)", DaemonLike: &yes},
			{Aspect: "parent", Observed: "process_api (PID 1)", DaemonLike: &yes}}}
	r := compare.Result{Normal: nr, Daemon: dr, Rows: compare.Table(nr, dr), Reaper: compare.ReaperOf(dr.Facts)}
	for i, ev := range compare.Events {
		for j, target := range []compare.Target{compare.NormalProcess, compare.SysVDaemon} {
			e := compare.Expected(target, ev)
			o := compare.Observation{Outcome: e.Outcome, Signal: e.Signal, Text: e.Text}
			r.Experiments = append(r.Experiments, compare.Experiment{Event: ev, Target: target, PID: 400 + 10*i + j,
				Expected: e, Observed: o, Match: compare.Matches(e, o)})
		}
	}
	// The daemon ignored SIGINT: not what the lesson expects.
	bad := &r.Experiments[5]
	bad.Observed = compare.Observation{Outcome: compare.Ignored, Text: "ignored: still running",
		Evidence: []string{"SigIgn had it before it was sent", "running (state S), not exiting, no signal pending"}}
	bad.Match = compare.Matches(bad.Expected, bad.Observed)
	return r
}

func TestCompareTextGolden(t *testing.T) {
	for _, width := range []int{0, 80} {
		var b bytes.Buffer
		compareFixture().WriteText(&b, false, width)
		name := "compare-piped.txt"
		if width > 0 {
			name = "compare-80.txt"
			for _, l := range strings.Split(b.String(), "\n") {
				if wrap.Width(l) > width {
					t.Errorf("line wider than %d: %q", width, l)
				}
			}
		}
		checkGolden(t, name, b.Bytes())
		if !strings.Contains(b.String(), "✗ MISMATCH") || !strings.Contains(b.String(), "1 mismatch(es)") {
			t.Errorf("the mismatch is not shown:\n%s", b.String())
		}
	}
}

func TestColourOnlyOnATerminal(t *testing.T) {
	var plain, colour bytes.Buffer
	compareFixture().WriteText(&plain, false, 80)
	compareFixture().WriteText(&colour, true, 80)
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("escape codes without colour")
	}
	if !strings.Contains(colour.String(), "\x1b[31m✗ MISMATCH\x1b[0m") {
		t.Error("no red mismatch with colour")
	}
}

func spectrumFixture() spectrum.Showing {
	f := inspect.Facts{PID: 30, PPID: 20, SID: 20, PGID: 30, TPGID: 20, TTY: "pts/4", State: "S",
		FD:      [3]string{"/dev/null", "/d/nohup.out", "/d/nohup.out"},
		Signals: map[string]string{"SIGHUP": "ignored"}}
	r := inspect.Report{PID: 30, Verdict: inspect.Normal, Mixed: true, Facts: f}
	return spectrum.Showing{Kind: spectrum.Nohup, Title: spectrum.Titles[spectrum.Nohup], Dir: "/d",
		Before: []spectrum.Snapshot{{Member: spectrum.Member{Role: "program", PID: 30}, Report: &r}},
		Checks: []spectrum.Check{{Claim: "nohup made the program ignore SIGHUP", Observed: "SIGHUP ignored (SigIgn)", Holds: true},
			{Claim: "its output goes to nohup.out", Observed: "fds 0 /dev/null, 1 /d/nohup.out", Holds: false}}}
}

// A table that fits is a table; one that doesn't is turned on its side.
func TestShowingTextGolden(t *testing.T) {
	for _, c := range []struct {
		width int
		name  string
	}{{0, "nohup-piped.txt"}, {60, "nohup-60.txt"}} {
		var b bytes.Buffer
		writeShowingText(&b, spectrumFixture(), false, c.width)
		checkGolden(t, c.name, b.Bytes())
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update creates it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}
