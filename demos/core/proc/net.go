package proc

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
)

// Socket is one socket from /proc/PID/net/{tcp,tcp6,udp,udp6,unix}: the
// sockets of the process's network namespace, matched to the process by
// inode through its fd links ("socket:[INODE]").
type Socket struct {
	Proto string     // "tcp", "tcp6", "udp", "udp6", "unix"
	Type  SocketType // stream (tcp, unix stream), dgram (udp, unix dgram) or seqpacket
	// Local: "127.0.0.1:8080", "[::]:22", "/run/x.sock", "@abstract", ""
	// for an unnamed unix socket. A unix server's connections, accepted
	// or still waiting (inode 0), show the listener's path too: look for
	// Listen to find the server.
	Local  string
	Remote string // the peer's address for tcp and udp ("0.0.0.0:0" when none); "" for unix
	Port   int    // local port for tcp and udp, 0 for unix
	// Listen: a listening TCP or unix stream/seqpacket socket, or a bound
	// UDP socket with no peer. A UDP client that only sent a datagram with
	// sendto() looks the same here (its port is ephemeral).
	Listen bool
	// Connected: a unix socket with a peer (SS_CONNECTED), or a TCP
	// connection that is established; false for a listener and for a
	// bound unix datagram socket that receives from anyone (/dev/log).
	Connected bool
	Inode     uint64
	Line      string // the line as read, for the evidence
}

// SocketType is the kind of socket, as socket(2) names it.
type SocketType string

const (
	Stream    SocketType = "stream"    // SOCK_STREAM: a byte stream (tcp, unix stream)
	Datagram  SocketType = "dgram"     // SOCK_DGRAM: messages, no connection needed (udp, /dev/log)
	SeqPacket SocketType = "seqpacket" // SOCK_SEQPACKET: messages over a connection
)

// IsAbstract reports whether a unix socket's name is in the abstract
// namespace ("@name"): no file on disk, gone when the socket closes.
func (s Socket) IsAbstract() bool { return s.Proto == "unix" && strings.HasPrefix(s.Local, "@") }

// IsBound reports whether a unix socket has a name (a path or an abstract
// name) that other processes can reach it by.
func (s Socket) IsBound() bool { return s.Proto == "unix" && s.Local != "" }

// Kernel states in /proc/net/tcp (include/net/tcp_states.h).
const (
	tcpEstablished = 0x01
	tcpListen      = 0x0A
	tcpClose       = 0x07 // an unconnected UDP socket shows this state
)

// ParseNetIP parses /proc/net/tcp, tcp6, udp or udp6; proto names the file
// ("tcp6") and decides how addresses are decoded.
func ParseNetIP(b []byte, proto string) ([]Socket, error) {
	var socks []Socket
	lines := bytes.Split(b, []byte{'\n'})
	for i, line := range lines {
		if i == 0 || len(bytes.TrimSpace(line)) == 0 {
			continue // the header
		}
		f := bytes.Fields(line)
		// sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
		if len(f) < 10 {
			return nil, fmt.Errorf("%d fields, want at least 10, in %s line %q", len(f), proto, clip(line))
		}
		addr, port, err := parseHexAddr(string(f[1]))
		if err != nil {
			return nil, fmt.Errorf("bad local address in %s line %q: %w", proto, clip(line), err)
		}
		raddr, rport, err := parseHexAddr(string(f[2]))
		if err != nil {
			return nil, fmt.Errorf("bad remote address in %s line %q: %w", proto, clip(line), err)
		}
		st, err := strconv.ParseUint(string(f[3]), 16, 8)
		if err != nil {
			return nil, fmt.Errorf("bad state in %s line %q", proto, clip(line))
		}
		inode, ok := atou(f[9])
		if !ok {
			return nil, fmt.Errorf("bad inode in %s line %q", proto, clip(line))
		}
		s := Socket{
			Proto: proto, Port: port, Inode: inode,
			Local:  netip.AddrPortFrom(addr, uint16(port)).String(),
			Remote: netip.AddrPortFrom(raddr, uint16(rport)).String(),
			Line:   strings.TrimSpace(string(line)),
		}
		if strings.HasPrefix(proto, "tcp") {
			s.Type = Stream
			s.Listen = st == tcpListen
			s.Connected = st == tcpEstablished
		} else {
			s.Type = Datagram
			s.Listen = st == tcpClose && rport == 0
			s.Connected = rport != 0
		}
		socks = append(socks, s)
	}
	return socks, nil
}

// parseHexAddr decodes "0100007F:1F90" (IPv4) or a 32-digit IPv6 address:
// the kernel prints each 32-bit word of the address in host byte order.
func parseHexAddr(s string) (netip.Addr, int, error) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.Addr{}, 0, fmt.Errorf("no port in %q", s)
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.Addr{}, 0, fmt.Errorf("bad port in %q", s)
	}
	raw, err := hex.DecodeString(h)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.Addr{}, 0, fmt.Errorf("bad address in %q", s)
	}
	// Each 4-byte word is little-endian on the machines dlab runs on.
	for i := 0; i < len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	addr, _ := netip.AddrFromSlice(raw)
	return addr.Unmap(), int(port), nil
}

// Flags, types and states of /proc/net/unix (include/linux/net.h).
const (
	unixAcceptCon   = 0x00010000 // __SO_ACCEPTCON: listen() was called
	unixStream      = 0x0001     // SOCK_STREAM
	unixDgram       = 0x0002     // SOCK_DGRAM
	unixSeqPacket   = 0x0005     // SOCK_SEQPACKET
	unixUnconnected = 0x01       // SS_UNCONNECTED
	unixConnected   = 0x03       // SS_CONNECTED
)

// ParseNetUnix parses /proc/net/unix:
//
//	Num RefCount Protocol Flags Type St Inode [Path]
//
// The path is everything after the inode, spaces included; an abstract name
// starts with "@" (the kernel prints its NUL bytes as "@"). The kernel
// prints a path byte for byte, so a path holding a newline spills onto the
// next line: a line that is not a record continues the previous path.
func ParseNetUnix(b []byte) ([]Socket, error) {
	var socks []Socket
	lines := bytes.Split(b, []byte{'\n'})
	for i, line := range lines {
		if i == 0 {
			continue // the header
		}
		s, ok := parseUnixLine(line)
		if !ok {
			if n := len(socks); n > 0 && socks[n-1].Local != "" && i < len(lines)-1 {
				socks[n-1].Local += "\n" + string(line)
				socks[n-1].Line += "\n" + string(line)
				continue
			}
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			return nil, fmt.Errorf("bad unix line %q: want Num RefCount Protocol Flags Type St Inode [Path]", clip(line))
		}
		socks = append(socks, s)
	}
	return socks, nil
}

func parseUnixLine(line []byte) (Socket, bool) {
	// Fields are single-space separated; the path may itself hold spaces.
	f := bytes.Fields(line)
	if len(f) < 7 || !bytes.HasSuffix(f[0], []byte{':'}) {
		return Socket{}, false
	}
	flags, err1 := strconv.ParseUint(string(f[3]), 16, 32)
	typ, err2 := strconv.ParseUint(string(f[4]), 16, 16)
	st, err3 := strconv.ParseUint(string(f[5]), 16, 8)
	inode, ok := atou(f[6])
	if err1 != nil || err2 != nil || err3 != nil || !ok {
		return Socket{}, false
	}
	s := Socket{Proto: "unix", Inode: inode, Line: strings.TrimRight(string(line), " \r")}
	if len(f) > 7 {
		s.Local = string(bytes.TrimRight(afterFields(line, 7), "\r"))
	}
	switch typ {
	case unixStream:
		s.Type = Stream
	case unixDgram:
		s.Type = Datagram
	case unixSeqPacket:
		s.Type = SeqPacket
	default:
		s.Type = SocketType("type " + strconv.FormatUint(typ, 10))
	}
	s.Listen = flags&unixAcceptCon != 0 && st == unixUnconnected && (typ == unixStream || typ == unixSeqPacket)
	s.Connected = st == unixConnected
	return s, true
}

// afterFields returns what follows the first n blank-separated fields of
// line and the one blank after them, keeping any further blanks: they are
// part of a unix socket's path.
func afterFields(line []byte, n int) []byte {
	i := 0
	for k := 0; k < n; k++ {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		for i < len(line) && line[i] != ' ' && line[i] != '\t' {
			i++
		}
	}
	if i < len(line) {
		i++ // the separator
	}
	return line[i:]
}

// SocketInode returns the inode in an fd link "socket:[12345]".
func SocketInode(target string) (uint64, bool) {
	rest, ok := strings.CutPrefix(target, "socket:[")
	if !ok {
		return 0, false
	}
	rest, ok = strings.CutSuffix(rest, "]")
	if !ok {
		return 0, false
	}
	return atou([]byte(rest))
}

// netFiles are the socket tables dlab reads, in the order it reports them.
var netFiles = []string{"tcp", "tcp6", "udp", "udp6", "unix"}

// Sockets reads the socket tables of pid's network namespace
// (/proc/PID/net/...). A table the kernel doesn't have (no IPv6) is skipped.
func (p FS) Sockets(pid int) ([]Socket, error) {
	return p.sockets(func(name string) ([]byte, error) { return p.read(pid, "net/"+name) },
		func(name string) string { return p.path(pid, "net/"+name) })
}

// NamespaceSockets reads the socket tables under ROOT/net: those of the
// reader's own network namespace on a live system (/proc/net is
// /proc/self/net).
func (p FS) NamespaceSockets() ([]Socket, error) {
	path := func(name string) string { return filepath.Join(p.root(), "net", name) }
	return p.sockets(func(name string) ([]byte, error) {
		b, err := readAll(path(name), nil)
		if err != nil {
			return nil, classify(0, err)
		}
		return b, nil
	}, path)
}

func (p FS) sockets(read func(string) ([]byte, error), path func(string) string) ([]Socket, error) {
	var all []Socket
	for _, name := range netFiles {
		b, err := read(name)
		if err != nil {
			if errors.Is(err, ErrGone) {
				continue // no such table on this kernel (or a fixture without it)
			}
			return nil, err
		}
		var socks []Socket
		if name == "unix" {
			socks, err = ParseNetUnix(b)
		} else {
			socks, err = ParseNetIP(b, name)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path(name), err)
		}
		all = append(all, socks...)
	}
	return all, nil
}
