// Package event is the one protocol by which a process dlab started tells
// its launcher about itself: who it is (role, PID and start time, so the
// launcher can hold it by a pidfd that never hits a reused PID), what
// happened, and the details.
//
// Events travel on a pipe the launcher opened before the start (daemon(7)
// step 14's readiness pipe), one JSON line each. A line is at most
// PIPE_BUF bytes, which the kernel writes atomically: several processes
// writing the same pipe never interleave. When every writer has closed its
// end, the launcher reads end of file: everyone has said what they had to
// say, or died, and either is an event, not a guess.
package event

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"dlab/demos/core/proc"
)

// MaxLine is PIPE_BUF on Linux: a write of this many bytes or fewer to a
// pipe is atomic.
const MaxLine = 4096

// Event is one message from a started process to its launcher.
type Event struct {
	Role      string            `json:"role"`           // who: "daemon", "shell", "program", "service"
	Kind      string            `json:"kind,omitempty"` // what: "ready", "stage", "started", "exited", "error"
	PID       int               `json:"pid"`
	StartTime uint64            `json:"start_time"` // clock ticks after boot, /proc/PID/stat field 22
	Fields    map[string]string `json:"fields,omitempty"`
	Data      json.RawMessage   `json:"data,omitempty"` // a typed payload (Decode)
	Exit      *Exit             `json:"exit,omitempty"` // for "exited": how it ended
	Error     string            `json:"error,omitempty"`
}

// Exit is how a process ended, as the process that waited for it saw it.
type Exit struct {
	How   string        `json:"how"`                // in words, as a shell says it: "killed by SIGTERM"
	Code  int           `json:"code"`               // the exit status; -1 when a signal ended it or it is not known
	After time.Duration `json:"after_ns,omitempty"` // how long after its start
}

// Self is an event about the calling process.
func Self(role, kind string) Event {
	return Of(role, kind, os.Getpid())
}

// Of is an event about the process pid, with its start time read now: a
// parent telling of the child it just started, while the child can't be
// reaped yet and so still is the process of that PID.
func Of(role, kind string, pid int) Event {
	e := Event{Role: role, Kind: kind, PID: pid}
	if st, err := proc.Live().Stat(pid); err == nil {
		e.StartTime = st.StartTime
	}
	return e
}

// With returns e with one more field.
func (e Event) With(key, value string) Event {
	f := make(map[string]string, len(e.Fields)+1)
	for k, v := range e.Fields {
		f[k] = v
	}
	f[key] = value
	e.Fields = f
	return e
}

// WithData returns e carrying v, encoded as JSON.
func (e Event) WithData(v any) Event {
	b, err := json.Marshal(v)
	if err != nil {
		e.Error = fmt.Sprintf("cannot encode %T: %v", v, err)
		return e
	}
	e.Data = b
	return e
}

// Decode reads the payload into v.
func (e Event) Decode(v any) error {
	if len(e.Data) == 0 {
		return fmt.Errorf("the %s event of %s has no data", e.Kind, e.Role)
	}
	return json.Unmarshal(e.Data, v)
}

// Inherit opens the pipe a launcher passed as fd (nil when fd < 0) and
// makes it close-on-exec: an inherited fd is not, and without this every
// later child would inherit it too (daemon(7) step 1), and the launcher
// would never see end of file. A process passes it on on purpose, in
// cmd.ExtraFiles.
func Inherit(fd int) *os.File {
	if fd < 0 {
		return nil
	}
	syscall.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), "events")
}

// Send writes e as one line, in one write.
func Send(w io.Writer, e Event) error {
	if w == nil {
		return nil
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if len(b) > MaxLine {
		return fmt.Errorf("event %s/%s is %d bytes, more than a pipe writes at once (%d)", e.Role, e.Kind, len(b), MaxLine)
	}
	_, err = w.Write(b)
	return err
}

// Parse reads one line.
func Parse(line []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(line, &e); err != nil || e.Role == "" {
		return Event{}, fmt.Errorf("not an event: %q", line)
	}
	if e.PID < 0 {
		return Event{}, fmt.Errorf("bad pid in event %q", line)
	}
	return e, nil
}

// ErrStop, returned by a Read callback, ends the read without an error.
var ErrStop = errors.New("stop reading events")

// Read calls each for every event on r until end of file (every writer
// is done), each returns an error (ErrStop: a clean stop), or ctx ends.
// A line that is not an event is an error.
func Read(ctx context.Context, r *os.File, each func(Event) error) error {
	d, _ := ctx.Deadline() // zero: none, and clears an earlier one
	r.SetReadDeadline(d)
	stop := context.AfterFunc(ctx, func() { r.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, MaxLine), MaxLine+1)
	for sc.Scan() {
		e, err := Parse(sc.Bytes())
		if err == nil {
			err = each(e)
		}
		if errors.Is(err, ErrStop) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The file's deadline is ctx's, and may fire a hair before it.
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return context.DeadlineExceeded
		}
		return err
	}
	return nil
}
