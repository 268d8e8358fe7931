package proc

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// StatReader reads /proc/PID/stat for many processes with one buffer, and
// with it the process's effective uid. It is what dlab ps runs over every
// process, so it reads one file per process, nothing twice, and no file
// the columns don't need. Not safe for concurrent use: give each goroutine
// its own.
type StatReader struct {
	root string
	path []byte
	buf  []byte
}

// StatReader returns a reader over this tree.
func (p FS) StatReader() *StatReader {
	return &StatReader{root: p.root(), buf: make([]byte, 0, statBufSize)}
}

// Owned is a process's stat and its effective uid.
type Owned struct {
	Stat
	// UID is the effective uid, as ps shows USER: the owner of the
	// /proc/PID directory (root for a kernel thread).
	UID int
}

// Read reads the stat of pid and its effective uid.
//
// The effective uid is the owner of the directory /proc/PID, which is what
// ps(1) reads too. Not the owner of the files inside: for a process that is
// not dumpable (it changed its uid without exec, as dbus-daemon, memcached
// and nginx's workers do, or called prctl(PR_SET_DUMPABLE, 0)) the kernel
// gives those files to root, but it keeps the directory's owner the
// effective uid "to keep from breaking existing userspace" (task_dump_owner
// in fs/proc/base.c). So one stat(2) of the directory replaces a read of
// /proc/PID/status, which costs the kernel more than stat does.
//
// The order closes a race with PID reuse: stat is opened first, the
// directory looked up next, and stat read last. A read of an open
// /proc/PID/stat fails with ESRCH once its process has gone, so a stat that
// reads was alive all along, and the directory was its own, not that of a
// newer process that took the PID in between.
func (r *StatReader) Read(pid int) (Owned, error) {
	dir := r.dirPath(pid)
	fd, path, err := r.openStat()
	if err != nil {
		return Owned{}, classify(pid, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return Owned{}, classify(pid, &os.PathError{Op: "stat", Path: dir, Err: err})
	}
	s, err := r.readStat(fd, path)
	if err != nil {
		return Owned{}, classify(pid, err)
	}
	return Owned{Stat: s, UID: int(st.Uid)}, nil
}

// Stat reads the stat of pid alone, for scans that need no owner (the
// descendants walk of the grader's reaper, which runs every few ms).
func (r *StatReader) Stat(pid int) (Stat, error) {
	r.dirPath(pid)
	fd, path, err := r.openStat()
	if err != nil {
		return Stat{}, classify(pid, err)
	}
	defer unix.Close(fd)
	s, err := r.readStat(fd, path)
	if err != nil {
		return Stat{}, classify(pid, err)
	}
	return s, nil
}

// dirPath sets r.path to /proc/PID and returns it as a string.
func (r *StatReader) dirPath(pid int) string {
	r.path = append(r.path[:0], r.root...)
	r.path = append(r.path, '/')
	r.path = strconv.AppendInt(r.path, int64(pid), 10)
	return string(r.path)
}

// openStat opens the stat file of the directory in r.path.
func (r *StatReader) openStat() (int, string, error) {
	r.path = append(r.path, "/stat"...)
	path := string(r.path)
	fd, err := open(path)
	return fd, path, err
}

// readStat reads and parses an open stat file into the reader's buffer.
// Errors of reading are left to classify; a parse error names the file.
func (r *StatReader) readStat(fd int, path string) (Stat, error) {
	b, err := readRecord(fd, path, r.buf[:0])
	if err != nil {
		return Stat{}, err
	}
	r.buf = b[:0]
	s, err := ParseStat(b)
	if err != nil {
		return Stat{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}
