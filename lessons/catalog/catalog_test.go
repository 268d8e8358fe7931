package catalog

import (
	"context"
	"os"
	"strings"
	"testing"

	"dlab/content"
	"dlab/demos/lab/jobstop"
	"dlab/demos/lab/sysv"
	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
	"dlab/lessons"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.MainWithOwnState(m)) }

func TestEveryMarkerNamesARealDemo(t *testing.T) {
	ls, err := lessons.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		for _, p := range l.Parts() {
			if p.Demo != "" && !Has(p.Demo) {
				t.Errorf("%s:%d: marker names demo %q, which is not in the catalog (have: %s)", l.File, p.Line, p.Demo, strings.Join(Names(), ", "))
			}
			if p.Demo != "" && strings.TrimSpace(p.Note) == "" {
				t.Errorf("%s:%d: marker for %q has no note to show when demos don't run", l.File, p.Line, p.Demo)
			}
		}
	}
}

func TestEveryDemoIsPlacedInALesson(t *testing.T) {
	ls, err := lessons.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, l := range ls {
		for _, d := range l.Demos() {
			used[d] = true
		}
	}
	for _, n := range Names() {
		if !used[n] {
			t.Errorf("demo %q is in the catalog but no lesson places it", n)
		}
	}
}

func TestUnknownDemoIsAClearError(t *testing.T) {
	_, err := Run(context.Background(), "nosuchdemo")
	if err == nil || !strings.Contains(err.Error(), `no demo "nosuchdemo"`) {
		t.Errorf("error %v", err)
	}
}

// demoSays is what each demo's output must hold, whatever the machine: the
// observation the lesson's claim rests on. A demo's output must never
// hold one of demoNever.
var demoSays = map[string][]string{
	"compare":           {"| **Terminal** |", "none (ps shows ?)", "| *classic table* | *a controlling terminal (pts/3)* |"},
	"signals":           {"| SIGTERM | killed by SIGTERM ✓ |", "| ^C typed on the terminal | killed by SIGINT ✓ | not reached: still running ✓ |", `The classic table's row "SIGINT \| interrupts (^C) \| usually ignored" is wrong about the daemon`},
	"explain-self":      {"| dlab's verdict |", "| controlling terminal |"},
	"ps-spot":           {"kernel threads", "`dlab ps --daemons`"},
	"pstree":            {"<- the demo daemon", "<- this dlab"},
	"orphan":            {"(the subreaper)", "reaped by the subreaper, exit status 0"},
	"zombie":            {"| exited, not yet waited for | Z (zombie) |", "the PID is free again"},
	"detach":            {"| 2. first child |", "| fails: EPERM | unchanged |", "| ok | "},
	"fds":               {"| 0 stdin | /dev/pts/", "| /dev/null |", "./dlab.log"},
	"cwd-umask":         {"| / | 0027 |"},
	"jobcontrol":        {"| after ^C | nothing: still running | got SIGINT, then killed by SIGINT | nothing: still running |", "$ dlab __lesson-job bg &\n", "$ dlab __lesson-job fg\n^C\n"},
	"hangup":            {"| after the hang-up | killed by SIGHUP | still running |"},
	"nohup":             {"✓ the program survived the hang-up"},
	"setsid":            {"✓ it has no controlling terminal"},
	"pty-server":        {"✓"},
	"supervised":        {"✓"},
	"privileges":        {"tcp 127.0.0.1:"},
	"unit-file":         {"Type=forking", "systemd-analyze"},
	"logs":              {sysv.LogReloaded, sysv.LogShutdown, "removed its PID file"},
	"pkill":             {"$ pkill -f ", "(no output; exit status 1)"},
	"troubleshoot":      {"✓ PID file names the running daemon", "answered \"hello"},
	"job-stops":         {"| `dlab __read-terminal &` | off | stopped by SIGTTIN |", "| `dlab __write-terminal &` | off | wrote, then exited with status 0 |", "| `dlab __write-terminal &` | on | stopped by SIGTTOU |", "| `dlab __sleep`, then ^Z | off | stopped by SIGTSTP |", "$ " + jobstop.Written, "Stopped (tty input)", "Stopped (tty output)"},
	"stopped-jobs-exit": {"| after the shell exited | still running, terminal ? | killed by SIG", "| signals it got | SIGHUP and SIGCONT |", "| after the shell was killed | killed by SIGHUP |"},
	"tty-acquire":       {"| its controlling terminal is now pts/", "| no controlling terminal still (ps shows ?) |"},
	"sd-notify":         {"READY=1", "yes: 127.0.0.1:", "STOPPING=1", "the unit becomes active"},
	"pidfile-lock":      {"fails at once with EWOULDBLOCK", "killed by SIGKILL: no handler ran", "takes the lock at once"},
}

// demoNever are what no demo may show: a failed claim, and words a student
// can't use (issue 10): "(Go)" after a signal says how the runtime works,
// not what the program did, and "draft" names a table the lessons never show.
var demoNever = []string{"✗", "does not hold", "MISMATCH", "(Go)", "draft"}

// TestDemos runs every demo for real, checks that it shows what its lesson
// claims, and that it leaves no process of its own behind.
func TestDemos(t *testing.T) {
	marker := os.Getenv(leakcheck.Env)
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			out, err := Run(context.Background(), name)
			if err != nil {
				t.Fatal(err)
			}
			want, ok := demoSays[name]
			if !ok {
				t.Fatalf("demoSays has nothing for %s: say what its output must show", name)
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, bad := range demoNever {
				if strings.Contains(out, bad) {
					t.Errorf("output holds %q:\n%s", bad, out)
				}
			}
			if left := leakcheck.Marked(marker); len(left) > 0 {
				t.Errorf("the demo left processes running: %v", left)
			}
		})
	}
}

func TestTableEscapesPipes(t *testing.T) {
	tb := newTable("a | b", "c")
	tb.add("x|y", "")
	want := "| a \\| b | c |\n|---|---|\n| x\\|y | – |\n"
	if got := tb.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
