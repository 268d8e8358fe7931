package workshop

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dlab/content"
	"dlab/demos/core/grade"
	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
	"dlab/lessons"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }

func realLessons(t *testing.T) []lessons.Lesson {
	t.Helper()
	ls, err := lessons.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// TestPlanFitsNinetyMinutes: the workshop is a 90-minute session, and every
// lesson and exercise of the plan exists.
func TestPlanFitsNinetyMinutes(t *testing.T) {
	ls := realLessons(t)
	p := NewPath(ls)
	if got := p.Minutes(); got != 90 {
		t.Errorf("the path takes %d minutes, want 90: rebalance plan.go", got)
	}
	byName := map[string]bool{}
	for _, l := range ls {
		byName[l.Name] = true
		if _, ok := plan[l.Name]; !ok {
			t.Errorf("lesson %q has no place in the plan (plan.go)", l.Name)
		}
	}
	for name, e := range plan {
		if !byName[name] {
			t.Errorf("plan.go names lesson %q, which does not exist", name)
		}
		if e.exercise != "" && exercises[e.exercise] == nil {
			t.Errorf("plan.go names exercise %q, which does not exist", e.exercise)
		}
		if len(e.prompts) == 0 {
			t.Errorf("lesson %q has no discussion prompt", name)
		}
	}
	for id, e := range exercises {
		env := &Env{Progress: &Progress{}, Dir: t.TempDir()}
		if e.ID != id || e.Title == "" || e.Answer == "" || e.Task(env) == "" || len(e.Hints(env)) == 0 || e.Check == nil {
			t.Errorf("exercise %q is incomplete", id)
		}
	}
	if p.StartsAt(1) != 0 || p.StartsAt(2) != p.Steps[0].Minutes {
		t.Errorf("StartsAt is off: %d, %d", p.StartsAt(1), p.StartsAt(2))
	}
}

func TestFindStep(t *testing.T) {
	p := NewPath(realLessons(t))
	for _, name := range []string{"1", "differences", "zombie"} {
		if _, err := p.Find(name); err != nil {
			t.Errorf("Find(%q): %v", name, err)
		}
	}
	_, err := p.Find("signls")
	if err == nil || !strings.Contains(err.Error(), `did you mean "signals"`) {
		t.Errorf("Find(signls) = %v", err)
	}
	if _, err := p.Find("99"); err == nil || !strings.Contains(err.Error(), "steps 1 to") {
		t.Errorf("Find(99) = %v", err)
	}
}

func TestProgressSurvivesARestart(t *testing.T) {
	s := Store{Path: filepath.Join(t.TempDir(), "state", "dlab", "workshop.json")}
	p, err := s.Load()
	if err != nil || !p.Started.IsZero() {
		t.Fatalf("fresh progress: %+v, %v", p, err)
	}
	p.Started = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p.Current = "signals"
	p.Step("signals").Hints = 2
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	back, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if back.Current != "signals" || back.Step("signals").Hints != 2 || !back.Started.Equal(p.Started) {
		t.Errorf("loaded %+v", back)
	}
	entries, _ := os.ReadDir(filepath.Dir(s.Path))
	if len(entries) != 1 {
		t.Errorf("temporary files left next to the progress: %v", entries)
	}
	if fi, _ := os.Stat(s.Path); fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("progress file mode %v: want it private", fi.Mode())
	}
	os.WriteFile(s.Path, []byte("{not json"), 0o600)
	if _, err := s.Load(); err == nil || !strings.Contains(err.Error(), "dlab workshop reset") {
		t.Errorf("damaged progress: %v", err)
	}
}

func TestDefaultStoreFollowsXDG(t *testing.T) {
	env := map[string]string{"HOME": "/home/ann"}
	get := func(k string) string { return env[k] }
	s, _ := DefaultStore(get)
	if s.Path != "/home/ann/.local/state/dlab/workshop.json" {
		t.Errorf("default: %s", s.Path)
	}
	env["XDG_STATE_HOME"] = "/x"
	s, _ = DefaultStore(get)
	if s.Path != "/x/dlab/workshop.json" {
		t.Errorf("XDG_STATE_HOME: %s", s.Path)
	}
}

// fakeEnv answers Explain from fixed reports.
func fakeEnv(reports map[int]inspect.Report) *Env {
	return &Env{
		FS:   proc.FS{Root: "/nonexistent"},
		Self: 999999,
		Explain: func(pid int) (inspect.Report, error) {
			r, ok := reports[pid]
			if !ok {
				return r, proc.ErrGone
			}
			return r, nil
		},
		Progress: &Progress{},
		Step:     &StepState{},
	}
}

func report(v inspect.Verdict, f inspect.Facts) inspect.Report {
	return inspect.Report{PID: f.PID, Verdict: v, Facts: f, Summary: string(v)}
}

func TestSurviveHangupSaysHowAndWhether(t *testing.T) {
	tests := []struct {
		name   string
		facts  inspect.Facts
		passed bool
		says   string
	}{
		{"a plain background job dies", inspect.Facts{PID: 10, TTY: "pts/3", Signals: map[string]string{"SIGHUP": "default"}}, false, "it would die"},
		{"nohup survives but is no daemon", inspect.Facts{PID: 10, TTY: "pts/3", Signals: map[string]string{"SIGHUP": "ignored"}}, true, "nohup"},
		{"setsid survives", inspect.Facts{PID: 10, SID: 10, TTY: "?", SessionLeader: true, Signals: map[string]string{"SIGHUP": "default"}}, true, "setsid"},
		{"a daemon survives", inspect.Facts{PID: 10, SID: 9, TTY: "?", Signals: map[string]string{"SIGHUP": "caught"}}, true, "daemon"},
		{"tmux survives", inspect.Facts{PID: 10, TTY: "pts/7", TermHolder: &inspect.Holder{PID: 5, Comm: "tmux: server"}, Signals: map[string]string{"SIGHUP": "default"}}, true, "tmux"},
		{"on your own terminal tmux does not count", inspect.Facts{PID: 10, TTY: "pts/3", TermHolder: &inspect.Holder{PID: 5, Comm: "tmux: server"}, Signals: map[string]string{"SIGHUP": "default"}}, false, "it would die"},
		{"a caught SIGHUP is not sure", inspect.Facts{PID: 10, TTY: "pts/3", Signals: map[string]string{"SIGHUP": "caught"}}, false, "depends on what its handler does"},
		{"setsid with stdio on the terminal passes with a caveat", inspect.Facts{PID: 10, SID: 10, TTY: "?", SessionLeader: true, FD: [3]string{"/dev/pts/3", "/dev/pts/3", "/dev/pts/3"}}, true, "redirect them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := inspect.Normal
			if tt.facts.TTY == "?" {
				v = inspect.Daemon
			}
			o := hangupOutcome(report(v, tt.facts), "pts/3")
			if o.Passed != tt.passed || !strings.Contains(o.Summary, tt.says) {
				t.Errorf("passed=%v %q; want %v and %q", o.Passed, o.Summary, tt.passed, tt.says)
			}
		})
	}
}

func TestPIDExercises(t *testing.T) {
	reports := map[int]inspect.Report{
		20: report(inspect.Zombie, inspect.Facts{PID: 20, State: "Z", PPID: 19, ParentComm: "sleep"}),
		21: report(inspect.Normal, inspect.Facts{PID: 21, State: "S", TTY: "pts/3"}),
		22: report(inspect.Normal, inspect.Facts{PID: 22, State: "T", TTY: "pts/3", PGID: 22, TPGID: 30}),
		23: report(inspect.Normal, inspect.Facts{PID: 23, TTY: "pts/3", FD: [3]string{"/dev/null", "/tmp/out", "/tmp/out"}}),
		24: report(inspect.Normal, inspect.Facts{PID: 24, TTY: "pts/3", FD: [3]string{"/dev/null", "/dev/pts/3", "/tmp/out"}}),
		25: report(inspect.Normal, inspect.Facts{PID: 25, Cwd: "/", Umask: 0o077}),
		26: report(inspect.Normal, inspect.Facts{PID: 26, Cwd: "/home/ann", Umask: 0o077}),
		27: report(inspect.Daemon, inspect.Facts{PID: 27, TTY: "?", Comm: "cron"}),
		28: report(inspect.KernelThread, inspect.Facts{PID: 28, TTY: "?", Comm: "kworker/0:1"}),
	}
	tests := []struct {
		exercise string
		args     []string
		passed   bool
	}{
		{"zombie", []string{"20"}, true},
		{"zombie", []string{"21"}, false},
		{"zombie", []string{"404"}, false},
		{"stopped-job", []string{"22"}, true},
		{"stopped-job", []string{"21"}, false},
		{"redirect", []string{"23"}, true},
		{"redirect", []string{"24"}, false},
		{"cwd-umask", []string{"25"}, true},
		{"cwd-umask", []string{"26"}, false},
		{"find-daemon", []string{"27"}, true},
		{"find-daemon", []string{"28"}, false},
		{"find-daemon", []string{"21"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.exercise+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			o, err := exercises[tt.exercise].Check(context.Background(), fakeEnv(reports), tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if o.Passed != tt.passed || o.Summary == "" {
				t.Errorf("passed=%v (%s), want %v", o.Passed, o.Summary, tt.passed)
			}
		})
	}
}

func TestBadAnswersAreErrors(t *testing.T) {
	env := fakeEnv(nil)
	for _, tt := range []struct {
		exercise string
		args     []string
		want     string
	}{
		{"zombie", nil, "give the PID"},
		{"zombie", []string{"abc"}, `"abc" is not a PID`},
		{"zombie", []string{"-3"}, "is not a PID"},
		{"daemonize-script", nil, "give your program"},
		{"port-owner", []string{"12"}, "daemon or a normal process"},
	} {
		_, err := exercises[tt.exercise].Check(context.Background(), env, tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %q: err %v, want %q", tt.exercise, tt.args, err, tt.want)
		}
	}
}

func TestDaemonizeScriptUsesTheGrader(t *testing.T) {
	env := fakeEnv(nil)
	var got grade.Options
	env.Grade = func(ctx context.Context, o grade.Options) (grade.Result, error) {
		got = o
		return grade.Result{Passed: false, Summary: "FAIL: worker.sh is not a SysV daemon: ...", Command: o.Command,
			Items: []grade.Item{{ID: "returns", Title: "control returns", Status: grade.Fail, Observed: "did not return"}}}, nil
	}
	o, err := daemonizeScript.Check(context.Background(), env, []string{"./worker.sh", "w.pid"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Command[0] != "./worker.sh" || o.Passed || len(o.Seen) != 1 || strings.HasPrefix(o.Summary, "FAIL") {
		t.Errorf("options %+v, outcome %+v", got, o)
	}
	env.Grade = func(ctx context.Context, o grade.Options) (grade.Result, error) {
		return grade.Result{}, errors.New("cannot run ./x")
	}
	if _, err := daemonizeScript.Check(context.Background(), env, []string{"./x"}); err == nil {
		t.Error("a grader error is not passed on")
	}
	env.Dir = t.TempDir()
	if err := daemonizeScript.Prepare(context.Background(), env); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(starterPath(env)); err != nil || fi.Mode()&0o100 == 0 {
		t.Errorf("starter script: %v %v", fi, err)
	}
}

// fixtureLessons are three lessons the plan knows, with fixed titles, so
// the golden files don't change when the lessons' wording does.
func fixtureLessons() []lessons.Lesson {
	return []lessons.Lesson{
		{Name: "differences", Title: "Daemon or normal process?", Order: 10},
		{Name: "parents", Title: "Parents, orphans and zombies", Order: 30},
		{Name: "security", Title: "Least privilege", Order: 130},
	}
}

// TestPathViewGolden pins the path as a student and an instructor see it
// piped.
func TestPathViewGolden(t *testing.T) {
	store := Store{Path: filepath.Join(t.TempDir(), "workshop.json")}
	w, err := Open(fixtureLessons(), store, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w.Now = func() time.Time { return time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC) }
	ctx := context.Background()
	if err := w.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	w.Progress.Step("differences").Done = true
	if _, err := w.Goto(ctx, "parents"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		name string
		view View
	}{{"path-student", View{}}, {"path-instructor", View{Instructor: true}}} {
		var b bytes.Buffer
		if err := w.WritePath(&b, v.view); err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("testdata", v.name+".txt"), b.Bytes())
	}
	if got := w.StatusOf(w.Path.Steps[2]); got != StatusTodo {
		t.Errorf("a step not reached yet is %s, want todo", got)
	}
}
