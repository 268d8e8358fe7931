package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dlab/demos/core/proc"
	"dlab/demos/testkit/golden"
)

// host is a fixture /proc of a Debian machine with systemd (see
// testdata/README.md for who is who).
var host = proc.FS{Root: "testdata/proc"}

var hostNames = MapNames{
	Users:  map[int]string{0: "root", 33: "www-data", 998: "goservice", 1000: "student"},
	Groups: map[int]string{0: "root", 33: "www-data", 998: "goservice", 1000: "student"},
}

func explainFixture(t *testing.T, pid int) Report {
	t.Helper()
	f, err := GatherWith(host, pid, Options{Names: hostNames})
	if err != nil {
		t.Fatalf("PID %d: %v", pid, err)
	}
	return Judge(f)
}

func TestFixtureVerdicts(t *testing.T) {
	for _, c := range []struct {
		pid     int
		verdict Verdict
		mixed   bool
		what    string
	}{
		{1, Daemon, false, "systemd as PID 1"},
		{2, KernelThread, false, "kthreadd"},
		{3, KernelThread, false, "a kworker"},
		{400, Daemon, false, "sshd, a systemd service and session leader"},
		{420, Daemon, false, "cron"},
		{600, Daemon, true, "sshd's per-login child: no terminal, but a login"},
		{700, Normal, false, "a login shell on pts/0"},
		{701, Normal, false, "sleep in the foreground of pts/0"},
		{702, Normal, true, "a nohup job: SIGHUP ignored, output to nohup.out"},
		{703, Daemon, true, "setsid sleep that kept the terminal's fds"},
		{800, Daemon, false, "the nginx master"},
		{801, Daemon, false, "an nginx worker"},
		{850, Daemon, false, "a command name with parentheses"},
		{900, Zombie, false, "a zombie"},
		{950, Daemon, true, "the tmux server, started from a login"},
		{951, Normal, true, "a shell in a tmux pane"},
		{960, Daemon, false, "a Go service under systemd"},
		{971, Normal, false, "cron's child running a job"},
		{972, Normal, false, "a cron job: pipes to a parent that waits"},
		{990, Daemon, false, "an old kernel without Umask, a dangling fd link"},
	} {
		r := explainFixture(t, c.pid)
		if r.Verdict != c.verdict || r.Mixed != c.mixed {
			t.Errorf("%s (PID %d): verdict %s mixed %v, want %s mixed %v\n%s", c.what, c.pid, r.Verdict, r.Mixed, c.verdict, c.mixed, r.Summary)
		}
		if len(r.Evidence) == 0 || len(r.Predictions) < 4 {
			t.Errorf("PID %d: %d rows, %d predictions", c.pid, len(r.Evidence), len(r.Predictions))
		}
		for _, row := range r.Evidence {
			if row.Aspect == "" || row.Observed == "" || row.Source == "" || row.Why == "" {
				t.Errorf("PID %d: incomplete row %+v", c.pid, row)
			}
		}
	}
}

// Every aspect of the classic comparison table, and the facts under them, is
// a row of a process's evidence.
func TestEvidenceCoversTheClassicTable(t *testing.T) {
	r := explainFixture(t, 701)
	have := map[string]bool{}
	for _, row := range r.Evidence {
		have[row.Aspect] = true
	}
	for _, a := range []string{"startup", "terminal", "parent", "lifecycle", "purpose", "naming", "privileges",
		"session", "process group", "fd 0 (stdin)", "fd 1 (stdout)", "fd 2 (stderr)", "working directory", "umask",
		"SIGHUP", "SIGTERM", "SIGINT", "ancestry", "cgroup", "listening sockets", "capabilities", "start time"} {
		if !have[a] {
			t.Errorf("no %q row", a)
		}
	}
	events := map[string]bool{}
	for _, p := range r.Predictions {
		events[p.Event] = true
	}
	for _, e := range []string{EventTerminalCloses, EventLogout, EventParentExits, EventHUP} {
		if !events[e] {
			t.Errorf("no prediction for %q", e)
		}
	}
}

func row(t *testing.T, r Report, aspect string) Row {
	t.Helper()
	for _, row := range r.Evidence {
		if row.Aspect == aspect {
			return row
		}
	}
	t.Fatalf("PID %d has no %q row", r.PID, aspect)
	return Row{}
}

func prediction(t *testing.T, r Report, event string) Prediction {
	t.Helper()
	for _, p := range r.Predictions {
		if p.Event == event {
			return p
		}
	}
	t.Fatalf("PID %d has no %q prediction", r.PID, event)
	return Prediction{}
}

func TestRowsNameTheirSourceWithTheValueRead(t *testing.T) {
	r := explainFixture(t, 702)
	for aspect, source := range map[string]string{
		"terminal":      "/proc/702/stat field 7 tty_nr = 34816",
		"session":       "/proc/702/stat field 6 session = 700",
		"SIGHUP":        "/proc/702/status SigIgn 0000000000000001, SigCgt 0000000000000000 (bit 0 = signal 1)",
		"fd 1 (stdout)": "/proc/702/fd/1 -> /home/student/nohup.out",
		"umask":         "/proc/702/status Umask 0022",
	} {
		if got := row(t, r, aspect).Source; got != source {
			t.Errorf("%s: source %q, want %q", aspect, got, source)
		}
	}
	if raw := row(t, r, "SIGHUP").Raw; !strings.Contains(raw, "SigIgn:\t0000000000000001") {
		t.Errorf("SIGHUP raw %q lacks the SigIgn line", raw)
	}
	if got := row(t, r, "SIGHUP").Observed; got != "ignored" {
		t.Errorf("SIGHUP observed %q", got)
	}
}

func TestPredictionsFollowTheEvidence(t *testing.T) {
	for _, c := range []struct {
		pid      int
		event    string
		contains string
	}{
		{701, EventTerminalCloses, "it terminates"},
		{702, EventTerminalCloses, "nothing (it ignores SIGHUP)"},
		{703, EventTerminalCloses, "no SIGHUP, but its I/O to that terminal starts failing"},
		{951, EventTerminalCloses, "tmux: server (PID 950) holds pts/1"},
		{800, EventTerminalCloses, "nothing (it has no controlling terminal"},
		{701, EventLogout, "KillUserProcesses=yes"},
		{800, EventLogout, "nothing"},
		{701, EventParentExits, "the kernel sends SIGHUP to the foreground group, this one: it terminates"},
		{971, EventParentExits, "PID 1 (systemd) becomes its parent"},
		{701, EventCtrlC, "it terminates"},
		{702, EventCtrlC, "nothing (it is a background job)"},
		{800, EventHUP, "rereads its configuration"},
		{960, EventHUP, "the Go runtime catches SIGHUP"},
		{900, EventParentExits, "adopted by PID 1 (systemd) and reaped"},
	} {
		p := prediction(t, explainFixture(t, c.pid), c.event)
		if !strings.Contains(p.Outcome, c.contains) {
			t.Errorf("PID %d on %q: %q lacks %q", c.pid, c.event, p.Outcome, c.contains)
		}
	}
}

func TestTerminalHolderIsConfirmedInFdinfo(t *testing.T) {
	r := explainFixture(t, 951)
	if h := r.Facts.TermHolder; h == nil || h.PID != 950 || !h.Confirmed {
		t.Errorf("holder %+v, want tmux server 950 confirmed", h)
	}
	r = explainFixture(t, 701)
	if h := r.Facts.TermHolder; h == nil || h.PID != 600 || !h.Confirmed {
		t.Errorf("holder %+v, want sshd 600 confirmed", h)
	}
}

func TestGoProgramSignalRowsSayTheRuntimeCatches(t *testing.T) {
	r := explainFixture(t, 960)
	if r.Facts.GoHint == "" {
		t.Fatal("the Go service was not recognised")
	}
	if got := row(t, r, "SIGHUP").Observed; got != "caught (by the Go runtime)" {
		t.Errorf("SIGHUP observed %q", got)
	}
	if why := row(t, r, "signal masks").Why; !strings.Contains(why, "says nothing about which signals the program itself handles") {
		t.Errorf("signal masks why: %q", why)
	}
}

func TestMalformedStatIsAnErrorNamingTheFile(t *testing.T) {
	_, err := GatherWith(host, 980, Options{Names: hostNames})
	if err == nil || !strings.Contains(err.Error(), "testdata/proc/980/stat") {
		t.Errorf("err = %v", err)
	}
	_, err = GatherWith(host, 12345, Options{Names: hostNames})
	if !errors.Is(err, proc.ErrGone) {
		t.Errorf("missing process: %v", err)
	}
	if _, err := GatherWith(host, 0, Options{Names: hostNames}); err == nil {
		t.Error("PID 0 accepted")
	}
}

func TestListenerOnFindsTheMaster(t *testing.T) {
	owner, err := ListenerOn(host, 80)
	if err != nil {
		t.Fatal(err)
	}
	if owner.PID != 800 || len(owner.Holders) != 2 {
		t.Errorf("port 80: %+v, want master 800 among holders 800, 801", owner)
	}
	if owner, err := ListenerOn(host, 22); err != nil || owner.PID != 400 {
		t.Errorf("port 22: %+v, %v", owner, err)
	}
	if _, err := ListenerOn(host, 9); !errors.Is(err, ErrNoListener) {
		t.Errorf("port 9: %v", err)
	}
	if _, err := ListenerOn(host, 70000); err == nil {
		t.Error("port 70000 accepted")
	}
}

func TestDescendantsOfTheLoginShell(t *testing.T) {
	root, err := Descendants(host, 700)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	root.Walk(func(n *Node) { got = append(got, strconv.Itoa(n.PID)+":"+string(n.Verdict)) })
	if want := "700:normal 701:normal 702:normal 900:zombie"; strings.Join(got, " ") != want {
		t.Errorf("descendants %v, want %s", got, want)
	}
}

func TestAncestryStopsAtAReusedPID(t *testing.T) {
	dir := t.TempDir()
	write := func(pid, ppid int, start uint64) {
		line := strconv.Itoa(pid) + " (p" + strconv.Itoa(pid) + ") S " + strconv.Itoa(ppid) + " 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " +
			strconv.FormatUint(start, 10) + " 0 0\n"
		os.MkdirAll(filepath.Join(dir, strconv.Itoa(pid)), 0o755)
		os.WriteFile(filepath.Join(dir, strconv.Itoa(pid), "stat"), []byte(line), 0o644)
	}
	write(1, 0, 1)
	write(10, 1, 500) // started after its "child": PID 10 was reused
	write(20, 10, 100)
	st, _ := proc.FS{Root: dir}.Stat(20)
	if chain := Ancestry(proc.FS{Root: dir}, st); len(chain) != 0 {
		t.Errorf("a reused PID joined the chain: %+v", chain)
	}
	write(10, 1, 50)
	if chain := Ancestry(proc.FS{Root: dir}, st); len(chain) != 2 || chain[1].PID != 1 {
		t.Errorf("chain %+v, want 10, 1", chain)
	}
}

func TestListReportsWhatItCannotRead(t *testing.T) {
	l, err := List(host, hostNames)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Errors) != 1 || !strings.Contains(l.Errors[0].Error(), "980/stat") {
		t.Errorf("errors %v, want the truncated stat of 980", l.Errors)
	}
	counts := map[Verdict]int{}
	for _, p := range l.Processes {
		counts[p.Verdict]++
		if got := explainFixture(t, p.PID).Verdict; got != p.Verdict {
			t.Errorf("PID %d: ps says %s, explain says %s", p.PID, p.Verdict, got)
		}
	}
	if counts[KernelThread] != 2 || counts[Zombie] != 1 || counts[Normal] != 6 {
		t.Errorf("counts %v", counts)
	}
}

func TestGoldenReports(t *testing.T) {
	pids, _ := host.PIDs()
	for _, pid := range pids {
		if pid == 980 {
			continue
		}
		r := explainFixture(t, pid)
		var text bytes.Buffer
		if err := r.WriteText(&text, RenderOptions{Width: 100, Raw: true}); err != nil {
			t.Fatal(err)
		}
		js, _ := json.MarshalIndent(r, "", "  ")
		golden.Check(t, strconv.Itoa(pid)+".txt", text.Bytes())
		golden.Check(t, strconv.Itoa(pid)+".json", append(js, '\n'))
		golden.Check(t, strconv.Itoa(pid)+".md", []byte(r.Markdown(RenderOptions{})))
	}
	l, _ := List(host, hostNames)
	for i := range l.Processes {
		// dlab ps takes the owner of /proc/PID/stat, which in a fixture is
		// whoever checked the files out: show the owner the fixture means.
		st, _ := host.Status(l.Processes[i].PID)
		l.Processes[i].UID = st.UID[1]
		l.Processes[i].User = hostNames.User(st.UID[1])
	}
	var table bytes.Buffer
	WriteTable(&table, l.Processes)
	golden.Check(t, "ps.txt", table.Bytes())
}
