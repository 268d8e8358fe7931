package lessons

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dlab/demos/core/grade"
	"dlab/demos/core/proc"
)

// shBlock returns the one ```sh block of lesson name that contains marker.
func shBlock(t *testing.T, name, marker string) string {
	t.Helper()
	l, err := Find(allLessons(t), name)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, b := range codeBlocks(l) {
		if b.info == "sh" && strings.Contains(b.text, marker) {
			found = append(found, b.text)
		}
	}
	if len(found) != 1 {
		t.Fatalf("lesson %s has %d sh blocks containing %q, want 1", name, len(found), marker)
	}
	return found[0]
}

// TestDetachingRecipePassesTheGrader: the shell daemon the lesson detaching
// teaches, copied as it is, is a SysV daemon by dlab check's standard, with
// its PID file named by an argument as the lesson says.
func TestDetachingRecipePassesTheGrader(t *testing.T) {
	if testing.Short() {
		t.Skip("the grader hangs up a terminal and signals the daemon: not with -short")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "worker.sh")
	if err := os.WriteFile(script, []byte(shBlock(t, "detaching", "worker.sh PIDFILE")), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A generous timeout: on a loaded machine a shell takes its time, and a
	// script that passes returns long before it.
	r, err := grade.Run(ctx, grade.Options{Command: []string{"./worker.sh", "worker.pid"}, Dir: dir, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range r.Items {
		if it.Status == grade.Fail || it.Status == grade.Warn {
			t.Errorf("%s %s: %s", it.Status, it.Title, it.Observed)
		}
	}
	if !r.Passed {
		t.Errorf("the lesson's script does not pass: %s", r.Summary)
	}
}

// TestInitScriptStopsTheDaemonItStarts runs the SysV init script of the
// lesson service-management, with dlab and the PID file moved into a
// temporary directory: start must leave the demo daemon running, status and
// reload must find it through the PID file, and stop must end it.
func TestInitScriptStopsTheDaemonItStarts(t *testing.T) {
	ssd, err := exec.LookPath("start-stop-daemon")
	if err != nil {
		if ssd, err = exec.LookPath("/usr/sbin/start-stop-daemon"); err != nil {
			t.Skip("start-stop-daemon is not installed: install Debian's dpkg to run the lesson's init script")
		}
	}
	if testing.Short() {
		t.Skip("builds dlab and starts its demo daemon: not with -short")
	}
	dir := t.TempDir()
	dlab := filepath.Join(dir, "bin", "dlab")
	build := exec.Command("go", "build", "-o", dlab, "dlab/cmd/dlab")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build dlab: %v\n%s", err, out)
	}
	pidfile := filepath.Join(dir, "dlab-demo.pid")
	text := shBlock(t, "service-management", "start-stop-daemon")
	for _, v := range []struct{ name, value string }{{"DLAB", dlab}, {"PIDFILE", pidfile}} {
		re := regexp.MustCompile(`(?m)^` + v.name + `=.*$`)
		if !re.MatchString(text) {
			t.Fatalf("the init script sets no %s=", v.name)
		}
		text = re.ReplaceAllString(text, v.name+"="+v.value)
	}
	script := filepath.Join(dir, "dlab-demo")
	if err := os.WriteFile(script, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(action string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "sh", script, action)
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(ssd)+":"+os.Getenv("PATH"),
			"XDG_RUNTIME_DIR="+dir, "XDG_STATE_HOME="+dir)
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}

	if out, err := run("start"); err != nil {
		t.Fatalf("start: %v\n%s", err, out)
	}
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatalf("start left no PID file the script can read: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("PID file holds %q", b)
	}
	st, err := proc.Live().Stat(pid)
	if err != nil || st.State == 'Z' {
		t.Fatalf("the daemon %d named by the PID file is not running: %v", pid, err)
	}
	stopped := false
	defer func() {
		if !stopped {
			run("stop")
		}
	}()
	if out, _ := run("status"); out != "running" {
		t.Errorf("status after start says %q, want running", out)
	}
	if out, err := run("reload"); err != nil {
		t.Errorf("reload: %v\n%s", err, out)
	}
	if out, err := run("stop"); err != nil {
		t.Fatalf("stop: %v\n%s", err, out)
	}
	stopped = true
	if st, err := proc.Live().Stat(pid); err == nil && st.State != 'Z' {
		t.Errorf("stop returned, but the daemon %d is still running (state %c)", pid, st.State)
	} else if err != nil && !errors.Is(err, proc.ErrGone) {
		t.Errorf("cannot read the daemon %d after stop: %v", pid, err)
	}
	if out, _ := run("status"); out != "stopped" {
		t.Errorf("status after stop says %q, want stopped", out)
	}
}
