package registry_test

import (
	"bufio"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }

func init() {
	// registry-test-sleeper is a process to stop: it says "ready" once its
	// signal dispositions are set, then waits at most 30 s. With the
	// argument "ignore-term" it ignores SIGTERM, so only SIGKILL ends it.
	reexec.Register("registry-test-sleeper", func(args []string) int {
		if len(args) > 0 && args[0] == "ignore-term" {
			signal.Ignore(syscall.SIGTERM)
		}
		os.Stdout.WriteString("ready\n")
		time.Sleep(30 * time.Second)
		return 0
	})
}

// sleeper is a started sleeper; done closes once it has been reaped, and
// then cmd.ProcessState says how it ended.
type sleeper struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func (s sleeper) pid() int { return s.cmd.Process.Pid }

// startSleeper starts a sleeper, waits until it is ready, and makes sure the
// test ends it and reaps it.
func startSleeper(t *testing.T, args ...string) sleeper {
	t.Helper()
	cmd, err := reexec.Command("registry-test-sleeper", args...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("sleeper did not get ready: %q, %v", line, err)
	}
	return sleeper{cmd, done}
}
