package spectrum

import (
	"context"
	"fmt"
	"os"
	"strings"

	"dlab/demos/launch/event"
)

// The processes of a demo tell the launcher they are ready on an inherited
// pipe (the fd their role flags name), one event each (package event): role,
// PID, start time and fields such as the terminal's name. Every process
// closes its end once it has announced itself and passed the pipe on, so end
// of file on the launcher's side means everyone is ready: an event, not a
// guess.

// announcement is one event of the ready pipe.
type announcement = event.Event

// announce sends this process's ready event on the pipe fd (if any) and
// returns the pipe, still open, so the caller can pass it on and close it.
func announce(fd int, role string, fields ...string) *os.File {
	f := event.Inherit(fd)
	if f != nil {
		announceOn(f, role, fields...)
	}
	return f
}

// announceOn sends this process's ready event on f, with fields given as
// "key=value".
func announceOn(f *os.File, role string, fields ...string) {
	e := event.Self(role, "ready")
	for _, kv := range fields {
		k, v, _ := strings.Cut(kv, "=")
		e = e.With(k, v)
	}
	event.Send(f, e)
}

// readAnnouncements reads the ready pipe until every writer has closed it,
// or ctx ends (then what was read so far comes back with the error).
func readAnnouncements(ctx context.Context, r *os.File) (map[string]announcement, error) {
	got := map[string]announcement{}
	err := event.Read(ctx, r, func(e event.Event) error {
		got[e.Role] = e
		return nil
	})
	return got, err
}

// announced names a process by the role it announced itself as, and says
// under which member role, with what words, the group holds it.
type announced struct{ as, role, what string }

// holdAnnounced holds the processes a start announced, in the order given,
// once every one of them did; err is the start's own error. If one is missing or can't
// be held, it still holds whatever did announce itself, so that Stop ends
// it, and fails the group.
func (g *group) holdAnnounced(got map[string]announcement, err error, members ...announced) error {
	// The members come innermost first, as the story tells them; the last
	// was started first. Where it never came up, neither did what it
	// starts, so the outermost one missing is the one to name.
	for i := len(members) - 1; i >= 0 && err == nil; i-- {
		if _, ok := got[members[i].as]; !ok {
			err = fmt.Errorf("the %s of the %s demo never became ready (its logs are in %s)", members[i].as, g.kind, g.dir)
		}
	}
	for _, m := range members {
		if err == nil {
			err = g.hold(m.role, m.what, got[m.as])
		}
	}
	if err != nil {
		for role, a := range got {
			if _, held := g.procs[a.PID]; !held {
				g.hold(role, "", a)
			}
		}
		return g.fail(err)
	}
	return nil
}
