package sdnotify

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"dlab/demos/launch/reexec"
	"dlab/demos/testkit/leakcheck"
)

func TestMain(m *testing.M) { reexec.Dispatch(); os.Exit(leakcheck.Main(m)) }

func TestNotifyReachesTheSocket(t *testing.T) {
	s, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t.Setenv("NOTIFY_SOCKET", s.Path)
	if err := Notify("READY=1\nSTATUS=up"); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-s.Messages:
		if !HasLine(m, "READY=1") || !HasLine(m, "STATUS=up") {
			t.Errorf("got %q", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing arrived")
	}
	t.Setenv("NOTIFY_SOCKET", "")
	if err := Notify("READY=1"); err != ErrNoSocket {
		t.Errorf("without NOTIFY_SOCKET: %v, want ErrNoSocket", err)
	}
}

// TestTheServiceIsReadyOnlyOnceItListens runs the demo live: READY=1 comes
// after the status message, its port answers at that moment, and STOPPING=1
// comes when it is stopped.
func TestTheServiceIsReadyOnlyOnceItListens(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pid, msgs, err := Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("messages %q, want 3: status, ready, stopping", msgs)
	}
	if !HasLine(msgs[1].Text, "READY=1") || !strings.HasPrefix(msgs[1].Listening, "yes") {
		t.Errorf("ready message %+v: want READY=1 with the port answering", msgs[1])
	}
	if !strings.Contains(msgs[1].Text, "MAINPID=") || pid == 0 {
		t.Errorf("ready message %q lacks MAINPID (pid %d)", msgs[1].Text, pid)
	}
	if !HasLine(msgs[2].Text, "STOPPING=1") {
		t.Errorf("last message %q, want STOPPING=1", msgs[2].Text)
	}
}

// LeftBy finds the socket directory of a listener by its PID, as the
// grader's guard does after the harness was killed.
func TestLeftByFindsTheListenersDirectory(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	s, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	left := LeftBy(os.Getpid())
	if len(left) != 1 || !strings.HasPrefix(s.Path, left[0]+string(os.PathSeparator)) {
		t.Errorf("LeftBy = %v, want the directory of %s", left, s.Path)
	}
	if other := LeftBy(os.Getpid() + 1); len(other) != 0 {
		t.Errorf("LeftBy(another PID) = %v", other)
	}
	s.Close()
	if left := LeftBy(os.Getpid()); len(left) != 0 {
		t.Errorf("after Close, LeftBy = %v", left)
	}
}
