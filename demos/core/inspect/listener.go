package inspect

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"dlab/demos/core/proc"
)

// ErrNoListener means nothing listens on the port asked about.
var ErrNoListener = errors.New("nothing listens on that port")

// PortOwner is the answer to "who listens on this port?".
type PortOwner struct {
	// PID is the process to explain: of the processes holding the socket,
	// the one highest in the tree (the nginx master, not its workers).
	PID int
	// Holders are all the processes holding a listening socket on the port.
	Holders []int
	// Sockets are the listening sockets found on the port.
	Sockets []proc.Socket
}

// ListenerOn finds the process listening on a TCP or UDP port, in the
// network namespace of the /proc reader (dlab's own, on a live system). The
// socket tables give the socket's inode; the process is the one with an fd
// linking to socket:[INODE], which needs access to other users' fds.
func ListenerOn(fs proc.FS, port int) (PortOwner, error) {
	if port <= 0 || port > 65535 {
		return PortOwner{}, fmt.Errorf("%d is not a port number: ports go from 1 to 65535", port)
	}
	socks, err := fs.NamespaceSockets()
	if err != nil {
		return PortOwner{}, err
	}
	var owner PortOwner
	inodes := map[uint64]bool{}
	for _, s := range socks {
		if s.Listen && s.Port == port && s.Proto != "unix" {
			owner.Sockets = append(owner.Sockets, s)
			inodes[s.Inode] = true
		}
	}
	if len(inodes) == 0 {
		return PortOwner{}, fmt.Errorf("port %d: %w (in dlab's network namespace; see ss -lntu)", port, ErrNoListener)
	}
	holders, denied, err := holdersOf(fs, func(target string) bool {
		ino, ok := proc.SocketInode(target)
		return ok && inodes[ino]
	})
	if err != nil {
		return PortOwner{}, err
	}
	owner.Holders = holders
	if len(owner.Holders) == 0 {
		var addrs []string
		for _, s := range owner.Sockets {
			addrs = append(addrs, s.Proto+" "+s.Local)
		}
		if denied > 0 {
			return PortOwner{}, fmt.Errorf("port %d is listened on (%s), but no process dlab can read holds it, and the fds of %d processes could not be read: run dlab as root (sudo) to find it: %w",
				port, strings.Join(addrs, ", "), denied, proc.ErrPermission)
		}
		return PortOwner{}, fmt.Errorf("port %d is listened on (%s), but no process holds the socket any more: %w", port, strings.Join(addrs, ", "), proc.ErrGone)
	}
	sort.Ints(owner.Holders)
	owner.PID = topmost(fs, owner.Holders)
	return owner, nil
}

// topmost picks the holder whose parent is not a holder too: workers inherit
// their master's listening socket, and the master is the one to explain.
func topmost(fs proc.FS, pids []int) int {
	holder := map[int]bool{}
	for _, p := range pids {
		holder[p] = true
	}
	for _, p := range pids {
		st, err := fs.Stat(p)
		if err == nil && !holder[st.PPID] {
			return p
		}
	}
	return pids[0]
}

// Socket roles (Listener.Role).
const (
	RoleListens = "listens" // TCP or unix stream/seqpacket in LISTEN: waits for clients
	RoleBound   = "bound"   // a unix datagram socket with a path, or UDP on a service port: receives from clients
	RoleClient  = "client"  // UDP on an ephemeral port: the kernel bound it when the program sent
)

// Linux's default ip_local_port_range: the kernel picks a port from it for
// a UDP socket that sends before it binds, so a socket bound there is a
// client's.
const ephemeralLow, ephemeralHigh = 32768, 60999

// SocketRole says what a socket held by a process is for, or "" when it is
// neither a server's nor worth showing (a connected stream, an unnamed unix
// socket).
func SocketRole(s proc.Socket) string {
	switch {
	case s.Proto == "unix" && s.Listen:
		return RoleListens
	case s.Proto == "unix":
		// A datagram socket bound to a path is a server's (rsyslogd's
		// /dev/log); a connected or unnamed one is a client's end.
		if s.Local != "" && s.Type == proc.Datagram && !s.Connected {
			return RoleBound
		}
		return ""
	case s.Listen && strings.HasPrefix(s.Proto, "udp"):
		if s.Port >= ephemeralLow && s.Port <= ephemeralHigh {
			return RoleClient
		}
		return RoleBound
	case s.Listen:
		return RoleListens
	}
	return ""
}

// ErrNoHolder means no process dlab could read holds the path open.
var ErrNoHolder = errors.New("no process holds it open")

// PathHolders are the processes behind a path.
type PathHolders struct {
	PID        int             // the one to explain: the topmost holder
	PIDs       []int           // every holder
	Socket     *proc.Socket    // the unix socket bound to the path, if it is one
	SocketType proc.SocketType // stream, dgram, seqpacket
}

// HoldersOf finds who serves a unix socket path, or who holds a file open
// (what fuser does), from every process's fd links. A process whose fds
// can't be read is counted, so "nobody" is never said when it may be
// someone dlab can't see.
func HoldersOf(fs proc.FS, path string) (PathHolders, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return PathHolders{}, fmt.Errorf("%s: %w", path, err)
	}
	var h PathHolders
	match := func(target string) bool { return target == abs }
	if socks, err := fs.NamespaceSockets(); err == nil {
		for i, s := range socks {
			if s.Proto == "unix" && s.Local == abs && (s.Listen || SocketRole(s) == RoleBound) {
				h.Socket, h.SocketType = &socks[i], s.Type
				ino := s.Inode
				match = func(target string) bool { i, ok := proc.SocketInode(target); return ok && i == ino }
				break
			}
		}
	}
	if h.Socket == nil {
		if _, err := os.Stat(abs); err != nil {
			return PathHolders{}, fmt.Errorf("%s: no such file, and no unix socket bound there (see ss -lx)", path)
		}
	}
	holders, denied, err := holdersOf(fs, match)
	if err != nil {
		return PathHolders{}, err
	}
	h.PIDs = holders
	if len(h.PIDs) == 0 {
		what := "holds " + path + " open"
		if h.Socket != nil {
			what = "holds the socket bound to " + path
		}
		if denied > 0 {
			return PathHolders{}, fmt.Errorf("no process dlab can read %s, but the fds of %d processes could not be read: run dlab as root (sudo) to look at them: %w", what, denied, proc.ErrPermission)
		}
		if h.Socket != nil {
			return PathHolders{}, fmt.Errorf("a unix socket is bound to %s, but no process holds it any more: %w", path, ErrNoHolder)
		}
		return PathHolders{}, fmt.Errorf("%s: %w", path, ErrNoHolder)
	}
	h.PID = topmost(fs, h.PIDs)
	return h, nil
}

// holdersOf lists the processes with an fd whose link target matches, and
// counts those it could not look into: a process whose fds are refused is
// unread, not innocent (root without CAP_SYS_PTRACE may list a process's
// fds yet be refused each link).
func holdersOf(fs proc.FS, match func(target string) bool) (holders []int, denied int, err error) {
	pids, err := fs.PIDs()
	if err != nil {
		return nil, 0, err
	}
	for _, pid := range pids {
		fds, err := fs.FDs(pid)
		if errors.Is(err, proc.ErrPermission) {
			denied++
			continue
		}
		found, refused := false, false
		for _, fd := range fds {
			if !fd.Readable() {
				refused = true
			} else if match(fd.Target) {
				found = true
				break
			}
		}
		if found {
			holders = append(holders, pid)
		} else if refused {
			denied++
		}
	}
	return holders, denied, nil
}
