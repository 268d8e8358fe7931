package compare

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dlab/demos/core/inspect"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixture is a normal process and a daemon as the inspector reports them.
func fixture() Result {
	yes, no := true, false
	nf := inspect.Facts{PID: 200, Comm: "dlab", PPID: 190, ParentComm: "dlab", SID: 190, SessionComm: "dlab", PGID: 200, TPGID: 200,
		TTY: "pts/3", Foreground: true, FD: [3]string{"/dev/pts/3", "/dev/pts/3", "/dev/pts/3"}, Cwd: "/home/ann", Umask: 0o022,
		UID: 1000, User: "ann", Signals: map[string]string{"SIGHUP": "caught", "SIGINT": "caught", "SIGTERM": "caught"}, GoHint: "go"}
	df := inspect.Facts{PID: 310, Comm: "dlab", PPID: 1, ParentComm: "process_api", SID: 305, PGID: 305, TPGID: -1,
		TTY: "?", FD: [3]string{"/dev/null", "/dev/null", "/dev/null"}, Cwd: "/", Umask: 0o027,
		UID: 1000, User: "ann", Signals: map[string]string{"SIGHUP": "caught", "SIGINT": "default", "SIGTERM": "caught"}}
	nr := inspect.Report{PID: 200, Verdict: inspect.Normal, Facts: nf, Summary: "a normal process", Evidence: []inspect.Row{
		{Aspect: "startup", Observed: "no login recorded (loginuid unset)", Source: "/proc/200/loginuid"},
		{Aspect: "start time", Observed: "5m00s after boot, running for 0.1 s", Source: "/proc/200/stat field 22"},
		{Aspect: "terminal", Observed: "pts/3", DaemonLike: &no, Source: "/proc/200/stat field 7 tty_nr = 34819"},
		{Aspect: "parent", Observed: "dlab (PID 190)", DaemonLike: &no},
		{Aspect: "lifecycle", Observed: "bound to pts/3's session", DaemonLike: &no},
		{Aspect: "purpose", Observed: "interactive: reads its terminal in the foreground", DaemonLike: &no},
		{Aspect: "naming", Observed: `"dlab"`},
		{Aspect: "privileges", Observed: "ann (uid 1000)", DaemonLike: &no},
	}}
	dr := inspect.Report{PID: 310, Verdict: inspect.Daemon, Facts: df, Summary: "a daemon", Evidence: []inspect.Row{
		{Aspect: "startup", Observed: "no login recorded (loginuid unset)"},
		{Aspect: "start time", Observed: "5m00s after boot, running for 0.1 s"},
		{Aspect: "terminal", Observed: "none (ps shows ?)", DaemonLike: &yes},
		{Aspect: "parent", Observed: "process_api (PID 1)", DaemonLike: &yes},
		{Aspect: "lifecycle", Observed: "nothing ties it to a terminal or a login", DaemonLike: &yes},
		{Aspect: "purpose", Observed: "serves: listens on tcp 127.0.0.1:40000", DaemonLike: &yes},
		{Aspect: "naming", Observed: `"dlab"`},
		{Aspect: "privileges", Observed: "ann (uid 1000)", DaemonLike: &no},
	}}
	r := Result{Normal: nr, Daemon: dr, Reaper: ReaperOf(df)}
	for i, ev := range Events {
		r.Experiments = append(r.Experiments,
			newExperiment(ev, NormalProcess, 200+i, "how", "default", asExpected(NormalProcess, ev)),
			newExperiment(ev, SysVDaemon, 300+i, "how", "caught", asExpected(SysVDaemon, ev)))
	}
	r.Rows = Table(nr, dr, r.Experiments)
	return r
}

// asExpected is an observation that is exactly what the lesson expects.
func asExpected(t Target, ev Event) Observation {
	e := Expected(t, ev)
	return Observation{Outcome: e.Outcome, Signal: e.Signal, Text: e.Text}
}

func TestTableHasEveryClassicRowAndEveryFact(t *testing.T) {
	r := fixture()
	want := []string{"Startup", "Terminal", "Parent", "Lifecycle", "Purpose", "Naming", "Privileges",
		"verdict", "PID", "PPID", "SID", "PGID", "TPGID",
		"TTY", "fd 0", "fd 1", "fd 2", "cwd", "umask", "user", "SIGHUP", "SIGINT", "SIGTERM"}
	if len(r.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(r.Rows), len(want))
	}
	for i, w := range want {
		if r.Rows[i].Aspect != w {
			t.Errorf("row %d is %q, want %q", i, r.Rows[i].Aspect, w)
		}
	}
	cells := map[string][2]string{}
	for _, row := range r.Rows {
		cells[row.Aspect] = [2]string{row.Normal.Observed, row.Daemon.Observed}
	}
	for aspect, want := range map[string][2]string{
		"Startup":  {"no login recorded (loginuid unset); 5m00s after boot, running for 0.1 s", "no login recorded (loginuid unset); 5m00s after boot, running for 0.1 s"},
		"Terminal": {"pts/3", "none (ps shows ?)"},
		"PPID":     {"190 (parent: dlab)", "1 (parent: process_api)"},
		"SID":      {"190 (session: its leader dlab)", "305 (session: its leader has exited)"},
		"TPGID":    {"200 (the terminal's foreground group is its own)", "-1 (no terminal, so no foreground group)"},
		"umask":    {"0022", "0027"},
		"SIGHUP":   {"not handled: killed by SIGHUP", "handled: it kept running (reloaded its configuration)"},
		"SIGINT":   {"not handled: killed by SIGINT", "not handled: killed by SIGINT"},
		"SIGTERM":  {"not handled: killed by SIGTERM", "handled: it exited cleanly"},
		"verdict":  {"normal", "daemon"},
	} {
		if cells[aspect] != want {
			t.Errorf("%s: %q, want %q", aspect, cells[aspect], want)
		}
	}
	if r.Rows[1].Classic == nil || r.Rows[1].Classic.Daemon != "no controlling terminal (? in ps)" {
		t.Errorf("Terminal row's classic table: %+v", r.Rows[1].Classic)
	}
}

// Without the experiments, the signal rows say what /proc says, in the
// words of ps; nothing about the program's runtime.
func TestSignalRowsWithoutExperimentsAreTheDispositions(t *testing.T) {
	r := fixture()
	cells := map[string][2]string{}
	for _, row := range Table(r.Normal, r.Daemon, nil) {
		cells[row.Aspect] = [2]string{row.Normal.Observed, row.Daemon.Observed}
	}
	for aspect, want := range map[string][2]string{
		"SIGHUP": {"caught", "caught"},
		"SIGINT": {"caught", "default"},
	} {
		if cells[aspect] != want {
			t.Errorf("%s: %q, want %q", aspect, cells[aspect], want)
		}
	}
}

func TestReaperSaysWhichProcessAdoptedTheDaemon(t *testing.T) {
	for _, c := range []struct {
		f    inspect.Facts
		want string
	}{
		{inspect.Facts{PPID: 1, ParentComm: "process_api"}, "PID 1 (process_api), this machine's init, not systemd"},
		{inspect.Facts{PPID: 1, ParentComm: "systemd"}, "PID 1 (systemd), the init system"},
		{inspect.Facts{PPID: 812, ParentComm: "tini"}, "PID 812 (tini), a subreaper"},
	} {
		if got := ReaperOf(c.f); !strings.HasPrefix(got, c.want) {
			t.Errorf("parent %d (%s): %q, want %q...", c.f.PPID, c.f.ParentComm, got, c.want)
		}
	}
}

func TestMatches(t *testing.T) {
	killedINT := Expectation{Outcome: Killed, Signal: "SIGINT"}
	for _, c := range []struct {
		e    Expectation
		o    Observation
		want bool
	}{
		{killedINT, Observation{Outcome: Killed, Signal: "SIGINT"}, true},
		{killedINT, Observation{Outcome: Killed, Signal: "SIGTERM"}, false},
		{killedINT, Observation{Outcome: Killed}, false},
		{killedINT, Observation{Outcome: NoReaction}, false},
		{Expectation{Outcome: Reloaded}, Observation{Outcome: Reloaded}, true},
		{Expectation{Outcome: StillRunning}, Observation{Outcome: Ignored}, false},
	} {
		if got := Matches(c.e, c.o); got != c.want {
			t.Errorf("Matches(%+v, %+v) = %v", c.e, c.o, got)
		}
	}
}

func TestObservedKilledReadsAWaitStatus(t *testing.T) {
	for how, want := range map[string][2]string{
		"killed by SIGINT":                {"killed", "SIGINT"},
		"killed by SIGQUIT (core dumped)": {"killed", "SIGQUIT"},
		"exited with status 0":            {"exited", ""},
	} {
		out, sig := observedKilled(how)
		if string(out) != want[0] || sig != want[1] {
			t.Errorf("%q: %s %q, want %v", how, out, sig, want)
		}
	}
}

// The lesson's expectation for every experiment exists, with a reason.
func TestEveryExperimentHasAnExpectation(t *testing.T) {
	for _, target := range []Target{NormalProcess, SysVDaemon} {
		for _, ev := range Events {
			e := Expected(target, ev)
			if e.Outcome == "" || e.Text == "" || e.Why == "" {
				t.Errorf("%s, %s: %+v", target, ev, e)
			}
		}
	}
}

// A deliberately wrong expectation is shown as a mismatch, in every output,
// never hidden.
func TestAWrongExpectationIsShownAsAMismatch(t *testing.T) {
	r := fixture()
	// The classic table's claim: SIGINT is "usually ignored" by a daemon.
	wrong := Expectation{Outcome: Ignored, Text: "usually ignored (the classic table)", Why: "the classic table says so"}
	i := 2*2 + 1 // SIGINT on the daemon
	r.Experiments[i].Expected = wrong
	r.Experiments[i].Observed = Observation{Outcome: Killed, Signal: "SIGINT", Text: "killed by SIGINT, no clean shutdown",
		Evidence: []string{"killed by SIGINT, read from /proc/310/stat field 52"}}
	r.Experiments[i].Match = Matches(wrong, r.Experiments[i].Observed)
	if r.Experiments[i].Match {
		t.Fatal("a killed daemon matched \"ignored\"")
	}
	if r.Experiments.Mismatches() != 1 {
		t.Errorf("%d mismatches, want 1", r.Experiments.Mismatches())
	}
	md := r.Markdown()
	if !strings.Contains(md, "| SIGINT | daemon (PID 302) | ~~usually ignored~~ | usually ignored (the classic table) | killed by SIGINT, no clean shutdown | ✗ MISMATCH |") {
		t.Errorf("the mismatch is not in the Markdown:\n%s", md)
	}
	if !strings.Contains(md, "**1 mismatch(es)**") {
		t.Error("the Markdown does not count the mismatch")
	}
}

func TestGolden(t *testing.T) {
	r := fixture()
	golden(t, "compare.md", []byte(r.Markdown()))
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
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}
