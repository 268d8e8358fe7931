package proc

import (
	"bytes"
	"fmt"
	"strconv"
)

// Small readers dlab explain needs (issue 9), kept apart so the reader
// helper's parsers can replace them.

// EffectiveUID reads the effective uid from /proc/PID/status, for a
// process whose /proc files belong to root: the kernel gives a process that
// is not dumpable (it changed uid without exec: dbus-daemon, chronyd,
// apache's workers) to root, so the owner of its stat says root where ps
// shows the real user. Only the Uid line is parsed; the buffer is reused.
func (r *StatReader) EffectiveUID(pid int) (int, error) {
	r.path = append(r.path[:0], r.root...)
	r.path = append(r.path, '/')
	r.path = strconv.AppendInt(r.path, int64(pid), 10)
	r.path = append(r.path, "/status"...)
	path := string(r.path)
	if cap(r.status) == 0 {
		r.status = make([]byte, 0, 2048)
	}
	b, err := readAll(path, r.status[:0])
	if err != nil {
		return -1, classify(pid, err)
	}
	r.status = b[:0]
	i := bytes.Index(b, []byte("\nUid:"))
	if i < 0 {
		return -1, fmt.Errorf("%s: no Uid line", path)
	}
	f := bytes.Fields(b[i+5 : i+5+bytes.IndexByte(b[i+5:], '\n')+1])
	if len(f) < 2 {
		return -1, fmt.Errorf("%s: bad Uid line", path)
	}
	n, ok := atoi(f[1])
	if !ok {
		return -1, fmt.Errorf("%s: bad Uid line %q", path, clip(b[i+1:]))
	}
	return n, nil
}
