package lessons

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// unitBlocks are the unit files a lesson shows: ```ini or ```systemd blocks
// with a [Unit] or [Service] section.
func unitBlocks(ls []Lesson) []codeBlock {
	var us []codeBlock
	for _, l := range ls {
		for _, b := range codeBlocks(l) {
			if (b.info == "ini" || b.info == "systemd") && (strings.Contains(b.text, "[Unit]") || strings.Contains(b.text, "[Service]")) {
				us = append(us, b)
			}
		}
	}
	return us
}

// runnable makes a unit shown in a lesson checkable on this machine without
// changing what it teaches: each ExecStart= runs script (the lesson's
// programs, /usr/local/bin/myservice, don't exist here), and a [Service]
// fragment without one gets it, as systemd wants an ExecStart=.
func runnable(unit, script string) string {
	var out []string
	hasExec := false
	for _, line := range strings.Split(strings.TrimRight(unit, "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "ExecStart="); ok {
			hasExec = true
			_, args, _ := strings.Cut(rest, " ")
			line = strings.TrimSpace("ExecStart=" + script + " " + args)
		}
		out = append(out, line)
	}
	if !hasExec && strings.Contains(unit, "[Service]") {
		for i, line := range out {
			if line == "[Service]" {
				out = append(out[:i+1], append([]string{"ExecStart=" + script}, out[i+1:]...)...)
				break
			}
		}
	}
	return strings.Join(out, "\n") + "\n"
}

// unitComplaints are the words of systemd-analyze for a line it could not
// use: it carries on without the line, and so would a service started from
// the copied unit.
var unitComplaints = []string{"Failed to parse", "Unknown key", "Unknown section", "ignoring"}

func TestRunnable(t *testing.T) {
	got := runnable("[Service]\nUser=app\n", "/t/s")
	if got != "[Service]\nExecStart=/t/s\nUser=app\n" {
		t.Errorf("fragment: %q", got)
	}
	got = runnable("[Service]\nExecStart=/usr/local/bin/x --flag\nRestart=always\n", "/t/s")
	if got != "[Service]\nExecStart=/t/s --flag\nRestart=always\n" {
		t.Errorf("ExecStart: %q", got)
	}
}

// TestUnitFilesInLessonsPassVerify is the proof that a student who copies a
// unit from a lesson gets what the lesson says: systemd's own parser reads
// every one and complains about no line.
func TestUnitFilesInLessonsPassVerify(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze is not installed: install Debian's systemd package to check the lessons' unit files")
	}
	units := unitBlocks(allLessons(t))
	if len(units) < 3 {
		t.Fatalf("found %d unit files in the lessons, want at least the supervision and security ones", len(units))
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "service.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec sleep 1000\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i, u := range units {
		name := fmt.Sprintf("%s-%d.service", u.lesson, i)
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(runnable(u.text, script)), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "systemd-analyze", "verify", path)
			cmd.Env = append(os.Environ(), "SYSTEMD_LOG_COLOR=0", "SYSTEMD_PAGER=")
			out, err := cmd.CombinedOutput()
			if ctx.Err() != nil {
				t.Fatalf("systemd-analyze verify did not finish: %v", ctx.Err())
			}
			for _, line := range strings.Split(string(out), "\n") {
				for _, c := range unitComplaints {
					if strings.Contains(line, c) {
						t.Errorf("the unit at %s line %d: systemd-analyze verify says: %s", u.lesson, u.line, line)
						break
					}
				}
			}
			if err != nil {
				t.Errorf("the unit at %s line %d: systemd-analyze verify failed: %v\n%s", u.lesson, u.line, err, out)
			}
		})
	}
}
