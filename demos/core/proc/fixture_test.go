package proc

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// testdata/proc holds the nasty cases: 42 has the command name
// "((a b ) ( c d) )"; 2 is a kernel thread with an empty cmdline; 43 is a
// zombie; 44 has no Umask line and a dangling fd link; 45 has a truncated
// stat and status; 46 has no closing parenthesis and a bad Umask; 47 is the
// init of a nested PID namespace (NSpid "47 1"), traced by 46, with SIGHUP,
// SIGINT and SIGTERM blocked and SIGTERM pending, a deleted executable, and
// sockets in net/unix (a path with spaces, an abstract name, /dev/log, a
// path holding a newline); 48 is its second thread, which a real /proc
// would not list (the fixture can't hide it); 60 is an orphan that 47's
// thread 48 adopted, and 47 also lists a gone 52 and a reused 44 as children;
// 49 is memcached started by root that dropped to nobody (65534) without
// exec, so not dumpable: on a live system its files are root's and only its
// directory and status say nobody (git keeps no owners: the test sets them).
var nasty = FS{Root: "testdata/proc"}

func TestFixturePIDs(t *testing.T) {
	pids, err := nasty.PIDs()
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 42, 43, 44, 45, 46, 47, 48, 49, 60}; !reflect.DeepEqual(pids, want) {
		t.Errorf("PIDs = %v, want %v (uptime and other names are not processes)", pids, want)
	}
}

func TestFixtureCommandNameWithParentheses(t *testing.T) {
	s, err := nasty.Stat(42)
	if err != nil {
		t.Fatal(err)
	}
	if s.Comm != "((a b ) ( c d) )" || s.State != 'S' || TTYName(s.TTY) != "pts/0" || !s.InForeground() {
		t.Errorf("got %+v", s)
	}
	o, err := nasty.StatReader().Read(42)
	if err != nil || o.Stat != s {
		t.Errorf("StatReader: %+v, %v", o, err)
	}
}

func TestFixtureKernelThread(t *testing.T) {
	s, err := nasty.Stat(2)
	if err != nil {
		t.Fatal(err)
	}
	if !s.IsKernelThread() {
		t.Errorf("flags %#x: PF_KTHREAD not seen", s.Flags)
	}
	args, err := nasty.Cmdline(2)
	if err != nil || args != nil {
		t.Errorf("cmdline = %q, %v; want empty", args, err)
	}
}

func TestFixtureZombie(t *testing.T) {
	s, err := nasty.Stat(43)
	if err != nil || s.State != 'Z' {
		t.Errorf("got %+v, %v", s, err)
	}
}

func TestFixtureMissingUmaskAndDanglingLink(t *testing.T) {
	st, err := nasty.Status(44)
	if err != nil {
		t.Fatal(err)
	}
	if st.Umask != -1 {
		t.Errorf("Umask = %d, want -1", st.Umask)
	}
	if l, err := nasty.Link(44, "fd/0"); err != nil || l != "/nonexistent/dangling" {
		t.Errorf("fd/0 = %q, %v", l, err)
	}
	fds, err := nasty.FDs(44)
	if err != nil || len(fds) != 1 || fds[0] != (FD{Num: 0, Target: "/nonexistent/dangling"}) {
		t.Errorf("FDs = %+v, %v", fds, err)
	}
}

func TestFixtureMalformedFilesAreErrorsThatNameTheFile(t *testing.T) {
	for _, c := range []struct {
		read func() error
		want string
	}{
		{func() error { _, err := nasty.Stat(45); return err }, "testdata/proc/45/stat"},
		{func() error { _, err := nasty.StatReader().Read(45); return err }, "testdata/proc/45/stat"},
		{func() error { _, err := nasty.Stat(46); return err }, "no command name"},
		{func() error { _, err := nasty.Status(46); return err }, "testdata/proc/46/status"},
		{func() error { _, err := nasty.Status(45); return err }, "bad Uid line"},
	} {
		err := c.read()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v should mention %q", err, c.want)
		}
	}
}

func TestFixtureUptime(t *testing.T) {
	if u, err := nasty.Uptime(); err != nil || u != 100.25 {
		t.Errorf("uptime %v, %v", u, err)
	}
}

func TestFixtureNamespaceInitTracedWithBlockedSignals(t *testing.T) {
	s, err := nasty.Status(47)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.NSpid, []int{47, 1}) || s.NamespacePID() != 1 || !s.IsNamespaceInit() {
		t.Errorf("NSpid %v: should be the init of its namespace", s.NSpid)
	}
	if s.TracerPid != 46 || s.Tgid != 47 || s.PID != 47 || s.PPID != 40 || s.IsThread() {
		t.Errorf("TracerPid %d Tgid %d Pid %d PPid %d", s.TracerPid, s.Tgid, s.PID, s.PPID)
	}
	if got := s.SigBlk.String(); got != "SIGHUP,SIGINT,SIGTERM" {
		t.Errorf("SigBlk = %s", got)
	}
	if !s.Pending().Has(unix.SIGTERM) || s.Pending().Has(unix.SIGHUP) {
		t.Errorf("pending = %s, want SIGTERM only", s.Pending())
	}
	// PID 1 of the machine is not a nested namespace's init.
	one, err := nasty.Status(1)
	if err != nil || one.IsNamespaceInit() {
		t.Errorf("PID 1: %+v, %v", one.NSpid, err)
	}
}

func TestFixtureThreadBelongsToItsGroup(t *testing.T) {
	for tid, want := range map[int]int{47: 47, 48: 47, 42: 42} {
		if got, err := nasty.ThreadGroup(tid); err != nil || got != want {
			t.Errorf("ThreadGroup(%d) = %d, %v; want %d", tid, got, err, want)
		}
	}
	th, err := nasty.Status(48)
	if err != nil || !th.IsThread() {
		t.Errorf("48 should be a thread: %+v, %v", th, err)
	}
	if _, err := nasty.ThreadGroup(99999); !errors.Is(err, ErrGone) {
		t.Errorf("missing thread: %v is not ErrGone", err)
	}
	tids, err := nasty.Tasks(47)
	if err != nil || !reflect.DeepEqual(tids, []int{47, 48}) {
		t.Errorf("Tasks(47) = %v, %v", tids, err)
	}
}

func TestFixtureDeletedExecutableAndFile(t *testing.T) {
	e, err := nasty.Exe(47)
	if err != nil || e != (Exe{Path: "/usr/sbin/nsinit", Deleted: true}) {
		t.Errorf("Exe(47) = %+v, %v", e, err)
	}
	e, err = nasty.Exe(42)
	if err != nil || e != (Exe{Path: "/usr/bin/((a b ) ( c d) )"}) {
		t.Errorf("Exe(42) = %+v, %v", e, err)
	}
	if _, err := nasty.Exe(45); !errors.Is(err, ErrGone) {
		t.Errorf("no exe link: %v is not ErrGone", err)
	}
	if got, err := nasty.FDTarget(47, 5); err != nil || !ParseExeLink(got).Deleted {
		t.Errorf("fd 5 = %q, %v", got, err)
	}
	if _, err := nasty.FDTarget(47, 1); !errors.Is(err, ErrGone) || !strings.Contains(err.Error(), "fd 1 of process 47 is not open") {
		t.Errorf("fd 1: %v should say it is not open and match ErrGone", err)
	}
}

func TestFixtureUnixSocketsOfTheNamespace(t *testing.T) {
	socks, err := nasty.NamespaceSockets()
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		inode     uint64
		typ       SocketType
		path      string
		listen    bool
		connected bool
	}
	var got []row
	for _, s := range socks {
		got = append(got, row{s.Inode, s.Type, s.Local, s.Listen, s.Connected})
	}
	want := []row{
		{9500, Stream, "/run/with space/sock", true, false},
		{9501, Stream, "", false, true},
		{9502, Stream, "@abstract@with@nuls", true, false},
		{9503, Datagram, "/dev/log", false, false},
		{9504, SeqPacket, "/run/seq packet ", true, false},
		{9505, Stream, "/run/with space/sock", false, true},
		{19506, Stream, "/tmp/new\nline.sock", true, false},
		{19507, Datagram, "/run/after", false, false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if !socks[2].IsAbstract() || socks[0].IsAbstract() || !socks[3].IsBound() || socks[1].IsBound() {
		t.Errorf("abstract/bound wrong: %+v", socks[:4])
	}
	// The process's own view (/proc/47/net) is the same table.
	mine, err := nasty.Sockets(47)
	if err != nil || len(mine) != len(socks) {
		t.Errorf("Sockets(47): %d sockets, %v", len(mine), err)
	}
}

// A process that changed its uid without exec is not dumpable: the kernel
// gives the files under /proc/PID to root, but keeps the directory the
// effective uid's (task_dump_owner). USER must come from the directory, as
// ps takes it, not from the stat file. The test copies 49 and gives it the
// owners the kernel would, which only root can do.
func TestFixtureNonDumpableProcessIsItsDirectorysOwner(t *testing.T) {
	st, err := nasty.Status(49)
	if err != nil || st.UID != [4]int{65534, 65534, 65534, 65534} {
		t.Fatalf("status of 49: Uid %v, %v", st.UID, err)
	}
	if os.Geteuid() != 0 {
		t.Skip("only root can give the copy's files to root and its directory to nobody")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "49")
	if err := os.Mkdir(dir, 0o555|0o200); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"stat", "status", "cmdline"} {
		b, err := os.ReadFile(filepath.Join("testdata/proc/49", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o444); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(filepath.Join(dir, name), 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	fs := FS{Root: root}
	o, err := fs.StatReader().Read(49)
	if err != nil || o.UID != st.UID[1] || o.Comm != "memcached" || o.PPID != 1 {
		t.Errorf("Read(49) = uid %d %+v, %v; want uid %d, the effective uid in status", o.UID, o.Stat, err, st.UID[1])
	}
	// The same copy with its directory back to root: a dumpable root process.
	if err := os.Chown(dir, 0, 0); err != nil {
		t.Fatal(err)
	}
	if o, err := fs.StatReader().Read(49); err != nil || o.UID != 0 {
		t.Errorf("Read(49) with a root directory = uid %d, %v; want 0", o.UID, err)
	}
}
