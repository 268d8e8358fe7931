package ctty

import (
	"context"
	"os"
	"testing"
	"time"

	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }

// TestOnlyASessionLeaderAcquiresATerminalByOpeningIt runs both trials live.
func TestOnlyASessionLeaderAcquiresATerminalByOpeningIt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Leader.Leader || !r.Leader.Acquired() || r.Leader.After != r.TTY {
		t.Errorf("session leader: %+v, want it to acquire %s", r.Leader, r.TTY)
	}
	if r.Member.Leader || r.Member.Acquired() || r.Member.After != "?" {
		t.Errorf("non-leader: %+v, want no controlling terminal after the open", r.Member)
	}
}
