package pidlock

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }

// TestTheLockRefusesASecondCopyAndDiesWithTheDaemon runs the demo live.
func TestTheLockRefusesASecondCopyAndDiesWithTheDaemon(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Second != "EWOULDBLOCK" || r.SecondPID != r.First {
		t.Errorf("second copy: %s, read PID %d; want EWOULDBLOCK and the first's PID %d", r.Second, r.SecondPID, r.First)
	}
	if r.Killed != "killed by SIGKILL" || r.Stale != strconv.Itoa(r.First) {
		t.Errorf("after the kill: %s, file holds %q; want the first's PID left behind", r.Killed, r.Stale)
	}
	if r.Third == 0 || r.Third == r.First {
		t.Errorf("third copy PID %d: it should have taken the lock at once", r.Third)
	}
	if r.LsofNote == "" {
		if fd := LockColumn(r.Lsof, r.First); !strings.HasSuffix(fd, "W") {
			t.Errorf("lsof's FD column for PID %d is %q, want a W (write lock on the whole file):\n%s", r.First, fd, strings.Join(r.Lsof, "\n"))
		}
	}
	if _, err := os.Stat(r.Path); err == nil {
		t.Errorf("%s left behind", r.Path)
	}
}
