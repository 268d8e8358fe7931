package proc

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Small readers dlab explain needs (issue 9), kept apart so the reader
// helper's parsers can replace them.

// DeniedFDs counts pid's fd links and those whose readlink the kernel
// refused (EACCES): FDs skips those, and a refused link is not a closed fd.
func (p FS) DeniedFDs(pid int) (total, denied int) {
	dir := p.path(pid, "fd")
	f, err := os.Open(dir)
	if err != nil {
		return 0, 0
	}
	names, _ := f.Readdirnames(-1)
	f.Close()
	for _, n := range names {
		if _, err := strconv.Atoi(n); err != nil {
			continue
		}
		total++
		if _, err := os.Readlink(filepath.Join(dir, n)); err != nil &&
			(errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EACCES)) {
			denied++
		}
	}
	return total, denied
}

// Unix socket types in /proc/net/unix's Type column (include/linux/net.h).
const (
	UnixStream    = "stream"
	UnixDgram     = "dgram"
	UnixSeqPacket = "seqpacket"
)

// UnixSocketType reads the type of a /proc/net/unix line as read
// (Socket.Line): "stream", "dgram" or "seqpacket"; "" when it can't tell.
func UnixSocketType(line string) string {
	f := bytes.Fields([]byte(line))
	if len(f) < 7 {
		return ""
	}
	switch string(f[4]) {
	case "0001":
		return UnixStream
	case "0002":
		return UnixDgram
	case "0005":
		return UnixSeqPacket
	}
	return ""
}

// UnixUnconnected reads the St column of a /proc/net/unix line: true for
// SS_UNCONNECTED (01), a datagram socket bound to a path but connected to
// no peer, as a datagram server's is.
func UnixUnconnected(line string) bool {
	f := bytes.Fields([]byte(line))
	return len(f) >= 7 && string(f[5]) == "01"
}

// TGID reads the thread group (the process) a task ID belongs to, from
// /proc/TID/status: a thread's TID has a /proc entry that ls doesn't list.
func (p FS) TGID(tid int) (int, error) {
	b, err := p.read(tid, "status")
	if err != nil {
		return 0, err
	}
	line := StatusLine(b, "Tgid")
	_, v, ok := bytes.Cut([]byte(line), []byte{':'})
	if !ok {
		return tid, nil
	}
	n, err := strconv.Atoi(string(bytes.TrimSpace(v)))
	if err != nil {
		return tid, nil
	}
	return n, nil
}

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
