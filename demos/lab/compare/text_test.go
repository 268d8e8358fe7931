package compare

import (
	"bytes"
	"strings"
	"testing"

	"dlab/demos/core/inspect"
	"dlab/demos/text/wrap"
)

// The text table marks an inconclusive experiment as such (yellow on a
// colour terminal), shows its evidence, says what to do, and calls it no
// mismatch.
func TestTextMarksAnInconclusiveExperiment(t *testing.T) {
	e := newExperiment(SendHUP, NormalProcess, 42, "kill -HUP 42", "default",
		Observation{Outcome: Inconclusive, Text: "inconclusive: the machine was too busy (load 85.0 on 2 CPUs; waited 30s)",
			Evidence: []string{"it did not exit within 30s", "a zombie (state Z)"}})
	ok := newExperiment(SendHUP, SysVDaemon, 43, "kill -HUP 43", "caught", Observation{Outcome: Reloaded, Text: "reloaded"})
	es := Experiments{e, ok}
	var plain, colour bytes.Buffer
	es.WriteText(&plain, false, 0)
	es.WriteText(&colour, true, 0)
	out := plain.String()
	for _, want := range []string{"? inconclusive", "  - a zombie (state Z)", "1 inconclusive: the machine was too busy", "run dlab demo compare again"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "MISMATCH") || strings.Contains(out, "mismatch(es)") {
		t.Errorf("an inconclusive experiment shown as a mismatch:\n%s", out)
	}
	if !strings.Contains(colour.String(), "\x1b[33m? inconclusive\x1b[0m") {
		t.Errorf("no yellow mark on a colour terminal:\n%q", colour.String())
	}
}

// textFixture is a comparison as the inspector would report it, with
// one experiment contradicting the lesson.
func textFixture() Result {
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
	r := Result{Normal: nr, Daemon: dr, Reaper: ReaperOf(dr.Facts)}
	for i, ev := range Events {
		for j, target := range []Target{NormalProcess, SysVDaemon} {
			o := asExpected(target, ev)
			if ev == SendINT && target == SysVDaemon {
				// The daemon ignored SIGINT: not what the lesson expects.
				o = Observation{Outcome: Ignored, Text: "ignored: still running",
					Evidence: []string{"SigIgn had it before it was sent", "running (state S), not exiting, no signal pending"}}
			}
			r.Experiments = append(r.Experiments, newExperiment(ev, target, 400+10*i+j, "how", "", o))
		}
	}
	r.Rows = Table(nr, dr, r.Experiments)
	return r
}

func TestCompareTextGolden(t *testing.T) {
	for _, width := range []int{0, 80} {
		var b bytes.Buffer
		textFixture().WriteText(&b, false, width)
		name := "compare-piped.txt"
		if width > 0 {
			name = "compare-80.txt"
			for _, l := range strings.Split(b.String(), "\n") {
				if wrap.Width(l) > width {
					t.Errorf("line wider than %d: %q", width, l)
				}
			}
		}
		golden(t, name, b.Bytes())
		if !strings.Contains(b.String(), "✗ MISMATCH") || !strings.Contains(b.String(), "1 mismatch(es)") {
			t.Errorf("the mismatch is not shown:\n%s", b.String())
		}
	}
}

func TestColourOnlyOnATerminal(t *testing.T) {
	var plain, colour bytes.Buffer
	textFixture().WriteText(&plain, false, 80)
	textFixture().WriteText(&colour, true, 80)
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("escape codes without colour")
	}
	if !strings.Contains(colour.String(), "\x1b[31m✗ MISMATCH\x1b[0m") {
		t.Error("no red mismatch with colour")
	}
}
