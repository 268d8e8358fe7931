package shell

import (
	"context"
	"fmt"
	"os"
	"syscall"

	"dlab/demos/launch/event"
)

// EventLog keeps every event a shell's commands sent, so that a demo can
// wait for the one it needs next without losing those that came first: the
// jobs of one shell report in whatever order the scheduler runs them.
// Read a shell's events through one EventLog, or through Events, not both.
type EventLog struct {
	events <-chan event.Event
	seen   []event.Event
	closed bool
}

// Log starts keeping s's events.
func (s *Shell) Log() *EventLog { return &EventLog{events: s.Events} }

// Seen returns every event received so far, in order.
func (l *EventLog) Seen() []event.Event { return l.seen }

// Find returns the first event received so far that match accepts.
func (l *EventLog) Find(match func(event.Event) bool) (event.Event, bool) {
	for _, e := range l.seen {
		if match(e) {
			return e, true
		}
	}
	return event.Event{}, false
}

// Wait returns the first event, received before or from now on, that match
// accepts. It fails when ctx ends or when the events end first: every
// process holding the pipe is gone.
func (l *EventLog) Wait(ctx context.Context, what string, match func(event.Event) bool) (event.Event, error) {
	if e, ok := l.Find(match); ok {
		return e, nil
	}
	for {
		if l.closed {
			return event.Event{}, fmt.Errorf("waiting for %s: every process of the shell is gone", what)
		}
		select {
		case e, ok := <-l.events:
			if !ok {
				l.closed = true
				continue
			}
			l.seen = append(l.seen, e)
			if match(e) {
				return e, nil
			}
		case <-ctx.Done():
			return event.Event{}, fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		}
	}
}

// WaitClosed waits until every process that held the event pipe (the shell
// and every command it ran) is gone, keeping the events that come first.
func (l *EventLog) WaitClosed(ctx context.Context) error {
	_, err := l.Wait(ctx, "the end of the shell's processes", func(event.Event) bool { return false })
	if l.closed {
		return nil
	}
	return err
}

// Of matches the events of role and kind, from pid when pid is not 0.
func Of(role, kind string, pid int) func(event.Event) bool {
	return func(e event.Event) bool {
		return e.Role == role && e.Kind == kind && (pid == 0 || e.PID == pid)
	}
}

// Signal sends sig to the shell itself, as `kill -KILL` from another
// terminal would: to show what happens when a shell dies without a chance to
// do anything. It does nothing once the shell has ended.
func (s *Shell) Signal(sig syscall.Signal) error {
	if s.ExitState() != nil {
		return nil
	}
	if err := s.cmd.Process.Signal(sig); err != nil && err != os.ErrProcessDone {
		return fmt.Errorf("cannot send %v to the shell: %w", sig, err)
	}
	return nil
}
