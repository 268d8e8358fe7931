package lifeline_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/launch/lifeline"
	"dlab/demos/launch/pidfd"
	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
	"dlab/demos/testkit/orphan"
)

// anchorEnv makes the test binary play a dlab the user started: not a role,
// so it is the anchor of what it starts.
const anchorEnv = "LIFELINE_TEST_ANCHOR"

func TestMain(m *testing.M) {
	reexec.Dispatch()
	if how := os.Getenv(anchorEnv); how != "" {
		os.Exit(runAnchor(how))
	}
	os.Exit(leakcheck.Main(m))
}

// runAnchor starts a leaf through a middle process (an orphan: the leaf is
// a grandchild of the anchor whose parent is gone, as a SysV daemon after
// its double fork), with the lifeline ("attached") or without ("cut"),
// prints the leaf's PID and waits to be killed.
func runAnchor(how string) int {
	os.Unsetenv(anchorEnv)
	cmd, err := orphan.Command()
	if err != nil {
		return 1
	}
	if how == "cut" {
		lifeline.Cut(cmd)
	}
	out, err := cmd.Output()
	if err != nil {
		return 1
	}
	fmt.Print(string(out))
	time.Sleep(time.Minute)
	return 0
}

// startAnchor starts an anchor and returns it and the leaf it started.
func startAnchor(t *testing.T, how string) (*exec.Cmd, *pidfd.Process) {
	t.Helper()
	self, err := reexec.Self()
	if err != nil {
		t.Fatal(err)
	}
	anchor := exec.Command(self)
	anchor.Env = append(os.Environ(), anchorEnv+"="+how)
	out, err := anchor.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := anchor.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { anchor.Process.Kill(); anchor.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the anchor said nothing: %v", err)
	}
	pid, err := orphan.PID([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := pidfd.Open(pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { leaf.Stop(time.Second); leaf.Close() })
	return anchor, leaf
}

func TestLeafEndsWhenTheAnchorIsKilled(t *testing.T) {
	anchor, leaf := startAnchor(t, "attached")
	if st, err := proc.Live().Stat(leaf.PID); err != nil || st.PPID == anchor.Process.Pid {
		t.Fatalf("the leaf should be a grandchild of the anchor: %+v, %v", st, err)
	}
	anchor.Process.Signal(syscall.SIGKILL)
	anchor.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := leaf.Wait(ctx); err != nil {
		t.Fatalf("the leaf outlived the dlab that started it: %v", err)
	}
}

func TestCutLeafOutlivesTheAnchor(t *testing.T) {
	anchor, leaf := startAnchor(t, "cut")
	anchor.Process.Signal(syscall.SIGKILL)
	anchor.Wait()
	// The attached leaf above ends within milliseconds; give this one far
	// longer than that to prove it stays.
	ctx, cancel := context.WithTimeout(context.Background(), lifeline.Grace)
	defer cancel()
	if err := leaf.Wait(ctx); err == nil {
		t.Fatal("a leaf without a lifeline ended with the anchor")
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want lifeline.Anchor
		ok   bool
	}{
		{"12:345", lifeline.Anchor{PID: 12, StartTime: 345}, true},
		{"12", lifeline.Anchor{}, false},
		{"0:345", lifeline.Anchor{}, false},
		{"12:0", lifeline.Anchor{}, false},
		{"x:1", lifeline.Anchor{}, false},
		{"", lifeline.Anchor{}, false},
	} {
		got, err := lifeline.Parse(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Parse(%q) = %v, %v", tc.in, got, err)
		}
	}
}
