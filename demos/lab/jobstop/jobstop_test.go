package jobstop

import (
	"context"
	"os"
	"testing"
	"time"

	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }

// TestTheTerminalStopsItsJobs runs the four trials live on a fresh
// pseudo-terminal.
func TestTheTerminalStopsItsJobs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ stopped, exited string }{
		{"SIGTTIN", ""},       // background read
		{"", "exit status 0"}, // background write, no tostop
		{"SIGTTOU", ""},       // background write with tostop
		{"SIGTSTP", ""},       // ^Z in the foreground
	}
	if len(got) != len(want) {
		t.Fatalf("trials %+v, want %d", got, len(want))
	}
	for i, w := range want {
		if got[i].Stopped != w.stopped || got[i].Exited != w.exited {
			t.Errorf("trial %d (%s): stopped %q exited %q, want stopped %q exited %q", i, got[i].Name, got[i].Stopped, got[i].Exited, w.stopped, w.exited)
		}
	}
}
