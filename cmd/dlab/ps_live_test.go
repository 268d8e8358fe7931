package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"dlab/cmd/dlab/iostreams"
	"dlab/demos/core/inspect"
	"dlab/demos/core/proc"
	"dlab/demos/launch/reexec"
)

const roleDropRoot = "ps-test-drop-root"

func init() {
	// Started as root, this role drops to nobody with setresuid and no exec,
	// as memcached -u and nginx's workers do: the kernel marks it not
	// dumpable and gives the files under its /proc/PID to root. It says
	// "ready" once it runs as nobody, and ends when its stdin closes.
	reexec.Register(roleDropRoot, func([]string) int {
		if err := syscall.Setresuid(65534, 65534, 65534); err != nil {
			os.Stdout.WriteString(err.Error() + "\n")
			return 1
		}
		os.Stdout.WriteString("ready\n")
		buf := make([]byte, 1)
		os.Stdin.Read(buf)
		return 0
	})
}

// dlab ps shows the effective user of a process that dropped root without
// exec, as ps does, though the stat file it reads belongs to root.
func TestLivePsShowsTheUserAProcessDroppedTo(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can drop to another uid")
	}
	cmd, err := reexec.Command(roleDropRoot)
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close() // the role's cue to end
		cmd.Wait()
	})
	// The line comes once the uid has changed, or the pipe ends if the role
	// failed: an event, not a sleep.
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("role %s: %q, %v", roleDropRoot, line, err)
	}
	pid := cmd.Process.Pid
	var file syscall.Stat_t
	if err := syscall.Stat(proc.Live().Path(pid, "stat"), &file); err != nil || file.Uid != 0 {
		t.Fatalf("/proc/%d/stat owned by uid %d, %v: want root, as for any process that is not dumpable", pid, file.Uid, err)
	}

	ios, _, out, _ := iostreams.Test()
	if err := runPs(&psOptions{IO: ios, ProcRoot: proc.DefaultRoot, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var entries []inspect.PsEntry
	if err := json.Unmarshal(out.Bytes(), &entries); err != nil {
		t.Fatal(err)
	}
	want := inspect.SystemNames().User(65534)
	found := false
	for _, e := range entries {
		if e.PID == pid {
			found = true
			if e.UID != 65534 || e.User != want {
				t.Errorf("dlab ps shows uid %d user %q; want 65534 %q, the effective user", e.UID, e.User, want)
			}
		}
	}
	if !found {
		t.Fatalf("PID %d not in dlab ps", pid)
	}
	// And ps(1) agrees, where it is installed.
	if ps, err := exec.LookPath("ps"); err == nil {
		b, err := exec.Command(ps, "-o", "uid=", "-p", strconv.Itoa(pid)).Output()
		if err != nil || strings.TrimSpace(string(b)) != "65534" {
			t.Errorf("ps -o uid= says %q, %v", b, err)
		}
	}
}
