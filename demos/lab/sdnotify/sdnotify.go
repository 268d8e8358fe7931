// Package sdnotify is both ends of systemd's readiness protocol
// (sd_notify(3)): a service manager's NOTIFY_SOCKET, a datagram socket that
// services send "READY=1", "STATUS=…", "STOPPING=1" to, and the service's
// side that sends them. dlab check listens with it when it grades a
// new-style daemon; the notify demo shows a service say when it is ready.
package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Socket is a NOTIFY_SOCKET that a service manager listens on.
type Socket struct {
	// Path goes in the service's environment as NOTIFY_SOCKET.
	Path string
	// Messages delivers each datagram as it arrives ("READY=1\nSTATUS=…");
	// it is closed by Close.
	Messages <-chan string

	conn *net.UnixConn
	dir  string
}

// TempPrefix starts the name of the directory Listen makes in the temporary
// folder; the listening process's PID follows, so that whoever ends a killed
// listener (the grader's guard) finds what it left (LeftBy).
const TempPrefix = "dlab-notify-"

// Listen makes a socket in a new private directory, as systemd does under
// /run/systemd/notify.
func Listen() (*Socket, error) {
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", TempPrefix, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("cannot make a notify socket: %w", err)
	}
	path := filepath.Join(dir, "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("cannot listen on a notify socket: %w", err)
	}
	// A daemon that drops privileges must still reach it.
	os.Chmod(dir, 0o755)
	os.Chmod(path, 0o777)
	msgs := make(chan string, 16)
	go func() {
		defer close(msgs)
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			msgs <- string(buf[:n])
		}
	}()
	return &Socket{Path: path, Messages: msgs, conn: conn, dir: dir}, nil
}

// Close stops listening and removes the socket.
func (s *Socket) Close() error {
	err := s.conn.Close()
	os.RemoveAll(s.dir)
	return err
}

// LeftBy lists the socket directories that process pid made and did not
// remove (it was killed): only this user's own directories.
func LeftBy(pid int) []string {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), fmt.Sprintf("%s%d-*", TempPrefix, pid)))
	var mine []string
	for _, d := range dirs {
		fi, err := os.Lstat(d)
		if err != nil || !fi.IsDir() {
			continue
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) == os.Getuid() {
			mine = append(mine, d)
		}
	}
	return mine
}

// ErrNoSocket is returned by Notify outside a service manager that asks for
// notifications: sd_notify(3) then does nothing and returns 0.
var ErrNoSocket = errors.New("NOTIFY_SOCKET is not set")

// Notify sends state ("READY=1", "STATUS=serving") to $NOTIFY_SOCKET as
// sd_notify(3) does; a name starting with @ is in the abstract namespace.
func Notify(state string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return ErrNoSocket
	}
	if strings.HasPrefix(path, "@") {
		path = "\x00" + path[1:]
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("cannot reach NOTIFY_SOCKET: %w", err)
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}

// HasLine reports whether the message holds the assignment want
// ("READY=1") on a line of its own.
func HasLine(msg, want string) bool {
	for _, l := range strings.Split(msg, "\n") {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}
