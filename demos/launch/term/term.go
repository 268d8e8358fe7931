// Package term opens the pseudo-terminals dlab's demos run on.
package term

import (
	"fmt"
	"os"
	"strings"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Open opens a pseudo-terminal of the given size (0 leaves the kernel's
// default) and returns its master, in non-blocking mode, and its slave.
//
// pty.Open leaves the master in blocking mode (it calls Fd), and a blocked
// read on a blocking file can't be interrupted: closing the master (the
// hang-up the lessons show) would wait for the next byte, or until this
// process exits. A non-blocking master goes through Go's poller instead,
// whose Close ends a read at once. The master is close-on-exec: no process
// a demo starts holds the terminal's other side by accident.
func Open(cols, rows uint16) (master, slave *os.File, err error) {
	m, slave, err := pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("cannot open a pseudo-terminal: %w", err)
	}
	fd, err := unix.FcntlInt(m.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	m.Close()
	if err == nil {
		err = unix.SetNonblock(fd, true)
	}
	if err == nil && cols > 0 && rows > 0 {
		err = unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: rows})
	}
	if err != nil {
		if fd >= 0 {
			unix.Close(fd)
		}
		slave.Close()
		return nil, nil, fmt.Errorf("cannot set up a pseudo-terminal: %w", err)
	}
	return os.NewFile(uintptr(fd), "/dev/ptmx"), slave, nil
}

// Name names the slave as ps does ("pts/3"), from its path.
func Name(slave *os.File) string {
	return strings.TrimPrefix(slave.Name(), "/dev/")
}
