package spectrum

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"dlab/demos/core/proc"
)

// The processes of a demo tell the launcher they are ready on an inherited
// pipe (the fd its role flags name), one line each: "ROLE pid=N start=T".
// Every process closes its end once it has announced itself and passed the
// pipe on, so end of file on the launcher's side means everyone is ready: an
// event, not a guess.

// announcement is one line of the ready pipe.
type announcement struct {
	Role      string
	PID       int
	StartTime uint64
	Fields    map[string]string
}

// announce writes this process's line on the ready pipe fd (if any) and
// returns the pipe, still open, so the caller can pass it on and close it.
func announce(fd int, role string, extra ...string) *os.File {
	if fd < 0 {
		return nil
	}
	// An inherited pipe is not close-on-exec: without this every later
	// child would inherit it too (daemon(7) step 1), and the launcher would
	// never see end of file.
	syscall.CloseOnExec(fd)
	f := os.NewFile(uintptr(fd), "ready")
	announceOn(f, role, extra...)
	return f
}

// announceOn writes this process's ready line on f.
func announceOn(f *os.File, role string, extra ...string) {
	var start uint64
	if st, err := proc.Live().Stat(os.Getpid()); err == nil {
		start = st.StartTime
	}
	line := fmt.Sprintf("%s pid=%d start=%d", role, os.Getpid(), start)
	for _, e := range extra {
		line += " " + e
	}
	fmt.Fprintln(f, line)
}

// parseAnnouncement parses "ROLE pid=N start=T key=value...".
func parseAnnouncement(line string) (announcement, error) {
	fields := strings.Fields(line)
	if len(fields) < 3 {
		return announcement{}, fmt.Errorf("bad ready line %q", line)
	}
	a := announcement{Role: fields[0], Fields: map[string]string{}}
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		a.Fields[k] = v
	}
	var err error
	if a.PID, err = strconv.Atoi(a.Fields["pid"]); err != nil || a.PID <= 0 {
		return announcement{}, fmt.Errorf("bad pid in ready line %q", line)
	}
	if a.StartTime, err = strconv.ParseUint(a.Fields["start"], 10, 64); err != nil {
		return announcement{}, fmt.Errorf("bad start time in ready line %q", line)
	}
	return a, nil
}

// readAnnouncements reads the ready pipe until every writer has closed it,
// or ctx ends (then what was read so far comes back with the error).
func readAnnouncements(ctx context.Context, r *os.File) (map[string]announcement, error) {
	if d, ok := ctx.Deadline(); ok {
		r.SetReadDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { r.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	got := map[string]announcement{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		a, err := parseAnnouncement(sc.Text())
		if err != nil {
			return got, err
		}
		got[a.Role] = a
	}
	if err := sc.Err(); err != nil {
		if ctx.Err() != nil {
			return got, ctx.Err()
		}
		return got, err
	}
	return got, nil
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
