package workshop

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dlab/demos/core/grade"
)

// solution is the worker a student writes from the daemonize exercise's
// task and hints alone: every line of it is in them.
const solution = `#!/bin/sh
if [ "$1" != --worker ]; then setsid -f "$0" --worker "$1"; exit 0; fi
exec </dev/null >/dev/null 2>&1
umask 022
cd /
echo $$ >"$2"
trap 'rm -f "$2"; kill $! 2>/dev/null; exit 0' TERM
trap '' HUP
while :; do sleep 1 & wait $!; done
`

// TestDaemonizeExerciseIsFair: the solution built from the exercise's own
// text passes the real grader, and the text says every required item.
func TestDaemonizeExerciseIsFair(t *testing.T) {
	env := fakeEnv(nil)
	env.Dir = t.TempDir()
	text := daemonizeScript.Task(env) + "\n" + strings.Join(daemonizeScript.Hints(env), "\n")
	for _, line := range strings.Split(strings.TrimSpace(solution), "\n")[1:] {
		if !strings.Contains(text, strings.TrimSpace(line)) {
			t.Errorf("the task and hints never show %q", line)
		}
	}
	for _, want := range []string{"PID file", ".pid", "dlab workshop check ./worker.sh /tmp/worker.pid", "Required", "SIGTERM", "setsid"} {
		if !strings.Contains(text, want) {
			t.Errorf("the task and hints never say %q", want)
		}
	}

	// The harness records the worker in dlab's registry: this test's own.
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	dir := t.TempDir()
	script := filepath.Join(dir, "worker.sh")
	if err := os.WriteFile(script, []byte(solution), 0o755); err != nil {
		t.Fatal(err)
	}
	pf := filepath.Join(dir, "worker.pid")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	o, err := daemonizeScript.Check(ctx, &Env{Grade: grade.Run}, []string{script, pf})
	if err != nil {
		t.Fatal(err)
	}
	if !o.Passed {
		t.Errorf("the solution from the hints is NOT YET: %s\n%s", o.Summary, strings.Join(o.Seen, "\n"))
	}
	for _, s := range o.Seen {
		t.Logf("seen: %s", s)
	}
}

// TestDaemonizeNotYetSaysWhy: a required item the grader could not check
// is shown as a reason; "NOT YET" never comes alone.
func TestDaemonizeNotYetSaysWhy(t *testing.T) {
	env := fakeEnv(nil)
	env.Grade = func(ctx context.Context, o grade.Options) (grade.Result, error) {
		return grade.Judge(grade.Observation{Mode: grade.SysV, Command: o.Command,
			Original: &grade.Original{PID: 10, Exited: true, How: "exited with status 0"}}), nil
	}
	o, err := daemonizeScript.Check(context.Background(), env, []string{"./worker.sh", "/tmp/w.pid"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Passed || len(o.Seen) == 0 || !strings.Contains(o.Summary, ":") {
		t.Errorf("outcome %+v gives no reason", o)
	}
}
