package catalog

import (
	"context"
	"os"
	"strings"
	"testing"

	"dlab/content"
	"dlab/demos/leakcheck"
	"dlab/demos/reexec"
	"dlab/lessons"
)

func TestMain(m *testing.M) {
	reexec.Dispatch()
	// Under -race every process sleeps a second at exit (the race
	// detector's atexit_sleep_ms) unless told not to; the demos start many
	// short-lived helpers.
	if os.Getenv("GORACE") == "" {
		os.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	// The demos record what they start in the user's registry: keep the
	// tests' records out of the real one.
	state, err := os.MkdirTemp("", "dlab-catalog-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_RUNTIME_DIR", state)
	os.Setenv("XDG_STATE_HOME", state)
	code := leakcheck.Main(m)
	os.RemoveAll(state)
	os.Exit(code)
}

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

// TestDemos runs every demo for real and checks it says something and
// leaves no process of its own behind.
func TestDemos(t *testing.T) {
	marker := os.Getenv(leakcheck.Env)
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			out, err := Run(context.Background(), name)
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(out) == "" {
				t.Error("the demo returned no Markdown")
			}
			if left := leakcheck.Marked(marker); len(left) > 0 {
				t.Errorf("the demo left processes running: %v", left)
			}
		})
	}
}

func TestSetsidIsRefusedToAGroupLeader(t *testing.T) {
	leader, err := trySetsid(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if leader["setsid"] != "EPERM" || leader["pid"] != leader["pgid"] {
		t.Errorf("group leader: %v, want setsid=EPERM with pid == pgid", leader)
	}
	member, err := trySetsid(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if member["setsid"] != "ok" || member["new-sid"] != member["pid"] || member["new-pgid"] != member["pid"] {
		t.Errorf("non-leader: %v, want setsid=ok with a session and group numbered after itself", member)
	}
}

func TestOrphanIsAdoptedBySubreaper(t *testing.T) {
	out, err := orphanDemo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(the subreaper)", "reaped by the subreaper, exit status 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestZombieIsSeenAndReaped(t *testing.T) {
	out, err := zombieDemo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| exited, not yet waited for | Z (zombie) |", "the PID is free again"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestTableEscapesPipes(t *testing.T) {
	tb := newTable("a | b", "c")
	tb.add("x|y", "")
	want := "| a \\| b | c |\n| --- | --- |\n| x\\|y | – |\n"
	if got := tb.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
