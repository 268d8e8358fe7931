package grade

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"dlab/demos/core/inspect"
	"dlab/demos/testkit/golden"
)

// daemonObservation is what the harness sees of a daemon that does every
// SysV step; the cases below change one thing each.
func daemonObservation() Observation {
	removed := true
	return Observation{
		Mode: SysV, Command: []string{"./mydaemon.sh", "/tmp/my.pid"}, Timeout: 5 * time.Second,
		Harness: 100, Terminal: "/dev/pts/7", Caller: 110, CallerSID: 110, InheritedUmask: 0o002,
		Original:  &Original{PID: 120, Exited: true, How: "exited with status 0", After: 12 * time.Millisecond},
		Survivors: []Proc{{PID: 130, PPID: 100, PGID: 125, SID: 125, TTY: "?", Comm: "mydaemon"}},
		Daemon: &Daemon{Chosen: "named in its PID file", Verdict: inspect.Daemon, Facts: inspect.Facts{
			PID: 130, Comm: "mydaemon", PPID: 100, ParentComm: "dlab", SID: 125, PGID: 125, TTY: "?",
			FD: [3]string{"/dev/null", "/dev/null", "/dev/null"}, Cwd: "/", Umask: 0o022,
		}},
		PIDFile: &PIDFile{Path: "/tmp/my.pid", Source: "named in its arguments", Found: true, Content: "130", PID: 130, Removed: &removed},
		Hangup:  &Trial{Alive: true, Disposition: "caught"},
		SIGHUP:  &Trial{Alive: true, Disposition: "caught"},
		SIGTERM: &Trial{How: "exited with status 0", After: 3 * time.Millisecond, Disposition: "caught"},
	}
}

func TestJudgeSysV(t *testing.T) {
	tests := []struct {
		name   string
		change func(o *Observation)
		passed bool
		want   map[string]Status
	}{
		{"every step done passes without warnings", func(o *Observation) {}, true, allPass},
		{"a controlling terminal fails", func(o *Observation) { o.Daemon.Facts.TTY = "pts/7" }, false, map[string]Status{"no-ctty": Fail}},
		{"the caller's session fails and the leader check is skipped", func(o *Observation) { o.Daemon.Facts.SID = 110 }, false, map[string]Status{"new-session": Fail, "not-session-leader": Skip}},
		{"a session leader is a warning", func(o *Observation) { o.Daemon.Facts.SessionLeader = true }, true, map[string]Status{"not-session-leader": Warn}},
		{"stdout on the terminal fails", func(o *Observation) { o.Daemon.Facts.FD[1] = "/dev/pts/7" }, false, map[string]Status{"stdio": Fail}},
		{"a closed stdin is a warning", func(o *Observation) { o.Daemon.Facts.FD[0] = "" }, true, map[string]Status{"stdio": Warn}},
		{"fd 255 on the terminal is a warning", func(o *Observation) { o.Daemon.TerminalFDs = []int{255} }, true, map[string]Status{"other-fds": Warn}},
		{"another cwd is a warning", func(o *Observation) { o.Daemon.Facts.Cwd = "/home/student" }, true, map[string]Status{"cwd": Warn}},
		{"the inherited umask is a warning", func(o *Observation) { o.Daemon.Facts.Umask = 0o002 }, true, map[string]Status{"umask": Warn}},
		{"no umask shown is skipped", func(o *Observation) { o.Daemon.Facts.Umask = -1 }, true, map[string]Status{"umask": Skip}},
		{"no PID file is a warning", func(o *Observation) { o.PIDFile = &PIDFile{Searched: []string{"/run", "/tmp"}} }, true, map[string]Status{"pidfile": Warn, "pidfile-removed": Skip}},
		{"a PID file naming the original is a warning", func(o *Observation) { o.PIDFile.PID = 120 }, true, map[string]Status{"pidfile": Warn}},
		{"killed by the hang-up fails", func(o *Observation) {
			o.Hangup = &Trial{How: "killed by SIGHUP", Disposition: "default"}
			o.SIGHUP, o.SIGTERM = nil, nil
		}, false, map[string]Status{"hangup": Fail, "sighup": Skip, "sigterm": Skip}},
		{"killed by kill -HUP on a fresh start is only a warning", func(o *Observation) {
			o.SIGHUP = &Trial{How: "killed by SIGHUP", Disposition: "default", FreshPID: 150}
		}, true, map[string]Status{"sighup": Warn, "sigterm": Pass, "pidfile-removed": Pass}},
		{"SIGTERM on a fresh start is judged as any other", func(o *Observation) {
			o.SIGTERM.FreshPID = 150
		}, true, map[string]Status{"sigterm": Pass}},
		{"a fresh start that leaves no daemon skips SIGTERM and says why", func(o *Observation) {
			o.SIGTERM = &Trial{NotDone: "the trial needs a live daemon, so dlab started the program again for SIGTERM, but it left no daemon running"}
		}, false, map[string]Status{"sigterm": Skip, "pidfile-removed": Skip, "leftovers": Skip}},
		{"a PID file dlab refuses to read is a warning", func(o *Observation) {
			o.PIDFile = &PIDFile{Path: "/tmp/x.pid", Source: "given with --pidfile", Refused: "refused /tmp/x.pid: it is a named pipe (FIFO), not a regular file"}
		}, true, map[string]Status{"pidfile": Warn, "pidfile-removed": Skip}},
		{"ignoring SIGTERM fails", func(o *Observation) { o.SIGTERM = &Trial{Killed: true, After: 5 * time.Second, Disposition: "ignored"} }, false, map[string]Status{"sigterm": Fail, "pidfile-removed": Skip}},
		{"a PID file left behind is a warning", func(o *Observation) { f := false; o.PIDFile.Removed = &f }, true, map[string]Status{"pidfile-removed": Warn}},
		{"leftovers are a warning", func(o *Observation) { o.Leftovers = []Proc{{PID: 140, Comm: "sleep"}} }, true, map[string]Status{"leftovers": Warn}},
		{"a failed start status is a warning", func(o *Observation) { o.Original.ExitCode, o.Original.How = 1, "exited with status 1" }, true, map[string]Status{"exit-status": Warn}},
		{"nothing left running fails", func(o *Observation) {
			o.Daemon, o.Survivors, o.Hangup, o.SIGHUP, o.SIGTERM = nil, nil, nil, nil, nil
		}, false, map[string]Status{"survivor": Fail, "no-ctty": Skip, "sigterm": Skip}},
		{"never returning fails", func(o *Observation) {
			*o = Observation{Mode: SysV, Command: o.Command, Timeout: time.Second, Original: &Original{PID: 120, StillForeground: true, ExitCode: -1}}
		}, false, map[string]Status{"returns": Fail, "survivor": Skip}},
		{"a fork bomb fails first", func(o *Observation) {
			*o = Observation{Mode: SysV, Command: o.Command, Original: &Original{PID: 120}, ForkBomb: &ForkBomb{Max: 100, Seen: 100, LimitHit: true}}
		}, false, map[string]Status{"bounded": Fail, "returns": Skip}},
		{"an interrupted check does not pass", func(o *Observation) { o.Aborted = true }, false, nil},
	}
	for _, tt := range tests {
		tt := tt
		t.Run(tt.name, func(t *testing.T) {
			o := daemonObservation()
			tt.change(&o)
			r := Judge(o)
			expect(t, r, tt.passed, tt.want)
			// A failing verdict always gives its reason after a colon.
			if !r.Passed && !o.Aborted && !strings.Contains(strings.TrimPrefix(r.Summary, "FAIL:"), ": ") {
				t.Errorf("summary %q gives no reason", r.Summary)
			}
			for _, it := range r.Items {
				if it.Observed == "" || it.Why == "" || it.Title == "" {
					t.Errorf("item %s has an empty field: %+v", it.ID, it)
				}
			}
		})
	}
}

func TestJudgeNewStyle(t *testing.T) {
	base := func() Observation {
		return Observation{Mode: NewStyle, Command: []string{"./svc"}, Timeout: 5 * time.Second, Harness: 100,
			Original: &Original{PID: 120},
			Service:  &Service{PID: 120, Window: time.Second, Ready: true, ReadyAfter: 20 * time.Millisecond, StderrLines: 2, FirstStderr: "listening"},
			SIGTERM:  &Trial{How: "exited with status 0", After: 5 * time.Millisecond},
		}
	}
	tests := []struct {
		name   string
		change func(o *Observation)
		passed bool
		want   map[string]Status
	}{
		{"a foreground service passes", func(o *Observation) {}, true, map[string]Status{"foreground": Pass, "no-fork-away": Pass, "stderr": Pass, "ready": Pass, "sigterm": Pass}},
		{"no READY=1 is a warning", func(o *Observation) { o.Service.Ready = false }, true, map[string]Status{"ready": Warn}},
		{"stdout only is a warning", func(o *Observation) { o.Service.StderrLines, o.Service.StdoutLines = 0, 3 }, true, map[string]Status{"stderr": Warn}},
		{"forking away fails", func(o *Observation) {
			o.Service.Exited, o.Service.How = true, "exited with status 0"
			o.Service.Escaped = []Proc{{PID: 130, Comm: "svc"}}
			o.SIGTERM = nil
		}, false, map[string]Status{"foreground": Fail, "no-fork-away": Fail, "sigterm": Skip}},
		{"exiting at once fails", func(o *Observation) {
			o.Service.Exited, o.Service.How = true, "exited with status 1"
			o.SIGTERM = nil
		}, false, map[string]Status{"foreground": Fail, "no-fork-away": Pass}},
		{"ignoring SIGTERM fails", func(o *Observation) { o.SIGTERM = &Trial{Killed: true, After: 5 * time.Second} }, false, map[string]Status{"sigterm": Fail}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := base()
			tt.change(&o)
			expect(t, Judge(o), tt.passed, tt.want)
		})
	}
}

// TestTextGolden pins what a student reads, on a terminal (wrapped, in
// colour) and piped (one line per text, no escapes).
func TestTextGolden(t *testing.T) {
	noSetsid := daemonObservation()
	noSetsid.Daemon.Facts.TTY, noSetsid.Daemon.Facts.SID = "pts/7", 110
	noSetsid.Output = "starting mydaemon\n"
	noSetsid.Ended = 2
	cases := []struct {
		name string
		obs  Observation
		opt  TextOptions
	}{
		{"pass-piped", daemonObservation(), TextOptions{}},
		{"pass-terminal", daemonObservation(), TextOptions{Color: true, Width: 72}},
		{"no-setsid-piped", noSetsid, TextOptions{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Text(&b, Judge(c.obs), c.opt); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, c.name+".txt", b.Bytes())
			if !c.opt.Color && bytes.Contains(b.Bytes(), []byte("\x1b[")) {
				t.Error("escape sequences without colour")
			}
		})
	}
}

func TestJSONRoundTrips(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, Judge(daemonObservation())); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !back.Passed || len(back.Items) != len(allPass) || back.Observation.Daemon.Facts.PID != 130 {
		t.Errorf("round trip lost data: %+v", back)
	}
}

func TestPIDFileInArgs(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--pidfile", "/run/a.pid"}, "/run/a.pid"},
		{[]string{"--pid-file=/run/b"}, "/run/b"},
		{[]string{"-pidfile", "x"}, "x"},
		{[]string{"-c", "conf", "-g", "daemon on; pid /tmp/nginx.pid; error_log stderr;"}, "/tmp/nginx.pid"},
		{[]string{"/tmp/d.pid"}, "/tmp/d.pid"},
		{[]string{"--out=/var/run/x.pid"}, "/var/run/x.pid"},
		{[]string{"--port", "80"}, ""},
		{[]string{"--pidfile"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := pidFileInArgs(tt.args); got != tt.want {
			t.Errorf("pidFileInArgs(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

func FuzzPIDFileInArgs(f *testing.F) {
	f.Add("--pidfile\x00/run/a.pid")
	f.Add("-g\x00pid x;")
	f.Add("a=b.pid")
	f.Fuzz(func(t *testing.T, joined string) {
		got := pidFileInArgs(strings.Split(joined, "\x00"))
		if got != "" && !strings.Contains(joined, got) {
			t.Errorf("%q is not in the arguments %q", got, joined)
		}
	})
}

// TestTextEscapesWhatTheProgramControls: a process name and output with
// terminal escapes are shown escaped in text, and kept exact in JSON.
func TestTextEscapesWhatTheProgramControls(t *testing.T) {
	o := daemonObservation()
	evil := "\x1b[2Jx\x1b]0;T\a"
	o.Daemon.Facts.Comm = evil
	o.Output = "hello " + evil + "\n"
	r := Judge(o)
	var b bytes.Buffer
	Text(&b, r, TextOptions{Width: 100})
	if strings.ContainsAny(b.String(), "\x1b\a") {
		t.Errorf("raw control characters in the text:\n%q", b.String())
	}
	if !strings.Contains(b.String(), `\e[2Jx\e]0;T\a`) {
		t.Errorf("the name is not shown escaped:\n%s", b.String())
	}
	var j bytes.Buffer
	JSON(&j, r)
	var back Result
	if err := json.Unmarshal(j.Bytes(), &back); err != nil || back.Observation.Daemon.Facts.Comm != evil {
		t.Errorf("JSON lost the exact bytes: %v %q", err, back.Observation.Daemon.Facts.Comm)
	}
}

// TestUncheckedSaysWhoFailed: a program that can't be run is the program's
// failure; anything else that stops a check is the grader's.
func TestUncheckedSaysWhoFailed(t *testing.T) {
	opts := Options{Command: []string{"./nope"}}
	r := Unchecked(opts, Runnable("./nope", t.TempDir()))
	if r.Passed || r.GraderError || r.Error != "cannot run ./nope: no such file" || r.Summary != "FAIL: nope could not be checked: cannot run ./nope: no such file" {
		t.Errorf("not runnable: %+v", r)
	}
	r = Unchecked(opts, fmt.Errorf("%w: killed by SIGKILL", ErrHarness))
	if r.Passed || !r.GraderError || !strings.Contains(r.Summary, "killed by SIGKILL") {
		t.Errorf("grader failure: %+v", r)
	}
}
