package term

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The point of the package: Close ends a read that is waiting on the master.
func TestCloseEndsABlockedRead(t *testing.T) {
	master, slave, err := Open(100, 30)
	if err != nil {
		t.Fatal(err)
	}
	defer slave.Close()
	if !strings.HasPrefix(Name(slave), "pts/") {
		t.Errorf("Name = %q, want pts/N", Name(slave))
	}
	ws, err := unix.IoctlGetWinsize(int(slave.Fd()), unix.TIOCGWINSZ)
	if err != nil || ws.Col != 100 || ws.Row != 30 {
		t.Errorf("size %+v, %v; want 100x30", ws, err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := master.Read(make([]byte, 16))
		done <- err
	}()
	master.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("read after Close: %v, want an error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the read on the master")
	}
}
