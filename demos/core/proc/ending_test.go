package proc_test

import (
	"os/exec"
	"syscall"
	"testing"
	"time"

	"dlab/demos/core/proc"
	"dlab/demos/testkit/poll"

	"golang.org/x/sys/unix"
)

// Ending: a running process is not ending; killed and not yet reaped (a
// zombie), or with another start time (its PID reused), it is.
func TestLiveEnding(t *testing.T) {
	fs := proc.Live()
	cmd := exec.Command("sleep", "60")
	start(t, cmd)
	pid := cmd.Process.Pid
	st, err := fs.Stat(pid)
	if err != nil {
		t.Fatal(err)
	}
	if fs.Ending(pid, st.StartTime, unix.SIGHUP) {
		t.Error("a running sleep counted as ending")
	}
	if !fs.Ending(pid, st.StartTime+1) {
		t.Error("another process under the same PID did not count as the end of the first")
	}
	syscall.Kill(pid, syscall.SIGKILL)
	// Not reaped: a zombie until the test's cleanup waits for it.
	poll.Until(t, 10*time.Second, "it is a zombie", func() bool { s, err := fs.Stat(pid); return err == nil && s.State == 'Z' })
	if !fs.Ending(pid, st.StartTime) {
		t.Error("a zombie did not count as ending")
	}
}
