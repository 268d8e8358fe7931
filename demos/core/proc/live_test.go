package proc

import (
	"errors"
	"net"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// The live system agrees with what the kernel says through system calls.
func TestLiveStatOfSelf(t *testing.T) {
	fs := Live()
	s, err := fs.Stat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	sid, _ := unix.Getsid(0)
	if s.PID != os.Getpid() || s.PPID != os.Getppid() || s.PGID != unix.Getpgrp() || s.SID != sid {
		t.Errorf("stat %+v disagrees with getppid %d, getpgrp %d, getsid %d", s, os.Getppid(), unix.Getpgrp(), sid)
	}
	o, err := fs.StatReader().Read(os.Getpid())
	if err != nil || o.UID != os.Geteuid() || o.PID != s.PID {
		t.Errorf("StatReader: %+v, %v; want uid %d", o, err, os.Geteuid())
	}
	st, err := fs.Status(os.Getpid())
	if err != nil || st.UID[0] != os.Getuid() || st.Umask < 0 {
		t.Errorf("status: %+v, %v", st, err)
	}
}

func TestLiveGoneProcessIsErrGone(t *testing.T) {
	// PID_MAX_LIMIT is 4194304: no process can have a larger PID.
	_, err := Live().Stat(4194305)
	if !errors.Is(err, ErrGone) {
		t.Errorf("err %v is not ErrGone", err)
	}
	_, err = Live().StatReader().Read(4194305)
	if !errors.Is(err, ErrGone) {
		t.Errorf("StatReader: err %v is not ErrGone", err)
	}
}

func TestLiveSocketsFindOurListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.1: %v", err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	fds, err := Live().FDs(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	inodes := map[uint64]bool{}
	for _, fd := range fds {
		if ino, ok := SocketInode(fd.Target); ok {
			inodes[ino] = true
		}
	}
	socks, err := Live().Sockets(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range socks {
		if s.Port == port && s.Listen && inodes[s.Inode] && s.Local == l.Addr().String() {
			return
		}
	}
	t.Errorf("no listening socket on %s among our fds", l.Addr())
}

func TestLivePIDsIncludeSelfAndPID1(t *testing.T) {
	pids, err := Live().PIDs()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range pids {
		seen[p] = true
	}
	if !seen[1] || !seen[os.Getpid()] {
		t.Errorf("PIDs lack 1 or self (%d of them)", len(pids))
	}
}
