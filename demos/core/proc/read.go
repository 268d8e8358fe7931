package proc

import (
	"os"

	"golang.org/x/sys/unix"
)

// statBufSize holds any /proc/PID/stat line (about 300 bytes, plus a comm of
// at most 64) without growing.
const statBufSize = 512

// readAll reads a whole file into buf (grown as needed) with plain system
// calls. os.ReadFile would add an fstat for the size (always 0 in /proc) and
// a failed epoll registration per file; dlab ps opens thousands of files, and
// those calls were a third of its time.
func readAll(path string, buf []byte) ([]byte, error) {
	fd, err := open(path)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	return readFD(fd, path, buf)
}

func open(path string) (int, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return fd, nil
	}
}

// readFD reads fd to the end into buf. A seq_file in /proc may return less
// than asked before its end, so only a read of 0 bytes ends the loop.
func readFD(fd int, path string, buf []byte) ([]byte, error) {
	if cap(buf) == 0 {
		buf = make([]byte, 0, 4096)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// readRecord reads a file the kernel writes as one record, such as
// /proc/PID/stat: a read that doesn't fill the buffer has returned all of it,
// which saves the read of 0 bytes that readFD waits for. (For a regular file,
// as in a fixture tree, a short read also means the end.)
func readRecord(fd int, path string, buf []byte) ([]byte, error) {
	if cap(buf) == 0 {
		buf = make([]byte, 0, statBufSize)
	}
	for {
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		buf = buf[:len(buf)+n]
		if n == 0 || len(buf) < cap(buf) {
			return buf, nil
		}
		buf = append(buf, 0)[:len(buf)]
	}
}
