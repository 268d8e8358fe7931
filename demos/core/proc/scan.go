package proc

import (
	"bytes"
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"
)

// StatReader reads /proc/PID/stat for many processes with one buffer, and
// with it the process's owner. It is what dlab ps runs over every process, so
// it reads one file per process and nothing twice. Not safe for concurrent
// use: give each goroutine its own.
type StatReader struct {
	root string
	path []byte
	buf  []byte
}

// StatReader returns a reader over this tree.
func (p FS) StatReader() *StatReader {
	return &StatReader{root: p.root(), buf: make([]byte, 0, statBufSize)}
}

// Owned is a process's stat and the uid that owns its /proc directory.
type Owned struct {
	Stat
	// UID owns the /proc/PID files: the process's effective uid, except for
	// a process that is not dumpable (a setuid program, sshd's privileged
	// child, one that called prctl(PR_SET_DUMPABLE, 0)), whose files the
	// kernel gives to root. /proc/PID/status has the exact ids.
	UID int
}

// Read reads the stat of pid, and its owner with an fstat of the same open
// file (no second path lookup).
func (r *StatReader) Read(pid int) (Owned, error) {
	r.path = append(r.path[:0], r.root...)
	r.path = append(r.path, '/')
	r.path = strconv.AppendInt(r.path, int64(pid), 10)
	r.path = append(r.path, "/stat"...)
	path := string(r.path)
	fd, err := open(path)
	if err != nil {
		return Owned{}, classify(pid, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return Owned{}, classify(pid, err)
	}
	b, err := readRecord(fd, path, r.buf[:0])
	if err != nil {
		return Owned{}, classify(pid, err)
	}
	r.buf = b[:0]
	s, err := ParseStat(b)
	if err != nil {
		return Owned{}, fmt.Errorf("%s: %w", path, err)
	}
	return Owned{Stat: s, UID: int(st.Uid)}, nil
}

// ReadEffective is Read with UID the process's effective uid, as ps shows
// it. The owner of /proc/PID is that uid except for a process that is not
// dumpable (it changed its uid without exec: dbus-daemon, memcached,
// dnsmasq, apache's workers), whose files the kernel gives to root; so only
// a root-owned user-space process costs a second read, of status's Uid line.
func (r *StatReader) ReadEffective(pid int) (Owned, error) {
	o, err := r.Read(pid)
	if err != nil || o.UID != 0 || o.IsKernelThread() || o.State == 'Z' || o.State == 'X' {
		return o, err
	}
	r.path = append(r.path[:len(r.path)-len("stat")], "status"...)
	path := string(r.path)
	b, err := readAll(path, r.buf[:0])
	if err != nil {
		return Owned{}, classify(pid, err)
	}
	r.buf = b[:0]
	euid, ok := effectiveUID(b)
	if !ok {
		return Owned{}, fmt.Errorf("%s: no effective uid in %q", path, clip(b))
	}
	o.UID = euid
	return o, nil
}

// effectiveUID finds the second number of status's "Uid:" line without
// parsing the rest: ReadEffective runs over every root-owned process.
func effectiveUID(b []byte) (int, bool) {
	i := bytes.Index(b, []byte("\nUid:"))
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+len("\nUid:"):])
	if len(f) < 2 {
		return 0, false
	}
	return atoi(f[1])
}
