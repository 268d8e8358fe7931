package event

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestSendAndRead(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	type stage struct{ Name string }
	me := Self("program", "ready").With("tty", "pts/3")
	if me.PID != os.Getpid() || me.StartTime == 0 {
		t.Fatalf("Self = %+v", me)
	}
	exited := Of("program", "exited", os.Getppid())
	exited.Exit = &Exit{How: "killed by SIGTERM", Code: -1, After: 1500 * time.Millisecond}
	for _, e := range []Event{me, Self("daemon", "stage").WithData(stage{"first child"}), exited} {
		if err := Send(w, e); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	var got []Event
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := Read(ctx, r, func(e Event) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	var s stage
	if len(got) != 3 || got[0].Fields["tty"] != "pts/3" || got[0].StartTime != me.StartTime ||
		got[1].Decode(&s) != nil || s.Name != "first child" ||
		got[2].PID != os.Getppid() || got[2].StartTime == 0 || got[2].Exit == nil || *got[2].Exit != *exited.Exit {
		t.Fatalf("read %+v", got)
	}
}

func TestReadEndsOnDeadlineAndOnGarbage(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := Read(ctx, r, func(Event) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("no writer, deadline: err = %v", err)
	}
	w.Write([]byte("ROLE pid=1 start=2\n"))
	if err := Read(context.Background(), r, func(Event) error { return nil }); err == nil || !strings.Contains(err.Error(), "not an event") {
		t.Fatalf("garbage: err = %v", err)
	}
}

func TestSendRefusesALineAPipeWouldSplit(t *testing.T) {
	var b bytes.Buffer
	e := Self("x", "y").With("big", strings.Repeat("a", MaxLine))
	if err := Send(&b, e); err == nil || b.Len() != 0 {
		t.Fatalf("Send of %d bytes: %v, wrote %d", MaxLine, err, b.Len())
	}
}
